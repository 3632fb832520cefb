//! Fan-out: each live event is rendered once per class of subscribers, not once per
//! subscriber.
//!
//! An event reads the same to every subscriber of a list who sent the same document with the
//! same variables (bar those only the root field's arguments use, such as the resume cursor),
//! has the same rules for `availableActions`, and is neither the event's user nor its inviter
//! (`User.emailVerified` shows only to the user themself). Those subscribers
//! form a class. The first of a class to reach an event renders it, through the schema, into
//! the JSON of a `next` payload; the others frame the same bytes with their own subscription
//! id. Admins and members are the usual two classes of a list, so 10,000 subscribers cost
//! two renders per event.
//!
//! The server's websocket layer opts a subscription in by putting a [`LiveOutlet`] into its
//! request's data. Its live events then go to the outlet's [`LiveSocket`], which renders them
//! through the schema and frames them for its socket (both the server's business), and the
//! engine sees only what ends the stream (and events replayed from the database, which are
//! read per subscriber anyway). A stream without an outlet takes the engine's ordinary path.
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
use tokio::sync::OnceCell;

use crate::event::MemberListEvent;

/// What a live subscription renders: its document and operation, the variables its events'
/// selection can read, and the root field's response key. Equal selections render equally,
/// and equal ones share one copy (see [`Selections`]).
#[derive(Debug)]
pub struct Selection {
    /// The document.
    pub query: String,
    /// The operation to run, when the document has several.
    pub operation_name: Option<String>,
    /// The variables to render with: the first subscriber's. Those that only the root field's
    /// arguments use (the scope, a resume cursor) are not part of the key: a render does not
    /// read them.
    pub variables: async_graphql::Variables,
    /// The root field's response key: a document may subscribe twice under two aliases.
    pub field: String,
}

/// The process's distinct selections: ten thousand subscribers sending the same document
/// hold one copy of it, and comparing two of them is comparing pointers.
#[derive(Default)]
pub struct Selections {
    interned: Mutex<Interned>,
}

#[derive(Default)]
struct Interned {
    by_key: HashMap<String, Weak<Selection>>,
    /// The size at which entries nobody holds are swept: twice the live ones, so sweeping
    /// costs a constant per insertion.
    sweep_at: usize,
}

impl Selections {
    /// The shared selection for `sent`, whose root field answers under `field`, given the
    /// variables only that field's arguments use.
    fn intern(&self, sent: Sent, field: &str, root_only: &[String]) -> Arc<Selection> {
        let kept: BTreeMap<&str, &async_graphql::Value> = sent
            .variables
            .iter()
            .filter(|(name, _)| !root_only.iter().any(|root| root == name.as_str()))
            .map(|(name, value)| (name.as_str(), value))
            .collect();
        let key = serde_json::json!([sent.query, sent.operation_name, kept, field]).to_string();
        let mut interned = self.interned.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(selection) = interned.by_key.get(&key).and_then(Weak::upgrade) {
            return selection;
        }
        if interned.by_key.len() >= interned.sweep_at {
            interned.by_key.retain(|_, selection| selection.strong_count() > 0);
            interned.sweep_at = (interned.by_key.len() * 2).max(64);
        }
        let selection = Arc::new(Selection {
            query: sent.query,
            operation_name: sent.operation_name,
            variables: sent.variables,
            field: field.to_owned(),
        });
        interned.by_key.insert(key, Arc::downgrade(&selection));
        selection
    }
}

/// An operation as the client sent it over the socket.
#[derive(Debug)]
pub struct Sent {
    /// The document.
    pub query: String,
    /// The operation's name.
    pub operation_name: Option<String>,
    /// The variables.
    pub variables: async_graphql::Variables,
}

/// The variables of `query` that only its root field's arguments use, given each use there
/// (`root_uses`, a name once per use): every `$name` in the text past its definition is one
/// of those uses. Text elsewhere that looks like a use (a comment, a string) only keeps a
/// variable in the key, which is safe.
pub(crate) fn root_only_variables(query: &str, root_uses: &[String]) -> Vec<String> {
    let mut uses: HashMap<&str, usize> = HashMap::new();
    for name in root_uses {
        *uses.entry(name).or_default() += 1;
    }
    uses.into_iter()
        .filter(|(name, count)| mentions(query, name) == count + 1)
        .map(|(name, _)| name.to_owned())
        .collect()
}

