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
use std::ops::ControlFlow;
use std::pin::Pin;
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
use futures_util::{SinkExt as _, Stream, StreamExt as _};
use roster_core::{Actor, ClientAddr};
use roster_identity::service::LiveSession;
use tokio::sync::{broadcast, mpsc, oneshot, watch};
use tokio::time::{Instant, Sleep};

use crate::frame::Frame;
use crate::request_id::RequestId;
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
/// Why a connection that sent no `connection_init` in time was closed.
const INIT_TIMED_OUT: &str = "Connection initialisation timeout";
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
    let request_id = RequestId::from_headers(&parts.headers);
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

/// Drives one connection: each turn of the loop waits for the first of the socket, the
/// shared renders, the engine, the timers, the session's end and shutdown, and takes one step.
async fn serve(
    state: AppState,
    socket: AxumSocket,
    protocol: WebSocketProtocols,
    client: ClientAddr,
    request_id: Option<RequestId>,
) {
    let _open = state.open_sockets.clone();
    let stopping = shutting_down(&state);
    tokio::pin!(stopping);
    let (sink, mut socket) = socket.split();

    // Boxed: a channel allocates its first block of 32 slots up front, and a `ClientMessage`
    // carries a whole `async_graphql::Request`, so unboxed slots cost every idle socket
    // kilobytes.
    let (inbox, engine_input) = mpsc::channel::<Box<serde_json::Result<ClientMessage>>>(INBOX);
    let (session_tx, session_rx) = oneshot::channel();
    let init = InitAnswer { db: state.db.clone(), client, request_id, session: session_tx };
    // Operations pass the session gate on their way into the engine, not in the loop below:
    // the loop drives the engine, and an engine left undriven while the loop waits for a
    // pooled connection keeps the connections its own operations hold. With many
    // subscriptions starting at once that starved the pool for good.
    let (actor_tx, actor_rx) = watch::channel(None);
    // A watch, not a channel: one slot, where a channel would allocate a block of them.
    let (closing_tx, mut closings) = watch::channel(None);
    let gate = SessionGate { db: state.db.clone(), actor: actor_rx, closing: Arc::new(closing_tx) };
    let engine = engine(&state, protocol, gated(engine_input, gate.clone()), init);
    let mut engine = std::pin::pin!(engine);

    // Boxed, for the reason the inbox is.
    let (frames_tx, mut frames) = mpsc::channel::<Box<Frame>>(FRAMES);
    let init_deadline = tokio::time::sleep(state.ws.init_timeout);
    tokio::pin!(init_deadline);
    let mut rechecks = state.hub.rechecks();
    let keepalive = state.ws.keepalive;
    let mut keepalive = tokio::time::interval_at(Instant::now() + keepalive, keepalive);
    let mut conn = Connection::new(state, sink, protocol, session_rx, actor_tx, frames_tx);

    let closing = loop {
        let step = tokio::select! {
            // Read only while the engine keeps up.
            incoming = socket.next(), if inbox.capacity() > 0 => conn.receive(incoming, &inbox).await,
            Some(frame) = frames.recv() => conn.send_frames(Some(frame), &mut frames).await,
            outgoing = engine.next() => conn.relay(outgoing, &mut frames).await,
            () = &mut init_deadline, if !conn.init_received => close(close::INIT_TIMEOUT, INIT_TIMED_OUT),
            () = &mut conn.session_end => close(close::FORBIDDEN, SESSION_ENDED),
            () = revocation(&mut conn.revoked), if conn.revoked.is_some() => close(close::FORBIDDEN, SESSION_ENDED),
            // The hub may have missed revocations (its listener reconnected): ask the database.
            _ = rechecks.recv() => gate.recheck(),
            Ok(()) = closings.changed() => gate_verdict(&mut closings),
            _ = keepalive.tick() => conn.keep_alive().await,
            () = &mut stopping => close(close::GOING_AWAY, "server shutting down"),
        };
        if let ControlFlow::Break(closing) = step {
            break closing;
        }
    };
    conn.hang_up(closing).await;
}

