//! Subscriptions over websockets on `/graphql`.
//!
//! Both subprotocols are served: `graphql-transport-ws` (the current one) and the legacy
//! `graphql-ws`. The bearer token travels in the `connection_init` payload, as
//! `{"authorization": "Bearer <token>"}` (`Authorization` works too, which is what GraphiQL
//! sends from its headers editor). A token that does not authenticate is refused at init.
//!
//! async-graphql's websocket engine speaks the protocol; this module stands between it and
//! the socket and enforces what the engine does not:
//!
//! - the graphql-transport-ws close codes: 4400 for a malformed message, 4401 for a
//!   subscribe before the acknowledgement, 4403 for refused credentials, 4408 when no
//!   `connection_init` arrives in time, 4409 for a second subscribe with an id in use,
//!   4429 for a second `connection_init`, and 1013 (try again later) when the database
//!   cannot say whether the session is live;
//! - the session: an operation runs only while the connection's session is live. Every
//!   operation re-checks it, and the socket closes with 4403 as soon as the session is
//!   revoked (the hub relays sign-outs from every replica) or expires;
//! - limits: messages of at most `ROSTER_WS_MAX_MESSAGE_BYTES` (else 1009), at most
//!   `ROSTER_WS_MAX_SUBSCRIPTIONS` at once (the next one gets an `error` for its id), and a
//!   ping every `ROSTER_WS_KEEPALIVE_SECS`: a peer silent for two intervals is dropped.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::Data;
use async_graphql::http::{ALL_WEBSOCKET_PROTOCOLS, ClientMessage, WebSocket, WebSocketProtocols, WsMessage};
use axum::extract::FromRequestParts as _;
use axum::extract::ws::{CloseFrame, Message, WebSocket as AxumSocket, WebSocketUpgrade};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::stream::SplitSink;
use futures_util::{SinkExt as _, StreamExt as _};
use roster_core::{Actor, ClientAddr};
use roster_identity::service::LiveSession;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::Instant;

use crate::frame::Frame;
use crate::state::AppState;

/// Close codes. 1001 and 1009 are RFC 6455's; the 44xx ones are graphql-transport-ws's.
mod close {
    pub const GOING_AWAY: u16 = 1001;
    pub const TOO_BIG: u16 = 1009;
    /// RFC 6455's "try again later": the database could not be asked. Clients such as
    /// graphql-ws reconnect after it, where a 44xx code would make them give up.
    pub const TRY_AGAIN_LATER: u16 = 1013;
    pub const BAD_REQUEST: u16 = 4400;
    pub const UNAUTHORIZED: u16 = 4401;
    pub const FORBIDDEN: u16 = 4403;
    pub const INIT_TIMEOUT: u16 = 4408;
    pub const SUBSCRIBER_EXISTS: u16 = 4409;
}

/// The most a connection may have queued for a client that does not read.
const MAX_WRITE_BACKLOG: usize = 1024 * 1024;
/// Messages read ahead of the engine. When it falls behind (a slow `connection_init`), the
/// socket is not read further, so a flood cannot pile up in memory.
const INBOX: usize = 32;
/// Shared renders of live events queued for the socket (see `fanout.rs`). When a client
/// stops reading, its subscriptions wait here, then fall behind the hub and end with
/// SUBSCRIBER_TOO_SLOW.
const FRAMES: usize = 16;
/// Why a `connection_init` was refused.
const INVALID_TOKEN: &str = "The bearer token is invalid, expired or revoked.";
/// Why a live connection was closed.
const SESSION_ENDED: &str = "The session was revoked or has expired; sign in again.";

