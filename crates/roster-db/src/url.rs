//! `DATABASE_URL` parsing.

use std::path::PathBuf;

/// Which database engine a URL selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// A parsed `DATABASE_URL`.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// `sqlite://PATH`: the file at PATH (relative to the working directory unless absolute).
    Sqlite(PathBuf),
    /// `postgres://…` or `postgresql://…`, passed to the driver as given.
    Postgres(String),
}

// The URL may hold a password, so Debug shows only the backend and, for SQLite, the path.
impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DatabaseUrl::Sqlite(path) => write!(f, "sqlite://{}", path.display()),
            DatabaseUrl::Postgres(_) => f.write_str("postgres://…"),
        }
    }
}

/// A `DATABASE_URL` that names no backend Roster supports.
#[derive(Debug, thiserror::Error)]
#[error(
    "DATABASE_URL must be sqlite://PATH (for example sqlite://data/roster.db) or \
     postgres://USER:PASSWORD@HOST:PORT/DATABASE; {0}"
)]
pub struct UrlError(String);

impl DatabaseUrl {
    /// The default: a SQLite file under `data/` in the working directory.
    pub const DEFAULT: &str = "sqlite://data/roster.db";

    /// Parses a URL. Any scheme but the two accepted ones is an error naming both.
    pub fn parse(url: &str) -> Result<Self, UrlError> {
        let url = url.trim();
        if let Some(path) = url.strip_prefix("sqlite://") {
            if path.is_empty() {
                return Err(UrlError("the sqlite:// URL has no path".into()));
            }
            return Ok(DatabaseUrl::Sqlite(PathBuf::from(path)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres(url.to_owned()));
        }
        // Only the scheme is echoed back: the rest may hold a password.
        let scheme = url.split_once("://").map_or("(none)", |(scheme, _)| scheme);
        Err(UrlError(format!("got the scheme `{scheme}`")))
    }

    /// The backend this URL selects.
    pub fn backend(&self) -> Backend {
        match self {
            DatabaseUrl::Sqlite(_) => Backend::Sqlite,
            DatabaseUrl::Postgres(_) => Backend::Postgres,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_sqlite_and_postgres_and_names_both_otherwise() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://data/roster.db").ok(),
            Some(DatabaseUrl::Sqlite("data/roster.db".into()))
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:///tmp/x.db").ok(),
            Some(DatabaseUrl::Sqlite("/tmp/x.db".into()))
        );
        assert!(matches!(DatabaseUrl::parse("postgresql://u@h/db"), Ok(DatabaseUrl::Postgres(_))));
        let err = DatabaseUrl::parse("mysql://root:secret@h/db").err().map(|e| e.to_string());
        let err = err.unwrap_or_default();
        assert!(err.contains("sqlite://") && err.contains("postgres://"), "{err}");
        assert!(err.contains("`mysql`") && !err.contains("secret"), "{err}");
    }
}