/// A close code and its reason.
type Closing = (u16, String);

/// What the loop does after a step: go on, or end the connection, with a close frame when
/// there is something to tell the client.
type Step = ControlFlow<Option<Closing>>;

/// Ends the connection without a close frame: the socket is gone, failed, or the peer stopped
/// answering.
const END: Step = ControlFlow::Break(None);
/// Waits for the next event: the connection stays open.
const GO_ON: Step = ControlFlow::Continue(());

/// Ends the connection with a close frame.
fn close(code: u16, reason: impl Into<String>) -> Step {
    ControlFlow::Break(Some((code, reason.into())))
}

/// Resolves when the server starts shutting down.
fn shutting_down(state: &AppState) -> impl Future<Output = ()> + use<> {
    let mut shutdown = state.shutdown.clone();
    async move {
        let _ = shutdown.wait_for(|stopping| *stopping).await;
    }
}

/// async-graphql's protocol engine for the connection: it reads what the socket received from
/// `input` and answers `connection_init` with `init`.
fn engine<S>(
    state: &AppState,
    protocol: WebSocketProtocols,
    input: S,
    init: InitAnswer,
) -> impl Stream<Item = WsMessage> + use<S>
where
    S: Stream<Item = serde_json::Result<ClientMessage>>,
{
    WebSocket::from_message_stream(state.schema.clone(), input, protocol)
        .on_connection_init(move |payload| init.answer(payload))
}

/// The engine's input: the inbox, where every operation waits for `gate` to admit it. When the
/// gate refuses, nothing more goes in: the loop closes the socket.
fn gated(
    inbox: mpsc::Receiver<Box<serde_json::Result<ClientMessage>>>,
    gate: SessionGate,
) -> impl Stream<Item = serde_json::Result<ClientMessage>> {
    futures_util::stream::unfold((inbox, gate), |(mut rx, gate)| async move {
        let message = *rx.recv().await?;
        // Boxed: this future lives inside the engine for the socket's life, and the check's
        // database read would make it kilobytes.
        if matches!(message, Ok(ClientMessage::Start { .. })) && !Box::pin(gate.admits()).await {
            std::future::pending::<()>().await;
        }
        Some((message, (rx, gate)))
    })
}

/// What answering `connection_init` needs.
struct InitAnswer {
    db: roster_db::Db,
    client: ClientAddr,
    request_id: Option<RequestId>,
    /// Where the session named at init goes, to the loop (see `Principal`).
    session: oneshot::Sender<Option<LiveSession>>,
}

impl InitAnswer {
    /// The data every operation of the connection runs with: its actor, the client address and
    /// the upgrade's request id. A token that does not authenticate refuses the connection.
    async fn answer(self, payload: serde_json::Value) -> async_graphql::Result<Data> {
        let session = session_from_init_payload(&self.db, &payload).await;
        let _ = self.session.send(session.as_ref().ok().cloned().flatten());
        let mut data = Data::default();
        data.insert(session?.map_or(Actor::Anonymous, |s| s.actor));
        data.insert(self.client);
        if let Some(request_id) = self.request_id {
            data.insert(request_id);
        }
        Ok(data)
    }
}

/// Resolves when the hub says the session was revoked (or can no longer say: its channel
/// lagged or closed); never while there is no session to watch.
async fn revocation(revoked: &mut Option<broadcast::Receiver<()>>) {
    match revoked {
        Some(revoked) => {
            let _ = revoked.recv().await;
        }
        None => std::future::pending().await,
    }
}

/// The session gate's reason to close, once it has one.
fn gate_verdict(closings: &mut watch::Receiver<Option<Closing>>) -> Step {
    match closings.borrow_and_update().clone() {
        Some(closing) => ControlFlow::Break(Some(closing)),
        None => GO_ON,
    }
}

