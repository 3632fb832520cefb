//! Shared renders of live events for websocket subscriptions (the why is in
//! `roster_live::fanout`): the schema renders each event once per class of subscribers, and
//! every socket frames those bytes with its own subscription id (`frame.rs`).

use std::sync::{Arc, Mutex};

use async_graphql::http::WebSocketProtocols;
use async_graphql::{Data, Request, Response, ServerError};
use futures_util::StreamExt as _;
use futures_util::future::BoxFuture;
use roster_core::Actor;
use roster_live::MemberListEvent;
use roster_live::fanout::{LiveOutlet, LiveSocket, RenderingEvent, Selection, Selections, Sent};
use tokio::sync::mpsc;

use crate::frame::{Frame, Framing};
use crate::schema::RosterSchema;

/// The process's shared renders: its distinct selections, and the schema that renders.
pub struct Fanout {
    selections: Arc<Selections>,
    render: Arc<SchemaRender>,
}

impl Fanout {
    /// Renders through `schema`.
    pub fn new(schema: RosterSchema) -> Fanout {
        Fanout { selections: Arc::default(), render: Arc::new(SchemaRender(schema)) }
    }

    /// The outlet of the operation a socket starts as `id`, its `subscription`-th, sending its
    /// frames to `frames`.
    pub fn outlet(
        &self,
        request: &Request,
        protocol: WebSocketProtocols,
        id: &str,
        subscription: u64,
        frames: mpsc::Sender<Box<Frame>>,
    ) -> LiveOutlet {
        let socket = SocketOutlet {
            render: self.render.clone(),
            framing: Framing::new(protocol, id, subscription),
            frames,
        };
        LiveOutlet {
            socket: Arc::new(socket),
            sent: Arc::new(Mutex::new(Some(Sent {
                query: request.query.clone(),
                operation_name: request.operation_name.clone(),
                variables: request.variables.clone(),
            }))),
            selections: self.selections.clone(),
            answered: Arc::default(),
        }
    }
}

/// One subscription's end of the shared renders: the process's schema renders, and the
/// subscription's socket takes the frames.
struct SocketOutlet {
    render: Arc<SchemaRender>,
    framing: Framing,
    /// The socket's queue of frames. Bounded: a client that stops reading fills it, the
    /// subscriber then falls behind the hub's buffer and ends with SUBSCRIBER_TOO_SLOW.
    frames: mpsc::Sender<Box<Frame>>,
}

impl LiveSocket for SocketOutlet {
    fn render(
        &self,
        selection: &Selection,
        actor: Actor,
        event: MemberListEvent,
    ) -> BoxFuture<'static, String> {
        self.render.render(selection, actor, event)
    }

    fn send(&self, payload: &str) -> BoxFuture<'_, bool> {
        let frame = self.framing.frame(payload);
        Box::pin(async move { self.frames.send(frame).await.is_ok() })
    }
}

/// Renders by running the subscription's own document, so aliases, fragments, directives and
/// variables mean exactly what they mean to the engine.
struct SchemaRender(RosterSchema);

impl SchemaRender {
    fn render(
        &self,
        selection: &Selection,
        actor: Actor,
        event: MemberListEvent,
    ) -> BoxFuture<'static, String> {
        let mut request = Request::new(selection.query.clone()).variables(selection.variables.clone());
        if let Some(name) = &selection.operation_name {
            request = request.operation_name(name.clone());
        }
        let mut session = Data::default();
        session.insert(actor);
        let mut answers = self.0.execute_stream_with_session_data(
            request.data(RenderingEvent { event, field: selection.field.clone() }),
            Arc::new(session),
        );
        Box::pin(async move {
            let response = answers.next().await.unwrap_or_else(|| {
                Response::from_errors(vec![ServerError::new("The event could not be rendered.", None)])
            });
            serde_json::to_string(&response).unwrap_or_else(|_| r#"{"data":null}"#.into())
        })
    }
}
