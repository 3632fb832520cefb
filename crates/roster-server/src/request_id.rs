//! Request ids: every HTTP request has one, in `x-request-id`. A caller's own id (from a
//! load balancer or a client) is kept when it is short and plain; otherwise, or without
//! one, the server makes one. It is echoed in the response, carried by every log line and
//! span of the request, and added to server errors' `extensions.requestId`, so a user's
//! report can be matched to the log.

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use tower_http::request_id::MakeRequestId;

/// The header.
pub const HEADER: &str = "x-request-id";

/// The longest caller id kept.
const MAX_LEN: usize = 128;

/// A request's id, as GraphQL resolvers and extensions find it in the request data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(String);

impl RequestId {
    /// The id in `headers` (set by the layers below for every request).
    pub fn from_headers(headers: &HeaderMap) -> Option<RequestId> {
        headers.get(HEADER).and_then(|v| v.to_str().ok()).map(|id| RequestId(id.to_owned()))
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The error codes that mean "the server failed", where the request id lets a user's report
/// be matched to the log.
const SERVER_FAULTS: &[&str] = &["INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE"];

/// Adds `extensions.requestId` to `error` when its code says the server failed.
pub fn stamp(error: &mut async_graphql::ServerError, request_id: Option<&RequestId>) {
    let Some(request_id) = request_id else { return };
    let fault = error.extensions.as_ref().and_then(|e| e.get("code")).is_some_and(
        |code| matches!(code, async_graphql::Value::String(c) if SERVER_FAULTS.contains(&c.as_str())),
    );
    if fault {
        error.extensions.get_or_insert_with(Default::default).set("requestId", request_id.as_str());
    }
}

/// Whether a caller's id is kept: 1 to 128 characters of letters, digits and `-_.:`, so it
/// cannot forge log lines or smuggle markup into a log viewer.
fn acceptable(value: &HeaderValue) -> bool {
    let bytes = value.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= MAX_LEN
        && bytes.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// Drops a caller's id that is not [`acceptable`], so that one is made instead.
pub async fn sanitise(mut request: Request, next: Next) -> Response {
    let headers = request.headers_mut();
    let keep = {
        let mut values = headers.get_all(HEADER).iter();
        matches!((values.next(), values.next()), (Some(value), None) if acceptable(value))
    };
    if !keep {
        headers.remove(HEADER);
    }
    next.run(request).await
}

/// Makes ids: ULIDs, sortable by time.
#[derive(Debug, Clone, Copy, Default)]
pub struct MakeUlid;

impl MakeRequestId for MakeUlid {
    fn make_request_id<B>(
        &mut self,
        _: &axum::http::Request<B>,
    ) -> Option<tower_http::request_id::RequestId> {
        let id = roster_core::id::unique();
        HeaderValue::from_str(&id).ok().map(tower_http::request_id::RequestId::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_short_ids_are_kept_and_others_are_not() {
        for kept in ["abc", "01HZX-req.7:2_a", &"a".repeat(128)] {
            assert!(acceptable(&HeaderValue::from_str(kept).expect("a header value")), "{kept}");
        }
        for dropped in ["", "has space", "new\tline", "<script>", "a\"b", &"a".repeat(129)] {
            assert!(!acceptable(&HeaderValue::from_str(dropped).expect("a header value")), "{dropped:?}");
        }
    }
}
