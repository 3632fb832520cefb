//! A minimal graphql-transport-ws / graphql-ws client over a real websocket.

use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::Value;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::http::HeaderValue;

/// An open websocket speaking one of the GraphQL subprotocols.
pub struct WsClient {
    socket: tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    /// The subprotocol the server chose.
    pub protocol: Option<String>,
}

impl WsClient {
    /// Connects to `ws://ADDR/graphql` offering `protocol`.
    pub async fn connect(addr: std::net::SocketAddr, protocol: &str) -> WsClient {
        let mut request = format!("ws://{addr}/graphql").into_client_request().expect("a request");
        request
            .headers_mut()
            .insert("sec-websocket-protocol", HeaderValue::from_str(protocol).expect("a header"));
        let (socket, response) =
            tokio_tungstenite::connect_async(request).await.expect("the upgrade succeeds");
        let protocol =
            response.headers().get("sec-websocket-protocol").and_then(|v| v.to_str().ok()).map(str::to_owned);
        WsClient { socket, protocol }
    }

    /// Sends a JSON message.
    pub async fn send(&mut self, message: Value) {
        self.send_text(&message.to_string()).await;
    }

    /// Sends any text, well-formed or not. A failure is ignored: the server may have closed
    /// the socket already, which the next read reports.
    pub async fn send_text(&mut self, text: &str) {
        let _ = self.socket.send(Message::Text(text.to_owned().into())).await;
    }

    /// Sends `connection_init` (with a bearer token when given) and waits for the
    /// acknowledgement; panics without one.
    pub async fn init(&mut self, token: Option<&str>) {
        let payload = match token {
            Some(token) => serde_json::json!({ "authorization": format!("Bearer {token}") }),
            None => serde_json::json!({}),
        };
        self.send(serde_json::json!({ "type": "connection_init", "payload": payload })).await;
        let ack = self.next(std::time::Duration::from_secs(5)).await;
        assert_eq!(ack.ok().map(|m| m["type"].clone()), Some(serde_json::json!("connection_ack")));
    }

    /// The close code the server ends with, skipping any messages before it. `None` when the
    /// connection ended without a close frame; panics when it is still open after `timeout`.
    pub async fn closed_with(&mut self, timeout: std::time::Duration) -> Option<u16> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            match tokio::time::timeout_at(deadline, self.socket.next()).await {
                Err(_) => panic!("the socket is still open after {timeout:?}"),
                Ok(Some(Ok(Message::Close(frame)))) => return frame.map(|f| u16::from(f.code)),
                Ok(Some(Ok(_))) => continue,
                Ok(Some(Err(_)) | None) => return None,
            }
        }
    }

    /// Whether the socket is still open after `wait`, reading (and so answering pings) all
    /// the while.
    pub async fn stays_open(&mut self, wait: std::time::Duration) -> bool {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.socket.next()).await {
                Err(_) => return true,
                Ok(Some(Ok(Message::Close(_))) | Some(Err(_)) | None) => return false,
                Ok(Some(Ok(_))) => continue,
            }
        }
    }

    /// Waits without reading: the client neither answers pings nor notices a close.
    pub async fn ignore_for(&mut self, wait: std::time::Duration) {
        tokio::time::sleep(wait).await;
    }

    /// The next message: JSON text, or `Err(close code)` when the server closed. Panics after
    /// `timeout` without one.
    pub async fn next(&mut self, timeout: std::time::Duration) -> Result<Value, Option<u16>> {
        loop {
            let message = tokio::time::timeout(timeout, self.socket.next())
                .await
                .expect("a websocket message within the timeout");
            match message {
                Some(Ok(Message::Text(text))) => {
                    return Ok(serde_json::from_str(&text).expect("JSON text"));
                }
                Some(Ok(Message::Close(frame))) => return Err(frame.map(|f| u16::from(f.code))),
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return Err(None),
            }
        }
    }
}

/// The subscription the tests use, with the fields they read.
pub const MEMBER_EVENTS: &str = "subscription($scope: MembershipScope!, $after: String) {
    memberListChanged(scope: $scope, after: $after) {
        cursor kind userId memberId occurredAt member { id status role user { id email } availableActions } } }";

impl WsClient {
    /// Opens a graphql-transport-ws connection signed in with `token`, and subscribes to
    /// `scope`'s member list (after `after`, when given).
    pub async fn member_events(
        addr: std::net::SocketAddr,
        token: &str,
        scope: Value,
        after: Option<&str>,
    ) -> WsClient {
        let mut ws = WsClient::connect(addr, "graphql-transport-ws").await;
        ws.send(serde_json::json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } }))
            .await;
        let ack = ws.next(std::time::Duration::from_secs(5)).await;
        assert_eq!(ack.ok().map(|m| m["type"].clone()), Some(serde_json::json!("connection_ack")));
        ws.send(serde_json::json!({
            "type": "subscribe", "id": "1",
            "payload": { "query": MEMBER_EVENTS, "variables": { "scope": scope, "after": after } }
        }))
        .await;
        // graphql-transport-ws has no "subscribed" acknowledgement; give the server a moment to
        // register the subscription before the test changes anything.
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        ws
    }

    /// The next event: `Ok(event)` for a `next` message with data, `Err(message)` for anything
    /// else (errors, `error`, `complete`, a close). Panics without a message in `timeout`.
    pub async fn event(&mut self, timeout: std::time::Duration) -> Result<Value, Value> {
        match self.next(timeout).await {
            Ok(message)
                if message["type"] == "next"
                    && message["payload"]["data"]["memberListChanged"].is_object() =>
            {
                Ok(message["payload"]["data"]["memberListChanged"].clone())
            }
            Ok(message) => Err(message),
            Err(code) => Err(serde_json::json!({ "closed": code })),
        }
    }

    /// Whether no message arrives within `wait`.
    pub async fn is_quiet(&mut self, wait: std::time::Duration) -> bool {
        tokio::time::timeout(wait, self.socket.next()).await.is_err()
    }
}