/// A connection between the steps of its loop: the socket's write half and what the protocol
/// remembers.
struct Connection {
    state: AppState,
    sink: SplitSink<AxumSocket, Message>,
    protocol: WebSocketProtocols,
    principal: Principal,
    /// Whether a `connection_init` arrived: the init deadline no longer applies.
    init_received: bool,
    /// Whether the engine acknowledged `connection_init`: operations may start.
    acked: bool,
    operations: Operations,
    /// The socket's queue of shared renders, for each new operation's outlet.
    frames: mpsc::Sender<Box<Frame>>,
    /// Tells the session gate who the connection acts for.
    actor: watch::Sender<Option<Actor>>,
    /// When a signed-in connection's session expires; far away until then.
    session_end: Pin<Box<Sleep>>,
    /// The hub's notice that the session was revoked, once signed in.
    revoked: Option<broadcast::Receiver<()>>,
    /// When the peer last sent anything, pongs included.
    last_heard: Instant,
}

impl Connection {
    /// A connection that has not seen `connection_init` yet.
    fn new(
        state: AppState,
        sink: SplitSink<AxumSocket, Message>,
        protocol: WebSocketProtocols,
        session: oneshot::Receiver<Option<LiveSession>>,
        actor: watch::Sender<Option<Actor>>,
        frames: mpsc::Sender<Box<Frame>>,
    ) -> Connection {
        Connection {
            state,
            sink,
            protocol,
            principal: Principal::Pending(session),
            init_received: false,
            acked: false,
            operations: Operations::default(),
            frames,
            actor,
            session_end: Box::pin(tokio::time::sleep(Duration::MAX / 4)),
            revoked: None,
            last_heard: Instant::now(),
        }
    }

    /// Whether the connection speaks graphql-transport-ws, which has close codes for what
    /// the legacy protocol lets pass.
    fn modern(&self) -> bool {
        self.protocol == WebSocketProtocols::GraphQLWS
    }

    /// Takes what the socket read: a client message goes to the engine (through `inbox`), or
    /// is answered, dropped, or closes the socket.
    async fn receive(&mut self, incoming: Option<Result<Message, axum::Error>>, inbox: &Inbox) -> Step {
        self.last_heard = Instant::now();
        // The message is out of scope while a refusal goes out: the socket's task is as big as
        // its largest wait, and a `ClientMessage` is hundreds of bytes.
        let refusal = {
            let bytes = match read(incoming) {
                Ok(bytes) => bytes,
                Err(step) => return step,
            };
            let mut message = match parse(&bytes, self.modern()) {
                Ok(Ok(message)) => message,
                // The legacy protocol has no close codes; its engine answers for itself.
                Ok(Err(e)) => return forward(inbox, Err(e)),
                Err(closing) => return ControlFlow::Break(Some(closing)),
            };
            match self.take_in(&mut message) {
                Inbound::Forward => return forward(inbox, Ok(message)),
                Inbound::Drop => return GO_ON,
                Inbound::Refuse(refusal) => refusal,
                Inbound::Close(closing) => return ControlFlow::Break(Some(closing)),
            }
        };
        sent(self.sink.send(Message::Text(refusal.into())).await)
    }

    /// Notes what a client message changes (an operation starts or stops), and says what
    /// becomes of it.
    fn take_in(&mut self, message: &mut ClientMessage) -> Inbound {
        match message {
            ClientMessage::ConnectionInit { .. } => self.init_received = true,
            ClientMessage::Start { id, payload } => {
                let admission =
                    self.operations.admit(id, self.protocol, self.acked, self.state.ws.max_subscriptions);
                if admission != Inbound::Forward {
                    return admission;
                }
                let number = self.operations.next_number();
                // A live subscription sends its events through here, rendered once for all
                // subscribers alike; anything else ignores it.
                let outlet =
                    self.state.fanout.outlet(payload, self.protocol, id, number, self.frames.clone());
                let running = Running { number, answered: outlet.answered.clone(), since: Instant::now() };
                self.operations.start(id, running);
                payload.data.insert(outlet);
            }
            ClientMessage::Stop { id } => self.operations.stop(id),
            _ => {}
        }
        Inbound::Forward
    }

