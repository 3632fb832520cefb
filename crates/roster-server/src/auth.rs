//! Bearer credentials: the `Authorization` header over HTTP, the `connection_init` payload over
//! websockets, both resolved into an `Actor` the same way.

use axum::http::{HeaderMap, header};
use roster_core::Actor;
use roster_db::{Db, DbError};

/// The actor behind an `Authorization: Bearer <token>` value. A missing, malformed, unknown,
/// revoked or expired token is anonymous; only a database failure is an error.
pub async fn actor_from_authorization(db: &Db, value: Option<&str>) -> Result<Actor, DbError> {
    let Some(token) = value.and_then(bearer_token) else {
        return Ok(Actor::Anonymous);
    };
    roster_identity::authenticate(db, token).await
}

/// The token in a `Bearer <token>` credential; the scheme is case-insensitive.
pub(crate) fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// The `Authorization` header as text, if present and readable.
pub fn authorization(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok())
}

/// What the server adds to every request's data, over HTTP and websockets alike: the actor,
/// the client's address, the request's database handle and what authority reads it already
/// knows. Modules may read these without the schema offering them.
pub fn per_request() -> Vec<roster_core::port::Port> {
    use roster_core::port::Port;
    vec![
        Port::of::<Actor>(),
        Port::of::<roster_core::ClientAddr>(),
        Port::of::<Db>(),
        Port::of::<roster_organizations::authority::Known>(),
    ]
}