/// How often `$name` stands in `query` as a whole name.
fn mentions(query: &str, name: &str) -> usize {
    let needle = format!("${name}");
    query
        .match_indices(&needle)
        .filter(|(at, _)| {
            query[at + needle.len()..].chars().next().is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'))
        })
        .count()
}

/// The server's side of a websocket subscription's shared renders, one per subscription: it
/// renders an event through the schema and sends the payload to its socket in the protocol's
/// framing. The schema and the frame format are the server's; this crate decides only who
/// renders what, and when.
pub trait LiveSocket: Send + Sync {
    /// Renders one event for one class: runs the subscription's document with the event
    /// standing in for the stream, as `actor`, and answers the JSON of the `next` message's
    /// payload.
    fn render(
        &self,
        selection: &Selection,
        actor: Actor,
        event: MemberListEvent,
    ) -> BoxFuture<'static, String>;

    /// Sends `payload` (a render's JSON, shared by the class) as this subscription's next
    /// message; false when the socket is gone. Waits while the socket's queue is full: a
    /// client that stops reading so holds its subscriber back until it falls behind the hub's
    /// buffer and ends with SUBSCRIBER_TOO_SLOW.
    fn send(&self, payload: &str) -> BoxFuture<'_, bool>;
}

/// Put into a render's request data: the root field answering under `field` answers with this
/// one event instead of subscribing, and any other root field with nothing.
#[derive(Debug, Clone)]
pub struct RenderingEvent {
    /// The event.
    pub event: MemberListEvent,
    /// The response key of the root field being rendered.
    pub field: String,
}

/// Where a websocket subscription's live events go: put into the request's data by the
/// server's websocket layer.
#[derive(Clone)]
pub struct LiveOutlet {
    /// Renders and sends this subscription's live events.
    pub socket: Arc<dyn LiveSocket>,
    /// The operation as sent, until a live subscription takes it for its [`Selection`].
    pub sent: Arc<Mutex<Option<Sent>>>,
    /// The process's selections.
    pub selections: Arc<Selections>,
    /// Set by whoever sends the subscription's first answer, the socket (a frame) or the
    /// engine (a replayed event, an error), so the subscription is counted once.
    pub answered: Arc<AtomicBool>,
}

impl LiveOutlet {
    /// The selection of the live subscription under `field`, given the variables its
    /// arguments use (a name once per use); `None` when the operation was taken already (a
    /// document subscribing twice: the second root field takes the engine's path).
    pub(crate) fn selection(&self, field: &str, root_uses: &[String]) -> Option<Arc<Selection>> {
        let sent = self.sent.lock().unwrap_or_else(|p| p.into_inner()).take()?;
        let root_only = root_only_variables(&sent.query, root_uses);
        Some(self.selections.intern(sent, field, &root_only))
    }
}

/// Which subscribers read an event alike.
#[derive(Clone)]
pub(crate) struct ClassKey {
    /// The document and variables, shared (so equal ones are one pointer).
    pub(crate) selection: Arc<Selection>,
    /// What decides `availableActions` (see `ActionRules::class`).
    pub(crate) rules: (bool, bool),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_variables_used_nowhere_but_the_root_arguments_leave_the_key() {
        let query = "subscription($scope: MembershipScope!, $after: String, $afterAll: Boolean!) {
            memberListChanged(scope: $scope, after: $after) { kind member @include(if: $afterAll) { id } } }";
        let mut root_only = root_only_variables(query, &["scope".into(), "after".into()]);
        root_only.sort();
        assert_eq!(root_only, ["after", "scope"], "`$afterAll` is not `$after`");
        // Used in the selection too: it stays in the key.
        let query = "subscription($scope: MembershipScope!, $with: Boolean!) {
            memberListChanged(scope: $scope, after: null) @include(if: $with) { kind } }";
        assert_eq!(root_only_variables(query, &["scope".into()]), ["scope"]);
        let query = "subscription($scope: MembershipScope!, $with: Boolean!) {
            memberListChanged(scope: $scope, flag: $with) { member @include(if: $with) { id } } }";
        assert_eq!(root_only_variables(query, &["scope".into(), "with".into()]), ["scope"]);
    }
}