    /// Passes on what the engine says, after the frames queued before it: a stream sends its
    /// events there and its end (an error, `complete`) here, so an event never follows its end.
    async fn relay(&mut self, outgoing: Option<WsMessage>, frames: &mut mpsc::Receiver<Box<Frame>>) -> Step {
        if self.send_frames(None, frames).await.is_break() {
            return END;
        }
        let text = match outgoing {
            Some(WsMessage::Text(text)) => text,
            Some(WsMessage::Close(code, reason)) => {
                return ControlFlow::Break(Some(engine_close(code, reason)));
            }
            None => return END,
        };
        match engine_reply(&text) {
            Reply::Acknowledged => self.acknowledged(),
            Reply::Completed(id) => self.operations.completed(&id),
            Reply::Other => {}
        }
        sent(self.sink.send(Message::Text(text.into())).await)
    }

    /// `connection_init` was acknowledged: operations may start, and a signed-in connection
    /// now watches its session's revocation and expiry.
    fn acknowledged(&mut self) {
        self.acked = true;
        self.principal.settle();
        if let Principal::User(session) = &self.principal {
            self.actor.send_replace(Some(session.actor.clone()));
            self.revoked =
                Some(self.state.hub.session_revoked(session.actor.session_id().unwrap_or_default()));
            self.session_end = Box::pin(tokio::time::sleep(session.valid_for()));
        }
    }

    /// Sends `first` and every frame queued behind it, of operations still running (a stopped
    /// one's, or one whose id was reused since, are dropped), with one flush.
    async fn send_frames(
        &mut self,
        first: Option<Box<Frame>>,
        frames: &mut mpsc::Receiver<Box<Frame>>,
    ) -> Step {
        let mut first = first;
        let mut fed = false;
        while let Some(frame) = first.take().or_else(|| frames.try_recv().ok()) {
            let Some(running) = self.operations.running(frame.subscription) else {
                continue;
            };
            if !running.answered.swap(true, std::sync::atomic::Ordering::Relaxed) {
                crate::operation::count_shared_answer(running.since.into_std());
            }
            if self.sink.feed(Message::Text(frame.text.into())).await.is_err() {
                return END;
            }
            fed = true;
        }
        if !fed || self.sink.flush().await.is_ok() { GO_ON } else { END }
    }

    /// Pings the peer, or drops it when it has been silent for too long.
    async fn keep_alive(&mut self) -> Step {
        if peer_is_silent(self.last_heard.elapsed(), self.state.ws.keepalive) {
            tracing::debug!("websocket: the peer stopped answering pings; dropping it");
            return END;
        }
        sent(self.sink.send(Message::Ping(Default::default())).await)
    }

    /// Sends the close frame, if there is one, and closes the socket.
    async fn hang_up(&mut self, closing: Option<Closing>) {
        if let Some((code, reason)) = closing {
            let _ = self.sink.send(Message::Close(Some(CloseFrame { code, reason: reason.into() }))).await;
        }
        let _ = self.sink.close().await;
    }
}

/// Goes on when a message went out; the connection ends when the socket failed.
fn sent(outcome: Result<(), axum::Error>) -> Step {
    if outcome.is_err() { END } else { GO_ON }
}

/// The queue between the socket and the engine.
type Inbox = mpsc::Sender<Box<serde_json::Result<ClientMessage>>>;

/// Hands a message to the engine. The loop reads only while the inbox has room, so it has.
fn forward(inbox: &Inbox, message: serde_json::Result<ClientMessage>) -> Step {
    let _ = inbox.try_send(Box::new(message));
    GO_ON
}

