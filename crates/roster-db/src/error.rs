//! What a failed database call means to a caller: unavailable (retry later) or failed.

use roster_core::error::Unavailable;

/// Why the database could not serve a request.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// No connection in time, a connection lost mid-query, or a lock still taken after its
    /// wait: clients see `SERVICE_UNAVAILABLE` and may retry.
    #[error("database unavailable")]
    Unavailable(#[from] Unavailable),
    /// A query failed.
    #[error("database query failed")]
    Query(#[source] diesel::result::Error),
    /// Migrations could not be applied or reverted.
    #[error("database migration failed: {0}")]
    Migration(String),
    /// The pool could not be built (a bad URL, say).
    #[error("database setup failed: {0}")]
    Setup(String),
}

impl From<diesel::result::Error> for DbError {
    /// Sorts a failed query: a connection that went away, or SQLite's lock outlasting its
    /// busy timeout, is the database being unavailable; anything else is a failed query.
    fn from(err: diesel::result::Error) -> DbError {
        if connection_lost(&err) {
            DbError::Unavailable(Unavailable { cause: err.to_string(), reported: false })
        } else {
            DbError::Query(err)
        }
    }
}

/// Whether a failed query says the connection, not the query, is the problem: it went away,
/// or (SQLite) its lock outlasted the busy timeout.
pub fn connection_lost(err: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    match err {
        Error::DatabaseError(
            DatabaseErrorKind::UnableToSendCommand | DatabaseErrorKind::ClosedConnection,
            _,
        ) => true,
        // PostgreSQL ends a backend with a FATAL error (57P01 and friends), which diesel
        // does not classify; its text is fixed by the server.
        Error::DatabaseError(_, info) => LOST.iter().any(|text| info.message().contains(text)),
        _ => false,
    }
}

/// What PostgreSQL and SQLite say when the connection, not the query, is the problem.
const LOST: &[&str] = &[
    "terminating connection",
    "the database system is shutting down",
    "the database system is starting up",
    "the database system is in recovery mode",
    "server closed the connection",
    "connection closed",
    "database is locked",
];