/// Upgrades a `GET /graphql` with `Upgrade: websocket` into a subscription connection.
pub async fn upgrade(state: AppState, mut parts: Parts, client: ClientAddr) -> Response {
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
    let max = state.ws.max_message_bytes;
    // The connection's operations log under the upgrade request's id (each operation's span
    // carries it; a span per socket would cost every idle subscriber memory).
    let request_id = crate::request_id::RequestId::from_headers(&parts.headers);
    // tungstenite's default buffers are 128 KiB each, which would make every idle subscriber
    // cost a quarter of a megabyte. What a client sends is small (a subscribe, a pong), and the
    // read buffer is kept (and zeroed before each read) for the socket's life: 1 KiB, grown for
    // a longer message while it arrives. Writes go out in flushes, up to 4 KiB at a time.
    // The write backlog is bounded so a client that stops reading is cut off instead of
    // buffering without end, and the read side refuses a message past the limit while it
    // arrives, before it is held in memory whole.
    upgrade
        .read_buffer_size(1024)
        .write_buffer_size(4 * 1024)
        .max_write_buffer_size(MAX_WRITE_BACKLOG)
        .max_message_size(max)
        .max_frame_size(max)
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| serve(state, socket, protocol, client, request_id))
}

/// Who the connection acts for, once `connection_init` has been answered.
enum Principal {
    /// Not initialised yet.
    Pending(oneshot::Receiver<Option<LiveSession>>),
    /// Anonymous: nothing to re-check.
    Anonymous,
    /// Signed in.
    User(LiveSession),
}

impl Principal {
    /// Takes in the outcome of `connection_init`, once it has been answered. Nothing can be
    /// acknowledged before the init callback has sent its session, so after the
    /// acknowledgement an empty channel means anonymous.
    fn settle(&mut self) {
        if let Principal::Pending(rx) = self {
            *self = match rx.try_recv() {
                Ok(Some(session)) => Principal::User(session),
                Ok(None) => Principal::Anonymous,
                Err(oneshot::error::TryRecvError::Empty) => return,
                Err(oneshot::error::TryRecvError::Closed) => Principal::Anonymous,
            };
        }
    }
}