/// The bytes of a message the socket read, or the step when it read none: pings and pongs are
/// for the socket alone, a close or the socket's end ends the connection, and a read fails
/// with 1009 when the message is too big.
fn read(incoming: Option<Result<Message, axum::Error>>) -> Result<Vec<u8>, Step> {
    match incoming {
        Some(Ok(Message::Text(text))) => Ok(text.as_bytes().to_vec()),
        Some(Ok(Message::Binary(bytes))) => Ok(bytes.to_vec()),
        Some(Ok(Message::Ping(_) | Message::Pong(_))) => Err(GO_ON),
        Some(Ok(Message::Close(_))) | None => Err(END),
        Some(Err(e)) => {
            Err(ControlFlow::Break(is_too_big(e).then(|| (close::TOO_BIG, "The message is too big.".into()))))
        }
    }
}

/// A client message, parsed or not; graphql-transport-ws closes with 4400 on one that does not
/// parse, where the legacy protocol hands the error to its engine.
fn parse(bytes: &[u8], modern: bool) -> Result<serde_json::Result<ClientMessage>, Closing> {
    match ClientMessage::from_bytes(bytes) {
        Err(_) if modern => Err((close::BAD_REQUEST, "Invalid message received.".into())),
        parsed => Ok(parsed),
    }
}

/// What becomes of a client message.
#[derive(Debug, PartialEq)]
enum Inbound {
    /// The engine takes it.
    Forward,
    /// Nobody: the legacy protocol ignores a start for an id that runs.
    Drop,
    /// This `error` answers it, for its id: the connection runs as many operations as it may.
    Refuse(String),
    /// The socket closes.
    Close(Closing),
}

/// The operations a socket runs, by the client's id.
#[derive(Default)]
struct Operations {
    active: HashMap<String, Running>,
    /// The engine answers a client's `complete` with its own: until it has, a `complete` for
    /// that id is not about the operation that may have started under it since.
    stopped: HashMap<String, usize>,
    /// How many operations the socket started.
    started: u64,
}

impl Operations {
    /// Whether a start for `id` may run: not before the acknowledgement, nor under an id
    /// that runs (graphql-transport-ws closes for both), nor past `max` at once.
    fn admit(&self, id: &str, protocol: WebSocketProtocols, acked: bool, max: usize) -> Inbound {
        let modern = protocol == WebSocketProtocols::GraphQLWS;
        if modern && !acked {
            return Inbound::Close((close::UNAUTHORIZED, "Unauthorized".into()));
        }
        if self.active.contains_key(id) {
            if modern {
                return Inbound::Close((
                    close::SUBSCRIBER_EXISTS,
                    format!("Subscriber for {id} already exists"),
                ));
            }
            return Inbound::Drop;
        }
        if self.active.len() >= max {
            return Inbound::Refuse(too_many(protocol, id, max));
        }
        Inbound::Forward
    }

    /// The socket's number for the operation starting now.
    fn next_number(&mut self) -> u64 {
        self.started += 1;
        self.started
    }

    /// An operation started as `id`.
    fn start(&mut self, id: &str, running: Running) {
        self.active.insert(id.to_owned(), running);
    }

    /// The client stopped `id`: its frames are dropped from now on, and the engine's
    /// `complete` for it is expected.
    fn stop(&mut self, id: &str) {
        if self.active.remove(id).is_some() {
            *self.stopped.entry(id.to_owned()).or_default() += 1;
        }
    }

    /// The engine sent `complete` for `id`: the answer to a stop, or the operation's end.
    fn completed(&mut self, id: &str) {
        match self.stopped.get_mut(id) {
            Some(owed) if *owed > 1 => *owed -= 1,
            Some(_) => {
                self.stopped.remove(id);
            }
            None => {
                self.active.remove(id);
            }
        }
    }

