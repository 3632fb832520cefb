//! Subscriptions over websockets on `/graphql`.
//!
//! Both subprotocols are served: `graphql-transport-ws` (the current one) and the legacy
//! `graphql-ws`. The bearer token travels in the `connection_init` payload, as
//! `{"authorization": "Bearer <token>"}` (`Authorization` works too, which is what GraphiQL
//! sends from its headers editor). A token that does not authenticate is refused at init.

use async_graphql::Data;
use async_graphql::http::{ALL_WEBSOCKET_PROTOCOLS, WebSocket, WebSocketProtocols, WsMessage};
use axum::extract::FromRequestParts as _;
use axum::extract::ws::{CloseFrame, Message, WebSocket as AxumSocket, WebSocketUpgrade};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt as _, StreamExt as _};
use roster_core::Actor;

use crate::app::{AppState, actor_from_authorization};

/// Close code for "server going away" (RFC 6455).
const GOING_AWAY: u16 = 1001;
/// graphql-transport-ws's close code for a refused `connection_init`.
const FORBIDDEN: u16 = 4403;
/// The most a connection may have queued for a client that does not read.
const MAX_WRITE_BACKLOG: usize = 1024 * 1024;
/// Why a `connection_init` was refused.
const INVALID_TOKEN: &str = "The bearer token is invalid, expired or revoked.";

/// Upgrades a `GET /graphql` with `Upgrade: websocket` into a subscription connection.
pub async fn upgrade(state: AppState, mut parts: Parts) -> Response {
    let protocol = parts
        .headers
        .get(header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())
        .and_then(|offered| offered.split(',').find_map(|p| p.trim().parse::<WebSocketProtocols>().ok()));
    let Some(protocol) = protocol else {
        return (StatusCode::BAD_REQUEST, "Use the graphql-transport-ws or graphql-ws subprotocol.")
            .into_response();
    };
    let upgrade = match WebSocketUpgrade::from_request_parts(&mut parts, &state).await {
        Ok(upgrade) => upgrade,
        Err(rejection) => return rejection.into_response(),
    };
    // tungstenite's default buffers are 128 KiB each, which would make every idle subscriber
    // cost a quarter of a megabyte. GraphQL messages are small; 4 KiB buffers grow on demand.
    // The write backlog is bounded so a client that stops reading is cut off instead of
    // buffering without end.
    upgrade
        .read_buffer_size(4 * 1024)
        .write_buffer_size(4 * 1024)
        .max_write_buffer_size(MAX_WRITE_BACKLOG)
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| serve(state, socket, protocol))
}

async fn serve(state: AppState, socket: AxumSocket, protocol: WebSocketProtocols) {
    let _open = state.open_sockets.clone();
    let mut shutdown = state.shutdown.clone();
    let stopping = async move {
        let _ = shutdown.wait_for(|stopping| *stopping).await;
    };
    tokio::pin!(stopping);
    let (mut sink, stream) = socket.split();
    let input =
        stream.take_while(|message| futures_util::future::ready(message.is_ok())).filter_map(|message| {
            futures_util::future::ready(match message {
                Ok(Message::Text(text)) => Some(text.as_bytes().to_vec()),
                Ok(Message::Binary(bytes)) => Some(bytes.to_vec()),
                _ => None,
            })
        });
    let db = state.db.clone();
    let on_init = move |payload: serde_json::Value| {
        let db = db.clone();
        async move {
            let actor = actor_from_init_payload(&db, &payload).await?;
            let mut data = Data::default();
            data.insert(actor);
            Ok(data)
        }
    };
    let mut outgoing = WebSocket::new(state.schema.clone(), input, protocol).on_connection_init(on_init);

    loop {
        tokio::select! {
            message = outgoing.next() => {
                let Some(message) = message else { break };
                let message = match message {
                    WsMessage::Text(text) => Message::Text(text.into()),
                    // async-graphql closes a refused init with 1002; the graphql-transport-ws
                    // protocol says 4403 Forbidden, which is what clients look for.
                    WsMessage::Close(1002, reason) if reason == INVALID_TOKEN => {
                        Message::Close(Some(CloseFrame { code: FORBIDDEN, reason: reason.into() }))
                    }
                    WsMessage::Close(code, reason) => Message::Close(Some(CloseFrame { code, reason: reason.into() })),
                };
                if sink.send(message).await.is_err() {
                    return;
                }
            }
            () = &mut stopping => {
                let frame = CloseFrame { code: GOING_AWAY, reason: "server shutting down".into() };
                let _ = sink.send(Message::Close(Some(frame))).await;
                break;
            }
        }
    }
    let _ = sink.close().await;
}

/// The actor named by a `connection_init` payload. No token means anonymous; a token that
/// does not authenticate refuses the connection, so a client learns at once that its
/// credentials are bad instead of seeing every subscription fail.
async fn actor_from_init_payload(
    db: &roster_db::Db,
    payload: &serde_json::Value,
) -> async_graphql::Result<Actor> {
    let value =
        ["authorization", "Authorization"].iter().find_map(|key| payload.get(*key)).and_then(|v| v.as_str());
    let Some(value) = value else {
        return Ok(Actor::Anonymous);
    };
    match actor_from_authorization(db, Some(value)).await {
        Ok(Actor::Anonymous) => Err(async_graphql::Error::new(INVALID_TOKEN)),
        Ok(actor) => Ok(actor),
        Err(e) => Err(roster_core::internal_error(&e)),
    }
}
