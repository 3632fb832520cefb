//! GraphQL over HTTP, following the GraphQL-over-HTTP specification.
//!
//! async-graphql-axum's stock handler executes mutations sent with GET, accepts a POST with
//! no content type, and answers parse and validation failures with 200 under every media
//! type. This handler does what the specification asks instead:
//!
//! - the answer is `application/graphql-response+json` when the client accepts it first,
//!   `application/json` otherwise (including for `*/*` and no `Accept`);
//! - a malformed body or malformed parameters get 400; a POST without a JSON content type
//!   gets 415;
//! - a document that does not parse or validate gets 400 under the new media type (without a
//!   `data` entry) and 200 under `application/json`;
//! - a mutation sent with GET gets 405.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationType};
use async_graphql::{ServerError, Variables};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, FromRequestParts as _, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use roster_core::{ClientAddr, ErrorCode};
use roster_organizations::authority::Known;

use crate::request_id::RequestId;
use serde_json::{Value, json};

use crate::auth::{actor_from_authorization, authorization};
use crate::request_errors::PreExecutionFailure;
use crate::state::AppState;

/// The media type of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Media {
    GraphqlResponse,
    Json,
}

impl Media {
    fn content_type(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            Media::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            Media::Json => "application/json; charset=utf-8",
        })
    }
}

/// Picks the answer's media type from `Accept`, in the client's order. `None` means the
/// client accepts neither JSON type (406).
fn negotiate(headers: &HeaderMap) -> Option<Media> {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Some(Media::Json);
    };
    if accept.trim().is_empty() {
        return Some(Media::Json);
    }
    for item in accept.split(',') {
        let mut parts = item.split(';');
        let range = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let refused = parts.any(
            |p| matches!(p.trim().split_once('='), Some(("q", q)) if q.trim().parse::<f32>() == Ok(0.0)),
        );
        if refused {
            continue;
        }
        match range.as_str() {
            "application/graphql-response+json" => return Some(Media::GraphqlResponse),
            "application/json" | "application/*" | "*/*" => return Some(Media::Json),
            _ => {}
        }
    }
    None
}

/// A JSON answer with the right content type.
fn answer(media: Media, status: StatusCode, body: &Value) -> Response {
    bytes_answer(media, status, body.to_string().into_bytes())
}

fn bytes_answer(media: Media, status: StatusCode, body: Vec<u8>) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, media.content_type());
    response
}

/// An answer for a request that never reached execution: errors only, no `data`.
fn request_error(media: Media, status: StatusCode, message: &str) -> Response {
    answer(media, status, &json!({ "errors": [{ "message": message }] }))
}

fn not_acceptable() -> Response {
    request_error(
        Media::Json,
        StatusCode::NOT_ACCEPTABLE,
        "Accept application/graphql-response+json or application/json.",
    )
}

/// An answer for a request refused before GraphQL saw it, with a code for programs:
/// `{"errors":[{"message":…,"extensions":{"code":…}}]}` as `application/json`.
pub fn refusal(status: StatusCode, code: ErrorCode, message: &str) -> Response {
    let body = json!({ "errors": [{ "message": message, "extensions": { "code": code.as_str() } }] });
    answer(Media::Json, status, &body)
}

/// `POST /graphql`.
pub async fn post(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let Some(media) = negotiate(&headers) else {
        return not_acceptable();
    };
    if let Err(message) = check_content_type(&headers) {
        return request_error(media, StatusCode::UNSUPPORTED_MEDIA_TYPE, message);
    }
    let body = match body {
        Ok(body) => body,
        // The limit holds for chunked bodies too: reading stops at the limit.
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            let message = format!("The request body is larger than {} bytes.", state.http.max_body_bytes);
            return refusal(StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::PayloadTooLarge, &message);
        }
        Err(_) => {
            return request_error(media, StatusCode::BAD_REQUEST, "The request body could not be read.");
        }
    };
    let client = ClientAddr(state.http.trusted_proxies.client_address(peer.ip(), &headers));
    let Ok(body) = serde_json::from_slice::<Value>(&body) else {
        return request_error(media, StatusCode::BAD_REQUEST, "The request body is not valid JSON.");
    };
    let Value::Object(params) = body else {
        return request_error(media, StatusCode::BAD_REQUEST, "The request body must be a JSON object.");
    };
    match GraphqlParams::from_json(params) {
        Ok(params) => execute(&state, &headers, client, media, params, false).await,
        Err(message) => request_error(media, StatusCode::BAD_REQUEST, &message),
    }
}