    /// The running operation numbered `number`, if it still runs.
    fn running(&self, number: u64) -> Option<&Running> {
        self.active.values().find(|running| running.number == number)
    }
}

/// What the engine's text means to the connection.
#[derive(Debug, PartialEq)]
enum Reply {
    /// `connection_ack`.
    Acknowledged,
    /// `complete` for this id.
    Completed(String),
    /// Anything else: only the client cares.
    Other,
}

/// What the engine's `text` means to the connection, read from its start so that events are
/// not parsed.
fn engine_reply(text: &str) -> Reply {
    if text.starts_with(r#"{"type":"connection_ack""#) {
        return Reply::Acknowledged;
    }
    completed_id(text).map_or(Reply::Other, Reply::Completed)
}

/// The close the engine asked for, as the client should see it: async-graphql closes a
/// refused init with 1002, and the graphql-transport-ws protocol says 4403 Forbidden, which
/// is what clients look for.
fn engine_close(code: u16, reason: String) -> Closing {
    if code == 1002 && reason == INVALID_TOKEN { (close::FORBIDDEN, reason) } else { (code, reason) }
}

/// Whether a peer that has sent nothing for `silent_for` is gone: it had two pings to answer.
fn peer_is_silent(silent_for: Duration, keepalive: Duration) -> bool {
    silent_for > keepalive * 2
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
    closing: Arc<watch::Sender<Option<Closing>>>,
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

    /// Checks the session in the background: the loop goes on, and hears of a verdict to
    /// close through `closing`.
    fn recheck(&self) -> Step {
        let gate = self.clone();
        tokio::spawn(async move { gate.admits().await });
        GO_ON
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

/// The credentials a `connection_init` payload carries: `authorization`, or `Authorization` as
/// GraphiQL's headers editor sends it.
fn authorization(payload: &serde_json::Value) -> Option<&str> {
    ["authorization", "Authorization"].iter().find_map(|key| payload.get(*key)).and_then(|v| v.as_str())
}

/// The session named by a `connection_init` payload. No token means anonymous; a token that
/// does not authenticate refuses the connection, so a client learns at once that its
/// credentials are bad instead of seeing every subscription fail.
async fn session_from_init_payload(
    db: &roster_db::Db,
    payload: &serde_json::Value,
) -> async_graphql::Result<Option<LiveSession>> {
    let Some(value) = authorization(payload) else {
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

    const MODERN: WebSocketProtocols = WebSocketProtocols::GraphQLWS;
    const LEGACY: WebSocketProtocols = WebSocketProtocols::SubscriptionsTransportWS;

    fn running(operations: &mut Operations, id: &str) -> u64 {
        let number = operations.next_number();
        operations.start(id, Running { number, answered: Arc::default(), since: Instant::now() });
        number
    }

    #[test]
    fn text_and_binary_messages_are_read_and_pings_are_the_sockets_own() {
        assert_eq!(read(Some(Ok(Message::Text("{}".into())))), Ok(b"{}".to_vec()));
        assert_eq!(read(Some(Ok(Message::Binary(b"{}".to_vec().into())))), Ok(b"{}".to_vec()));
        assert_eq!(read(Some(Ok(Message::Ping(Default::default())))), Err(GO_ON));
        assert_eq!(read(Some(Ok(Message::Pong(Default::default())))), Err(GO_ON));
    }

    #[test]
    fn a_close_or_the_sockets_end_ends_the_connection_without_a_frame() {
        assert_eq!(read(Some(Ok(Message::Close(None)))), Err(END));
        assert_eq!(read(None), Err(END));
        let failed = axum::Error::new(tungstenite::Error::ConnectionClosed);
        assert_eq!(read(Some(Err(failed))), Err(END));
    }

    #[test]
    fn a_message_over_the_size_limit_closes_with_1009() {
        let too_long = tungstenite::error::CapacityError::MessageTooLong { size: 2, max_size: 1 };
        let failed = axum::Error::new(tungstenite::Error::Capacity(too_long));
        assert_eq!(read(Some(Err(failed))), Err(close(close::TOO_BIG, "The message is too big.")));
    }

    #[test]
    fn a_message_that_does_not_parse_closes_with_4400_or_goes_to_the_legacy_engine() {
        let closing = parse(b"{not json", true).err();
        assert_eq!(closing, Some((close::BAD_REQUEST, "Invalid message received.".into())));
        assert!(matches!(parse(b"{not json", false), Ok(Err(_))));
        let init = br#"{"type":"connection_init","payload":{}}"#;
        assert!(matches!(parse(init, true), Ok(Ok(ClientMessage::ConnectionInit { .. }))));
        assert!(matches!(parse(init, false), Ok(Ok(ClientMessage::ConnectionInit { .. }))));
    }

    #[test]
    fn a_subscribe_before_the_acknowledgement_closes_with_4401_in_graphql_transport_ws_only() {
        let operations = Operations::default();
        let unauthorized = Inbound::Close((close::UNAUTHORIZED, "Unauthorized".into()));
        assert_eq!(operations.admit("1", MODERN, false, 10), unauthorized);
        assert_eq!(operations.admit("1", LEGACY, false, 10), Inbound::Forward);
        assert_eq!(operations.admit("1", MODERN, true, 10), Inbound::Forward);
    }

    #[test]
    fn an_id_in_use_closes_with_4409_or_is_ignored_by_the_legacy_protocol() {
        let mut operations = Operations::default();
        running(&mut operations, "1");
        let exists = Inbound::Close((close::SUBSCRIBER_EXISTS, "Subscriber for 1 already exists".into()));
        assert_eq!(operations.admit("1", MODERN, true, 10), exists);
        assert_eq!(operations.admit("1", LEGACY, true, 10), Inbound::Drop);
        assert_eq!(operations.admit("2", MODERN, true, 10), Inbound::Forward);
    }

    #[test]
    fn a_subscribe_past_the_limit_is_refused_until_one_stops() {
        let mut operations = Operations::default();
        running(&mut operations, "1");
        running(&mut operations, "2");
        assert_eq!(operations.admit("3", MODERN, true, 2), Inbound::Refuse(too_many(MODERN, "3", 2)));
        assert_eq!(operations.admit("3", LEGACY, true, 2), Inbound::Refuse(too_many(LEGACY, "3", 2)));
        operations.stop("1");
        assert_eq!(operations.admit("3", MODERN, true, 2), Inbound::Forward);
    }

    #[test]
    fn frames_find_their_operation_by_number_only_while_it_runs() {
        let mut operations = Operations::default();
        let first = running(&mut operations, "1");
        let second = running(&mut operations, "2");
        assert_eq!((first, second), (1, 2));
        assert_eq!(operations.running(second).map(|r| r.number), Some(second));
        operations.stop("2");
        assert!(operations.running(second).is_none());
        assert!(operations.running(first).is_some());
        // An operation that ends by itself: the engine's `complete` is the first word of it.
        operations.completed("1");
        assert!(operations.running(first).is_none());
    }

    #[test]
    fn the_complete_answering_a_stop_leaves_the_operation_started_under_its_id_since() {
        let mut operations = Operations::default();
        let first = running(&mut operations, "1");
        operations.stop("1");
        let second = running(&mut operations, "1");
        let third = {
            operations.stop("1");
            running(&mut operations, "1")
        };
        assert!(operations.running(first).is_none() && operations.running(second).is_none());
        // The engine answers both stops, then ends the third run.
        operations.completed("1");
        operations.completed("1");
        assert!(operations.running(third).is_some());
        operations.completed("1");
        assert!(operations.running(third).is_none());
    }

    #[test]
    fn a_stop_for_an_id_that_does_not_run_owes_no_complete() {
        let mut operations = Operations::default();
        operations.stop("9");
        let number = running(&mut operations, "9");
        operations.completed("9");
        assert!(operations.running(number).is_none());
    }

    #[test]
    fn the_engines_acknowledgement_and_completions_are_told_apart_from_events() {
        assert_eq!(engine_reply(r#"{"type":"connection_ack"}"#), Reply::Acknowledged);
        assert_eq!(engine_reply(r#"{"type":"complete","id":"7"}"#), Reply::Completed("7".into()));
        assert_eq!(engine_reply(r#"{"type":"next","id":"7","payload":{}}"#), Reply::Other);
        assert_eq!(engine_reply(r#"{"type":"error","id":"7","payload":[]}"#), Reply::Other);
    }

    #[test]
    fn a_refused_init_closes_with_4403_and_other_engine_closes_pass_as_they_are() {
        assert_eq!(engine_close(1002, INVALID_TOKEN.into()), (close::FORBIDDEN, INVALID_TOKEN.into()));
        assert_eq!(engine_close(1002, "other".into()), (1002, "other".into()));
        assert_eq!(engine_close(4429, "Too many initialisation requests".into()).0, 4429);
    }

    #[test]
    fn a_peer_is_dropped_after_two_keepalive_intervals_of_silence() {
        let keepalive = Duration::from_secs(10);
        assert!(!peer_is_silent(Duration::from_secs(15), keepalive));
        assert!(!peer_is_silent(Duration::from_secs(20), keepalive));
        assert!(peer_is_silent(Duration::from_secs(21), keepalive));
    }

    #[test]
    fn the_session_gates_reason_to_close_closes_the_socket() {
        let (gate, mut closings) = watch::channel(None);
        assert_eq!(gate_verdict(&mut closings), GO_ON);
        gate.send_replace(Some((close::TRY_AGAIN_LATER, "later".into())));
        assert_eq!(gate_verdict(&mut closings), close(close::TRY_AGAIN_LATER, "later"));
    }

    #[test]
    fn a_revocation_notice_ends_the_wait_and_no_session_never_does() {
        use futures_util::FutureExt as _;
        assert!(revocation(&mut None).now_or_never().is_none());
        let (hub, notices) = broadcast::channel(1);
        let mut revoked = Some(notices);
        assert!(revocation(&mut revoked).now_or_never().is_none());
        let _ = hub.send(());
        assert!(revocation(&mut revoked).now_or_never().is_some());
        drop(hub);
        assert!(revocation(&mut revoked).now_or_never().is_some());
    }

    #[test]
    fn the_principal_is_settled_by_the_answer_to_connection_init() {
        let (tx, rx) = oneshot::channel();
        let mut principal = Principal::Pending(rx);
        principal.settle();
        assert!(matches!(principal, Principal::Pending(_)));
        let _ = tx.send(Some(LiveSession { actor: Actor::Anonymous, expires_at: roster_db::now() }));
        principal.settle();
        assert!(matches!(principal, Principal::User(_)));

        let (tx, rx) = oneshot::channel();
        let mut principal = Principal::Pending(rx);
        let _ = tx.send(None);
        principal.settle();
        assert!(matches!(principal, Principal::Anonymous));

        let (tx, rx) = oneshot::channel::<Option<LiveSession>>();
        let mut principal = Principal::Pending(rx);
        drop(tx);
        principal.settle();
        assert!(matches!(principal, Principal::Anonymous));
    }

    #[test]
    fn credentials_come_from_either_spelling_of_authorization() {
        let lower = serde_json::json!({ "authorization": "Bearer a" });
        let upper = serde_json::json!({ "Authorization": "Bearer b" });
        assert_eq!(authorization(&lower), Some("Bearer a"));
        assert_eq!(authorization(&upper), Some("Bearer b"));
        assert_eq!(authorization(&serde_json::json!({})), None);
        assert_eq!(authorization(&serde_json::json!({ "authorization": 7 })), None);
    }
}
