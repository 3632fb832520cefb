//! Fan-out: each live event is rendered once per class of subscribers, not once per
//! subscriber.
//!
//! An event reads the same to every subscriber of a list who sent the same document with the
//! same variables, has the same rules for `availableActions`, and is neither the event's user
//! nor its inviter (`User.emailVerified` shows only to the user themself). Those subscribers
//! form a class. The first of a class to reach an event renders it, through the schema, into
//! the JSON of a `next` payload; the others frame the same bytes with their own subscription
//! id. Admins and members are the usual two classes of a list, so 10,000 subscribers cost
//! two renders per event.
//!
//! The server's websocket layer opts a subscription in by putting a [`LiveOutlet`] into its
//! request's data. Its live events then go to the outlet, already framed, and the engine
//! sees only what ends the stream (and events replayed from the database, which are read
//! per subscriber anyway). A stream without an outlet takes the engine's ordinary path.
//!
//! Anything a subscriber can select under `MemberListEvent` may depend on the viewer only
//! through the three parts of [`ClassKey`]; a field that depends on the viewer otherwise
//! must add it there.

use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, Weak};

use futures_util::future::BoxFuture;
use roster_core::Actor;
use tokio::sync::{OnceCell, mpsc};

use crate::members::ActionRules;
use crate::subscription::MemberListEvent;

/// What a subscription asked for: its document, operation and variables. Equal selections
/// render equally, and identical subscriptions share one (see [`Selections`]).
#[derive(Debug)]
pub struct Selection {
    /// The document.
    pub query: String,
    /// The operation to run, when the document has several.
    pub operation_name: Option<String>,
    /// The variables.
    pub variables: async_graphql::Variables,
    /// The three above as one text, which is what equality compares.
    key: String,
}

impl PartialEq for Selection {
    fn eq(&self, other: &Self) -> bool {
        self.key == other.key
    }
}

impl Eq for Selection {}

impl Hash for Selection {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key.hash(state);
    }
}

/// The process's distinct selections: ten thousand subscribers sending the same document
/// hold one copy of it, and comparing two of them is comparing pointers.
#[derive(Default)]
pub struct Selections {
    interned: Mutex<HashMap<String, Weak<Selection>>>,
}

impl Selections {
    /// The shared selection equal to this one.
    pub fn intern(
        &self,
        query: &str,
        operation_name: Option<&str>,
        variables: &async_graphql::Variables,
    ) -> Arc<Selection> {
        let key =
            serde_json::to_string(&(query, operation_name, variables)).unwrap_or_else(|_| query.to_owned());
        let mut interned = self.interned.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(selection) = interned.get(&key).and_then(Weak::upgrade) {
            return selection;
        }
        if interned.len() >= 1024 && interned.len().is_power_of_two() {
            // Forget the selections nobody holds any more, now and then.
            interned.retain(|_, selection| selection.strong_count() > 0);
        }
        let selection = Arc::new(Selection {
            query: query.to_owned(),
            operation_name: operation_name.map(str::to_owned),
            variables: variables.clone(),
            key: key.clone(),
        });
        interned.insert(key, Arc::downgrade(&selection));
        selection
    }
}

/// Renders one event for one class: runs the subscription's document with the event standing
/// in for the stream, as `actor`, and answers the JSON of the `next` message's payload. The
/// server implements it over its schema.
pub trait Render: Send + Sync {
    /// The payload of `event` for `selection`, as `actor` sees it.
    fn render(
        &self,
        selection: &Selection,
        actor: Actor,
        event: MemberListEvent,
    ) -> BoxFuture<'static, String>;
}

/// Put into a render's request data: the resolver answers with this one event instead of
/// subscribing.
#[derive(Debug, Clone)]
pub struct RenderingEvent(pub MemberListEvent);

/// One framed message for the socket: the text of a `next` (or legacy `data`) message.
#[derive(Debug)]
pub struct Frame {
    /// The socket's number for the subscription it belongs to: a frame of a subscription
    /// that was stopped (or whose id was reused since) is dropped.
    pub subscription: u64,
    /// The message.
    pub text: String,
}

/// Where a websocket subscription's live events go, already framed: put into the request's
/// data by the server's websocket layer.
#[derive(Clone)]
pub struct LiveOutlet {
    /// The socket's queue of frames. Bounded: a client that stops reading fills it, the
    /// subscriber then falls behind the hub's buffer and ends with SUBSCRIBER_TOO_SLOW.
    pub frames: mpsc::Sender<Box<Frame>>,
    /// The socket's number for this subscription.
    pub subscription: u64,
    /// The message up to its payload, e.g. `{"type":"next","id":"1","payload":`.
    pub prefix: Arc<str>,
    /// What the subscription selected.
    pub selection: Arc<Selection>,
    /// How to render an event.
    pub render: Arc<dyn Render>,
    /// Set by whoever sends the subscription's first answer, the socket (a frame) or the
    /// engine (a replayed event, an error), so the subscription is counted once.
    pub answered: Arc<AtomicBool>,
}

impl LiveOutlet {
    /// The message carrying `payload`.
    pub fn frame(&self, payload: &str) -> Box<Frame> {
        let mut text = String::with_capacity(self.prefix.len() + payload.len() + 1);
        text.push_str(&self.prefix);
        text.push_str(payload);
        text.push('}');
        Box::new(Frame { subscription: self.subscription, text })
    }
}

/// Which subscribers read an event alike.
#[derive(Clone)]
pub(crate) struct ClassKey {
    /// The document and variables, shared (so equal ones are one pointer).
    pub(crate) selection: Arc<Selection>,
    /// What decides `availableActions`.
    pub(crate) rules: ActionRules,
    /// The viewer, when the event's user or inviter is the viewer; `None` for everyone else.
    pub(crate) viewer: Option<String>,
}

// Selections are interned, so the same pointer is the same selection. Equal selections at two
// addresses (not interned) would merely render twice.
impl PartialEq for ClassKey {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.selection, &other.selection)
            && self.rules == other.rules
            && self.viewer == other.viewer
    }
}

impl Eq for ClassKey {}

impl Hash for ClassKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        std::ptr::hash(Arc::as_ptr(&self.selection), state);
        self.rules.hash(state);
        self.viewer.hash(state);
    }
}

/// How many of a list's latest positions keep their renders. Subscribers of one list reach
/// an event within moments of each other; one further behind renders it again.
const KEPT_POSITIONS: usize = 64;

/// One render, made by whichever subscriber of the class comes first.
type Rendered = Arc<OnceCell<Arc<str>>>;

/// A list's renders, by event position and class.
#[derive(Default)]
pub(crate) struct Renders {
    by_position: BTreeMap<i64, HashMap<ClassKey, Rendered>>,
}

impl Renders {
    /// The cell holding the render of the event at `position` for `class`, made empty if new.
    pub(crate) fn cell(&mut self, position: i64, class: ClassKey) -> Rendered {
        let cell = self.by_position.entry(position).or_default().entry(class).or_default().clone();
        while self.by_position.len() > KEPT_POSITIONS {
            self.by_position.pop_first();
        }
        cell
    }
}