async fn serve(
    state: AppState,
    socket: AxumSocket,
    protocol: WebSocketProtocols,
    client: ClientAddr,
    request_id: Option<crate::request_id::RequestId>,
) {
    let _open = state.open_sockets.clone();
    let settings = state.ws.clone();
    let mut shutdown = state.shutdown.clone();
    let stopping = async move {
        let _ = shutdown.wait_for(|stopping| *stopping).await;
    };
    tokio::pin!(stopping);
    let (mut sink, mut socket) = socket.split();

    // Boxed: a channel allocates its first block of 32 slots up front, and a `ClientMessage`
    // carries a whole `async_graphql::Request`, so unboxed slots cost every idle socket
    // kilobytes.
    let (inbox, engine_input) = mpsc::channel::<Box<serde_json::Result<ClientMessage>>>(INBOX);
    let (session_tx, session_rx) = oneshot::channel();
    let db = state.db.clone();
    let on_init = move |payload: serde_json::Value| async move {
        let session = session_from_init_payload(&db, &payload).await;
        let _ = session_tx.send(session.as_ref().ok().cloned().flatten());
        let mut data = Data::default();
        data.insert(session?.map_or(Actor::Anonymous, |s| s.actor));
        data.insert(client);
        if let Some(request_id) = request_id {
            data.insert(request_id);
        }
        Ok(data)
    };
    // Operations pass the session gate on their way into the engine, not in the loop below:
    // the loop drives the engine, and an engine left undriven while the loop waits for a
    // pooled connection keeps the connections its own operations hold. With many
    // subscriptions starting at once that starved the pool for good.
    let (actor_tx, actor_rx) = watch::channel(None);
    // A watch, not a channel: one slot, where a channel would allocate a block of them.
    let (closing_tx, mut closings) = watch::channel(None);
    let gate = SessionGate { db: state.db.clone(), actor: actor_rx, closing: Arc::new(closing_tx) };
    let input = futures_util::stream::unfold((engine_input, gate.clone()), |(mut rx, gate)| async move {
        let message = *rx.recv().await?;
        // Boxed: this future lives inside the engine for the socket's life, and the check's
        // database read would make it kilobytes.
        if matches!(message, Ok(ClientMessage::Start { .. })) && !Box::pin(gate.admits()).await {
            // The loop closes the socket; nothing more goes in meanwhile.
            std::future::pending::<()>().await;
        }
        Some((message, (rx, gate)))
    });
    let engine =
        WebSocket::from_message_stream(state.schema.clone(), input, protocol).on_connection_init(on_init);
    let mut engine = std::pin::pin!(engine);

    let modern = protocol == WebSocketProtocols::GraphQLWS;
    let mut principal = Principal::Pending(session_rx);
    let mut init_received = false;
    let mut acked = false;
    let mut active: HashMap<String, Running> = HashMap::new();
    // The engine answers a client's `complete` with its own: until it has, a `complete` for
    // that id is not about the operation that may have started under it since.
    let mut stopped: HashMap<String, usize> = HashMap::new();
    let mut started: u64 = 0;
    // Boxed, for the reason the inbox is.
    let (frames_tx, mut frames) = mpsc::channel::<Box<Frame>>(FRAMES);
    let init_deadline = tokio::time::sleep(settings.init_timeout);
    tokio::pin!(init_deadline);
    let mut session_end = Box::pin(tokio::time::sleep(Duration::MAX / 4));
    let mut revoked: Option<tokio::sync::broadcast::Receiver<()>> = None;
    let mut rechecks = state.hub.rechecks();
    let mut keepalive = tokio::time::interval_at(Instant::now() + settings.keepalive, settings.keepalive);
    let mut last_heard = Instant::now();

    let closing: Option<(u16, String)> = loop {
        tokio::select! {
            // Read only while the engine keeps up.
            incoming = socket.next(), if inbox.capacity() > 0 => {
                last_heard = Instant::now();
                let bytes = match incoming {
                    Some(Ok(Message::Text(text))) => text.as_bytes().to_vec(),
                    Some(Ok(Message::Binary(bytes))) => bytes.to_vec(),
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                    Some(Ok(Message::Close(_))) | None => break None,
                    Some(Err(e)) => {
                        break is_too_big(e).then(|| (close::TOO_BIG, "The message is too big.".into()));
                    }
                };
                let mut message = match ClientMessage::from_bytes(&bytes) {
                    Ok(message) => message,
                    Err(_) if modern => break Some((close::BAD_REQUEST, "Invalid message received.".into())),
                    // The legacy protocol has no close codes; its engine answers for itself.
                    Err(e) => {
                        let _ = inbox.try_send(Box::new(Err(e)));
                        continue;
                    }
                };
                match &mut message {
                    ClientMessage::ConnectionInit { .. } => init_received = true,
                    ClientMessage::Start { id, payload } => {
                        if modern && !acked {
                            break Some((close::UNAUTHORIZED, "Unauthorized".into()));
                        }
                        if active.contains_key(id.as_str()) {
                            if modern {
                                break Some((close::SUBSCRIBER_EXISTS, format!("Subscriber for {id} already exists")));
                            }
                            continue;
                        }
                        if active.len() >= settings.max_subscriptions {
                            let refusal = too_many(protocol, id, settings.max_subscriptions);
                            if sink.send(Message::Text(refusal.into())).await.is_err() {
                                break None;
                            }
                            continue;
                        }
                        started += 1;
                        // A live subscription sends its events through here, rendered once
                        // for all subscribers alike; anything else ignores it.
                        let outlet = state.fanout.outlet(payload, protocol, id, started, frames_tx.clone());
                        let running =
                            Running { number: started, answered: outlet.answered.clone(), since: Instant::now() };
                        active.insert(id.clone(), running);
                        payload.data.insert(outlet);
                    }
                    ClientMessage::Stop { id } if active.remove(id.as_str()).is_some() => {
                        *stopped.entry(id.clone()).or_default() += 1;
                    }
                    _ => {}
                }
                let _ = inbox.try_send(Box::new(Ok(message)));
            }
            Some(frame) = frames.recv() => {
                if !send_frames(&mut sink, &active, Some(frame), &mut frames).await {
                    break None;
                }
            }
            outgoing = engine.next() => {
                // Frames queued before this message go first: a stream sends its events there
                // and its end (an error, `complete`) here.
                if !send_frames(&mut sink, &active, None, &mut frames).await {
                    break None;
                }
                let message = match outgoing {
                    Some(WsMessage::Text(text)) => {
                        if text.starts_with(r#"{"type":"connection_ack""#) {
                            acked = true;
                            principal.settle();
                            if let Principal::User(session) = &principal {
                                actor_tx.send_replace(Some(session.actor.clone()));
                                revoked = Some(state.hub.session_revoked(session.actor.session_id().unwrap_or_default()));
                                session_end = Box::pin(tokio::time::sleep(session.valid_for()));
                            }
                        } else if let Some(id) = completed_id(&text) {
                            match stopped.get_mut(&id) {
                                Some(owed) if *owed > 1 => *owed -= 1,
                                Some(_) => {
                                    stopped.remove(&id);
                                }
                                None => {
                                    active.remove(id.as_str());
                                }
                            }
                        }
                        Message::Text(text.into())
                    }
                    // async-graphql closes a refused init with 1002; the graphql-transport-ws
                    // protocol says 4403 Forbidden, which is what clients look for.
                    Some(WsMessage::Close(1002, reason)) if reason == INVALID_TOKEN => {
                        break Some((close::FORBIDDEN, reason));
                    }
                    Some(WsMessage::Close(code, reason)) => break Some((code, reason)),
                    None => break None,
                };
                if sink.send(message).await.is_err() {
                    break None;
                }
            }
            () = &mut init_deadline, if !init_received => {
                break Some((close::INIT_TIMEOUT, "Connection initialisation timeout".into()));
            }
            () = &mut session_end => break Some((close::FORBIDDEN, SESSION_ENDED.into())),
            _ = async { revoked.as_mut()?.recv().await.ok() }, if revoked.is_some() => {
                break Some((close::FORBIDDEN, SESSION_ENDED.into()));
            }
            // The hub may have missed revocations (its listener reconnected): ask the database.
            _ = rechecks.recv() => {
                let gate = gate.clone();
                tokio::spawn(async move { gate.admits().await });
            }
            Ok(()) = closings.changed() => {
                if let Some(closing) = closings.borrow_and_update().clone() {
                    break Some(closing);
                }
            }
            _ = keepalive.tick() => {
                if last_heard.elapsed() > settings.keepalive * 2 {
                    tracing::debug!("websocket: the peer stopped answering pings; dropping it");
                    break None;
                }
                if sink.send(Message::Ping(Default::default())).await.is_err() {
                    break None;
                }
            }
            () = &mut stopping => {
                break Some((close::GOING_AWAY, "server shutting down".into()));
            }
        }
    };
    if let Some((code, reason)) = closing {
        let _ = sink.send(Message::Close(Some(CloseFrame { code, reason: reason.into() }))).await;
    }
    let _ = sink.close().await;
}