/// `GET /graphql`: a websocket upgrade for subscriptions, or a query in the URL.
pub async fn get(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
) -> Response {
    let (mut parts, _) = request.into_parts();
    let client = ClientAddr(state.http.trusted_proxies.client_address(peer.ip(), &parts.headers));
    if parts.headers.get(header::UPGRADE).is_some() {
        return crate::ws::upgrade(state, parts, client).await;
    }
    let Some(media) = negotiate(&parts.headers) else {
        return not_acceptable();
    };
    let params = match Query::<HashMap<String, String>>::from_request_parts(&mut parts, &state).await {
        Ok(Query(params)) => params,
        Err(_) => {
            return request_error(media, StatusCode::BAD_REQUEST, "The query string is malformed.");
        }
    };
    match GraphqlParams::from_query_string(params) {
        Ok(params) => execute(&state, &parts.headers, client, media, params, true).await,
        Err(message) => request_error(media, StatusCode::BAD_REQUEST, &message),
    }
}

/// A POST body must be JSON in UTF-8.
fn check_content_type(headers: &HeaderMap) -> Result<(), &'static str> {
    let Some(value) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return Err("Send the request with Content-Type: application/json.");
    };
    let mut parts = value.split(';');
    let essence = parts.next().unwrap_or_default().trim();
    if !essence.eq_ignore_ascii_case("application/json") {
        return Err("Send the request with Content-Type: application/json.");
    }
    for param in parts {
        if let Some((name, charset)) = param.trim().split_once('=')
            && name.trim().eq_ignore_ascii_case("charset")
            && !charset.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
        {
            return Err("The request body must be encoded in UTF-8.");
        }
    }
    Ok(())
}

/// The well-formed parameters of a GraphQL request.
struct GraphqlParams {
    query: String,
    operation_name: Option<String>,
    variables: Variables,
    extensions: HashMap<String, async_graphql::Value>,
}

impl GraphqlParams {
    fn from_json(mut params: serde_json::Map<String, Value>) -> Result<Self, String> {
        let query = match params.remove("query") {
            Some(Value::String(query)) => query,
            Some(_) => return Err("`query` must be a string.".into()),
            None => return Err("The request has no `query`.".into()),
        };
        let operation_name = match params.remove("operationName") {
            None | Some(Value::Null) => None,
            Some(Value::String(name)) => Some(name),
            Some(_) => return Err("`operationName` must be a string or null.".into()),
        };
        let variables = match params.remove("variables") {
            None | Some(Value::Null) => Variables::default(),
            Some(value @ Value::Object(_)) => Variables::from_json(value),
            Some(_) => return Err("`variables` must be an object or null.".into()),
        };
        let extensions = match params.remove("extensions") {
            None | Some(Value::Null) => HashMap::new(),
            Some(Value::Object(map)) => map
                .into_iter()
                .map(|(k, v)| Ok((k, async_graphql::Value::from_json(v).map_err(|e| e.to_string())?)))
                .collect::<Result<_, String>>()?,
            Some(_) => return Err("`extensions` must be an object or null.".into()),
        };
        Ok(GraphqlParams { query, operation_name, variables, extensions })
    }

