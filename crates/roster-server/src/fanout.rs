//! Shared renders of live events for websocket subscriptions (the why is in
//! `roster_organizations::fanout`): the schema renders each event once per class of
//! subscribers, and every socket frames those bytes with its own subscription id.

use std::sync::{Arc, Mutex};

use async_graphql::http::WebSocketProtocols;
use async_graphql::{Data, Request, Response, ServerError};
use futures_util::StreamExt as _;
use futures_util::future::BoxFuture;
use roster_core::Actor;
use roster_organizations::fanout::{Frame, LiveOutlet, Render, RenderingEvent, Selection, Selections, Sent};
use roster_organizations::subscription::MemberListEvent;
use tokio::sync::mpsc;

use crate::schema::RosterSchema;

/// The process's shared renders: its distinct selections, and the schema that renders.
pub struct Fanout {
    selections: Arc<Selections>,
    render: Arc<dyn Render>,
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
        // The engine's own framing: graphql-transport-ws says `next`, the legacy protocol `data`.
        let kind = match protocol {
            WebSocketProtocols::GraphQLWS => "next",
            WebSocketProtocols::SubscriptionsTransportWS => "data",
        };
        let id = serde_json::to_string(id).unwrap_or_else(|_| "\"\"".into());
        LiveOutlet {
            frames,
            subscription,
            prefix: Arc::from(format!(r#"{{"type":"{kind}","id":{id},"payload":"#)),
            sent: Arc::new(Mutex::new(Some(Sent {
                query: request.query.clone(),
                operation_name: request.operation_name.clone(),
                variables: request.variables.clone(),
            }))),
            selections: self.selections.clone(),
            render: self.render.clone(),
            answered: Arc::default(),
        }
    }
}

/// Renders by running the subscription's own document, so aliases, fragments, directives and
/// variables mean exactly what they mean to the engine.
struct SchemaRender(RosterSchema);

impl Render for SchemaRender {
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