/// Checks a signed-in connection's session before each operation, and when the hub may have
/// missed a revocation. Anonymous connections may always go on; signed-in ones while their
/// session is live in the database (the hub's signal may still be on its way from the
/// replica that revoked it, so the database is asked every time).
#[derive(Clone)]
struct SessionGate {
    db: roster_db::Db,
    /// The connection's actor, once `connection_init` was acknowledged with a session.
    actor: watch::Receiver<Option<Actor>>,
    /// Where the reason to close goes, to the loop that owns the socket.
    closing: Arc<watch::Sender<Option<(u16, String)>>>,
}

impl SessionGate {
    /// Whether the connection may go on; when not, the reason to close was sent to the loop:
    /// its session ended, or the database that says whether it did cannot be asked.
    async fn admits(&self) -> bool {
        let Some(actor) = self.actor.borrow().clone() else { return true };
        let closing = match roster_identity::service::session_is_live(&self.db, &actor).await {
            Ok(true) => return true,
            Ok(false) => (close::FORBIDDEN, SESSION_ENDED.into()),
            Err(e) => {
                tracing::warn!(error = %e, "websocket: cannot check the session; closing");
                (close::TRY_AGAIN_LATER, "The database is unavailable; reconnect shortly.".into())
            }
        };
        // The first reason stands.
        self.closing.send_if_modified(|slot| slot.is_none() && slot.replace(closing).is_none());
        false
    }
}

/// An operation the socket runs.
struct Running {
    /// The socket's number for it: its frames carry it.
    number: u64,
    /// Whether its first answer went out (see `LiveOutlet::answered`).
    answered: Arc<std::sync::atomic::AtomicBool>,
    /// When it started.
    since: Instant,
}