    /// GET parameters: `variables` and `extensions` are JSON in the query string.
    fn from_query_string(mut params: HashMap<String, String>) -> Result<Self, String> {
        let mut json = serde_json::Map::new();
        if let Some(query) = params.remove("query") {
            json.insert("query".into(), Value::String(query));
        }
        if let Some(name) = params.remove("operationName").filter(|n| !n.is_empty()) {
            json.insert("operationName".into(), Value::String(name));
        }
        for key in ["variables", "extensions"] {
            if let Some(text) = params.remove(key).filter(|t| !t.is_empty()) {
                let value = serde_json::from_str(&text).map_err(|_| format!("`{key}` is not valid JSON."))?;
                json.insert(key.into(), value);
            }
        }
        Self::from_json(json)
    }

    /// The type of the operation `document` would run for this request.
    fn operation_type(&self, document: &ExecutableDocument) -> Option<OperationType> {
        match (&document.operations, &self.operation_name) {
            (DocumentOperations::Single(op), _) => Some(op.node.ty),
            (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name.as_str()).map(|op| op.node.ty),
            (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => {
                ops.values().next().map(|op| op.node.ty)
            }
            (DocumentOperations::Multiple(_), None) => None,
        }
    }
}

async fn execute(
    state: &AppState,
    headers: &HeaderMap,
    client: ClientAddr,
    media: Media,
    params: GraphqlParams,
    is_get: bool,
) -> Response {
    // Parsed once, here: the schema executes this parse (its extensions still see it). A
    // document that does not parse is left to the schema, which reports it as usual.
    let document = async_graphql::parser::parse_query(&params.query).ok();
    let operation = document.as_ref().and_then(|d| params.operation_type(d));
    if is_get && operation == Some(OperationType::Mutation) {
        let mut response =
            request_error(media, StatusCode::METHOD_NOT_ALLOWED, "Mutations must be sent with POST.");
        response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    // One connection serves the whole request, the session lookup included.
    let db = state.db.for_request();
    let request_id = RequestId::from_headers(headers);
    let actor = match actor_from_authorization(&db, authorization(headers)).await {
        Ok(actor) => actor,
        Err(e) => {
            let mut error = roster_core::internal_error(&e).into_server_error(Default::default());
            crate::request_id::stamp(&mut error, request_id.as_ref());
            return answer(media, StatusCode::SERVICE_UNAVAILABLE, &json!({ "errors": [error] }));
        }
    };
    let failed_early = Arc::new(PreExecutionFailure::default());
    let mut request = async_graphql::Request::new(params.query)
        .variables(params.variables)
        .data(actor)
        .data(client)
        .data(db)
        .data(failed_early.clone());
    if let Some(request_id) = request_id.clone() {
        request = request.data(request_id);
    }
    request.operation_name = params.operation_name;
    request.extensions = async_graphql::Extensions(params.extensions);
    if let Some(document) = document {
        request.set_parsed_query(document);
    }
    if operation == Some(OperationType::Query) {
        // A query changes nothing, so the viewer's authority read by one field holds for
        // the others (see `Known`).
        request = request.data(Known::default());
    }
    let response = state.schema.execute(request).await;

    let early = failed_early.failed();
    // Serialised straight from the response, so fields keep the order of the selection, as
    // the GraphQL specification asks (a `serde_json::Value` on the way would sort them).
    let body = if early {
        // The request never executed, so there is no `data` entry at all.
        serde_json::to_vec(&ErrorsOnly { errors: &response.errors })
    } else {
        serde_json::to_vec(&response)
    };
    let status =
        if early && media == Media::GraphqlResponse { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    match body {
        Ok(body) => bytes_answer(media, status, body),
        Err(e) => {
            let mut error = roster_core::internal_error(&e).into_server_error(Default::default());
            crate::request_id::stamp(&mut error, request_id.as_ref());
            answer(media, StatusCode::INTERNAL_SERVER_ERROR, &json!({ "errors": [error] }))
        }
    }
}

/// An answer without `data`, for requests that never executed.
#[derive(serde::Serialize)]
struct ErrorsOnly<'a> {
    errors: &'a [ServerError],
}
