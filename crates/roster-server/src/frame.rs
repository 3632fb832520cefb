//! The websocket frame of a shared render: a `next` (or legacy `data`) message around a payload
//! rendered once for a whole class of subscribers (`fanout.rs`), with this subscription's id.

use async_graphql::http::WebSocketProtocols;

/// One framed message for the socket: the text of a `next` (or legacy `data`) message.
#[derive(Debug)]
pub struct Frame {
    /// The socket's number for the subscription it belongs to: a frame of a subscription
    /// that was stopped (or whose id was reused since) is dropped.
    pub subscription: u64,
    /// The message.
    pub text: String,
}

/// How one subscription frames its payloads.
pub struct Framing {
    /// The socket's number for this subscription.
    subscription: u64,
    /// The message up to its payload, e.g. `{"type":"next","id":"1","payload":`.
    prefix: String,
}

impl Framing {
    /// The framing of the operation a socket speaking `protocol` started as `id`, its
    /// `subscription`-th.
    pub fn new(protocol: WebSocketProtocols, id: &str, subscription: u64) -> Framing {
        // The engine's own framing: graphql-transport-ws says `next`, the legacy protocol `data`.
        let kind = match protocol {
            WebSocketProtocols::GraphQLWS => "next",
            WebSocketProtocols::SubscriptionsTransportWS => "data",
        };
        let id = serde_json::to_string(id).unwrap_or_else(|_| "\"\"".into());
        Framing { subscription, prefix: format!(r#"{{"type":"{kind}","id":{id},"payload":"#) }
    }

    /// The message carrying `payload`.
    pub fn frame(&self, payload: &str) -> Box<Frame> {
        let mut text = String::with_capacity(self.prefix.len() + payload.len() + 1);
        text.push_str(&self.prefix);
        text.push_str(payload);
        text.push('}');
        Box::new(Frame { subscription: self.subscription, text })
    }
}
