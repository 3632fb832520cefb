//! A minimal graphql-transport-ws / graphql-ws client over a real websocket.

use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::Value;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::http::HeaderValue;

/// An open websocket speaking one of the GraphQL subprotocols.
pub struct WsClient {
    socket: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
    /// The subprotocol the server chose.
    pub protocol: Option<String>,
}

impl WsClient {
    /// Connects to `ws://ADDR/graphql` offering `protocol`.
    pub async fn connect(addr: std::net::SocketAddr, protocol: &str) -> WsClient {
        let mut request = format!("ws://{addr}/graphql")
            .into_client_request()
            .expect("a request");
        request.headers_mut().insert(
            "sec-websocket-protocol",
            HeaderValue::from_str(protocol).expect("a header"),
        );
        let (socket, response) = tokio_tungstenite::connect_async(request)
            .await
            .expect("the upgrade succeeds");
        let protocol = response
            .headers()
            .get("sec-websocket-protocol")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        WsClient { socket, protocol }
    }

    /// Sends a JSON message.
    pub async fn send(&mut self, message: Value) {
        self.socket
            .send(Message::Text(message.to_string().into()))
            .await
            .expect("the message is sent");
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