/// Sends `first` and every frame queued behind it, of operations still running (a stopped
/// one's, or one whose id was reused since, are dropped), with one flush; false when the socket
/// failed.
async fn send_frames(
    sink: &mut SplitSink<AxumSocket, Message>,
    active: &HashMap<String, Running>,
    first: Option<Box<Frame>>,
    frames: &mut mpsc::Receiver<Box<Frame>>,
) -> bool {
    let mut first = first;
    let mut fed = false;
    while let Some(frame) = first.take().or_else(|| frames.try_recv().ok()) {
        let Some(running) = active.values().find(|running| running.number == frame.subscription) else {
            continue;
        };
        if !running.answered.swap(true, std::sync::atomic::Ordering::Relaxed) {
            crate::operation::count_shared_answer(running.since.into_std());
        }
        if sink.feed(Message::Text(frame.text.into())).await.is_err() {
            return false;
        }
        fed = true;
    }
    !fed || sink.flush().await.is_ok()
}

/// The refusal of a subscription over the limit, as an `error` message for its id.
fn too_many(protocol: WebSocketProtocols, id: &str, max: usize) -> String {
    let error = serde_json::json!({
        "message": format!("This connection already runs {max} subscriptions; complete one first."),
        "extensions": { "code": "TOO_MANY_SUBSCRIPTIONS" },
    });
    // graphql-transport-ws sends a list of errors; the legacy protocol a single one.
    let payload = match protocol {
        WebSocketProtocols::GraphQLWS => serde_json::json!([error]),
        WebSocketProtocols::SubscriptionsTransportWS => error,
    };
    serde_json::json!({ "type": "error", "id": id, "payload": payload }).to_string()
}

/// The id of a `complete` message the engine sends, if `text` is one.
fn completed_id(text: &str) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Complete {
        id: String,
    }
    if !text.starts_with(r#"{"type":"complete""#) {
        return None;
    }
    serde_json::from_str::<Complete>(text).ok().map(|c| c.id)
}

/// Whether a read failed because the message exceeded the size limit.
fn is_too_big(error: axum::Error) -> bool {
    let inner = error.into_inner();
    matches!(inner.downcast_ref::<tungstenite::Error>(), Some(tungstenite::Error::Capacity(_)))
}

/// The session named by a `connection_init` payload. No token means anonymous; a token that
/// does not authenticate refuses the connection, so a client learns at once that its
/// credentials are bad instead of seeing every subscription fail.
async fn session_from_init_payload(
    db: &roster_db::Db,
    payload: &serde_json::Value,
) -> async_graphql::Result<Option<LiveSession>> {
    let value =
        ["authorization", "Authorization"].iter().find_map(|key| payload.get(*key)).and_then(|v| v.as_str());
    let Some(value) = value else {
        return Ok(None);
    };
    let Some(token) = crate::auth::bearer_token(value) else {
        return Err(async_graphql::Error::new(INVALID_TOKEN));
    };
    match roster_identity::service::authenticate_session(db, token).await {
        Ok(Some(session)) => Ok(Some(session)),
        Ok(None) => Err(async_graphql::Error::new(INVALID_TOKEN)),
        Err(e) => Err(roster_core::internal_error(&e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completions_are_recognised_without_parsing_every_event() {
        assert_eq!(completed_id(r#"{"type":"complete","id":"7"}"#).as_deref(), Some("7"));
        assert_eq!(completed_id(r#"{"type":"next","id":"7","payload":{}}"#), None);
    }

    #[test]
    fn refusals_over_the_limit_follow_each_protocol() {
        let modern: serde_json::Value =
            serde_json::from_str(&too_many(WebSocketProtocols::GraphQLWS, "9", 50)).unwrap_or_default();
        assert_eq!(modern["type"], "error");
        assert_eq!(modern["id"], "9");
        assert!(modern["payload"].is_array());
        let legacy: serde_json::Value =
            serde_json::from_str(&too_many(WebSocketProtocols::SubscriptionsTransportWS, "9", 50))
                .unwrap_or_default();
        assert!(legacy["payload"]["message"].is_string());
    }
}
