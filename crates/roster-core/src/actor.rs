//! The acting user.

/// Who is making the request. The server resolves the bearer token into this value once per
/// request (or once per websocket connection) and puts it in the GraphQL context, so module
/// crates receive a user id and never see a header or a token.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Actor {
    /// No token, or a token that is unknown, revoked or expired.
    #[default]
    Anonymous,
    /// A signed-in user.
    User {
        /// The user's id.
        user_id: String,
        /// The id of the session row the token belongs to, so `signOut` can revoke it.
        session_id: String,
    },
}

impl Actor {
    /// The signed-in user's id, if any.
    pub fn user_id(&self) -> Option<&str> {
        match self {
            Actor::Anonymous => None,
            Actor::User { user_id, .. } => Some(user_id),
        }
    }

    /// The signed-in user's session id, if any.
    pub fn session_id(&self) -> Option<&str> {
        match self {
            Actor::Anonymous => None,
            Actor::User { session_id, .. } => Some(session_id),
        }
    }
}
