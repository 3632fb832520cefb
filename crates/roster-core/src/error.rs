//! Errors as clients see them.
//!
//! Business outcomes (a taken email, a missing invitation) are members of a mutation's result
//! union; the objects several modules share live here. Everything else becomes a top-level
//! GraphQL error with a generic message and one of the [`ErrorCode`]s in `extensions.code`.

use async_graphql::{ErrorExtensions as _, SimpleObject};

/// The `extensions.code` of a top-level GraphQL error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// The caller may not read this data.
    Forbidden,
    /// The caller must sign in first.
    Unauthenticated,
    /// An argument is malformed (a bad cursor, a negative page size).
    BadUserInput,
    /// A subscription cursor is older than the event retention: refetch the list.
    CursorExpired,
    /// A subscriber fell too far behind; it should resubscribe from its last cursor.
    SubscriberTooSlow,
    /// The database did not answer in time.
    ServiceUnavailable,
    /// The list's team was deleted: a subscription to it ends.
    ScopeDeleted,
    /// The document does not parse.
    GraphqlParseFailed,
    /// The document does not validate against the schema.
    GraphqlValidationFailed,
    /// The document nests selections deeper than `ROSTER_MAX_DEPTH` (or than the parser's
    /// recursion limit).
    QueryTooDeep,
    /// The document costs more than `ROSTER_MAX_COMPLEXITY`.
    QueryTooComplex,
    /// The document uses more aliases than `ROSTER_MAX_ALIASES`.
    TooManyAliases,
    /// Introspection is turned off (`ROSTER_INTROSPECTION=false`).
    IntrospectionDisabled,
    /// The request body is larger than `ROSTER_MAX_BODY_BYTES`.
    PayloadTooLarge,
    /// The request took longer than `ROSTER_REQUEST_TIMEOUT_SECS`.
    RequestTimeout,
    /// Anything unexpected. The cause is logged, never sent.
    InternalServerError,
}

impl ErrorCode {
    /// The string sent in `extensions.code`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::BadUserInput => "BAD_USER_INPUT",
            ErrorCode::CursorExpired => "CURSOR_EXPIRED",
            ErrorCode::SubscriberTooSlow => "SUBSCRIBER_TOO_SLOW",
            ErrorCode::ServiceUnavailable => "SERVICE_UNAVAILABLE",
            ErrorCode::ScopeDeleted => "SCOPE_DELETED",
            ErrorCode::GraphqlParseFailed => "GRAPHQL_PARSE_FAILED",
            ErrorCode::GraphqlValidationFailed => "GRAPHQL_VALIDATION_FAILED",
            ErrorCode::QueryTooDeep => "QUERY_TOO_DEEP",
            ErrorCode::QueryTooComplex => "QUERY_TOO_COMPLEX",
            ErrorCode::TooManyAliases => "TOO_MANY_ALIASES",
            ErrorCode::IntrospectionDisabled => "INTROSPECTION_DISABLED",
            ErrorCode::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            ErrorCode::RequestTimeout => "REQUEST_TIMEOUT",
            ErrorCode::InternalServerError => "INTERNAL_SERVER_ERROR",
        }
    }
}

/// A top-level GraphQL error with a message for people and a code for programs.
pub fn top_level_error(code: ErrorCode, message: impl Into<String>) -> async_graphql::Error {
    async_graphql::Error::new(message).extend_with(|_, ext| ext.set("code", code.as_str()))
}

/// Logs an unexpected failure once, with its cause chain, and returns the error a client may
/// see: a generic message that leaks nothing of SQL or internals.
///
/// A failure caused by an [`Unavailable`] database gets `SERVICE_UNAVAILABLE`, so a client can
/// tell "retry later" from "bug".
pub fn internal_error(err: &(dyn std::error::Error + 'static)) -> async_graphql::Error {
    let chain = cause_chain(err);
    match unavailability(err) {
        Some(unavailable) => {
            // One request may fail in many fields; the storage layer marks all but the first.
            if !unavailable.reported {
                tracing::warn!(error = %chain, "request failed: database unavailable");
            }
            top_level_error(ErrorCode::ServiceUnavailable, "The database is unavailable; try again shortly.")
        }
        None => {
            tracing::error!(error = %chain, "request failed");
            top_level_error(ErrorCode::InternalServerError, "Internal server error.")
        }
    }
}

/// The [`Unavailable`] in `err`'s cause chain, if any.
pub fn unavailability<'a>(err: &'a (dyn std::error::Error + 'static)) -> Option<&'a Unavailable> {
    let mut current = Some(err);
    while let Some(error) = current {
        if let Some(unavailable) = error.downcast_ref::<Unavailable>() {
            return Some(unavailable);
        }
        current = error.source();
    }
    None
}

/// The one way resolvers turn an unexpected failure into a GraphQL error: logged once, sent
/// generic ([`internal_error`]).
pub trait OrInternal<T> {
    /// `Ok` as it is; an error becomes `INTERNAL_SERVER_ERROR` or `SERVICE_UNAVAILABLE`.
    fn or_internal(self) -> async_graphql::Result<T>;
}

impl<T, E: std::error::Error + 'static> OrInternal<T> for Result<T, E> {
    fn or_internal(self) -> async_graphql::Result<T> {
        self.map_err(|e| internal_error(&e))
    }
}

/// The database could not serve: no connection in time, a connection lost mid-query, or a
/// lock still taken after its wait. Clients are told to retry. The storage layer puts this in
/// the cause chain of its errors; [`internal_error`] looks for it by type.
#[derive(Debug, thiserror::Error)]
#[error("database unavailable: {cause}")]
pub struct Unavailable {
    /// What happened, for the log.
    pub cause: String,
    /// Whether this request's outage was logged already (later fields of one request).
    pub reported: bool,
}

/// An error and its causes, `: `-separated: what logs should show, since many errors'
/// own text leaves the cause out.
pub fn cause_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut chain = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        chain.push_str(": ");
        chain.push_str(&cause.to_string());
        source = cause.source();
    }
    chain
}

macro_rules! message_error {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, SimpleObject)]
        pub struct $name {
            /// What went wrong, for people.
            pub message: String,
        }

        impl $name {
            /// The error with this message.
            pub fn new(message: impl Into<String>) -> Self {
                Self { message: message.into() }
            }
        }
    };
}

message_error!(
    /// The operation needs a signed-in user.
    NotAuthenticatedError
);
message_error!(
    /// The signed-in user lacks the authority for this operation.
    NotAuthorizedError
);
message_error!(
    /// The scope, the user or the pending invitation does not exist (or is not visible to the viewer).
    NotFoundError
);

impl Default for NotAuthenticatedError {
    fn default() -> Self {
        Self::new("You must be signed in to do this.")
    }
}

/// An argument is invalid. `field` names it.
#[derive(Debug, Clone, SimpleObject)]
pub struct ValidationError {
    /// What is wrong with the argument, for people.
    pub message: String,
    /// The argument's name, as in the schema; null when the problem spans several.
    pub field: Option<String>,
}

impl ValidationError {
    /// A validation error for `field`.
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self { message: message.into(), field: Some(field.to_owned()) }
    }
}

/// Too many attempts; try again after `retryAfterSeconds`.
#[derive(Debug, Clone, SimpleObject)]
pub struct RateLimitedError {
    /// What was limited, for people.
    pub message: String,
    /// Seconds until the next attempt may succeed.
    pub retry_after_seconds: i32,
}
