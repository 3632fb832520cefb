//! Fresh PostgreSQL databases for tests.

use roster_db::DatabaseUrl;
use roster_db::diesel_async::RunQueryDsl as _;

/// The variable that names the test server.
pub const VAR: &str = "TEST_DATABASE_URL";

/// The server URL from `TEST_DATABASE_URL`. Panics with instructions when it is unset, so
/// PostgreSQL tests never pass by not running.
pub fn server_url() -> String {
    std::env::var(VAR).unwrap_or_else(|_| {
        panic!(
            "{VAR} is not set, so the PostgreSQL half of this test cannot run. \
             Run the whole suite with `scripts/test`, which starts a throwaway PostgreSQL, \
             or set {VAR}=postgres://USER@HOST:PORT/postgres for a server where USER may create databases."
        )
    })
}

/// Creates a uniquely named, empty database and returns its URL.
pub async fn fresh_database() -> DatabaseUrl {
    let server = server_url();
    let name = format!("roster_test_{}", roster_core::id::unique());
    let connector = roster_db::tls::PgConnector::new(&server).unwrap_or_else(|e| panic!("{VAR}: {e}"));
    let mut conn = connector.connect().await.unwrap_or_else(|e| panic!("cannot connect to {VAR}: {e}"));
    roster_db::diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("cannot create a test database: {e}"));
    DatabaseUrl::Postgres(database_url(&server, &name))
}

/// `server` with its database name replaced by `name`.
pub fn database_url(server: &str, name: &str) -> String {
    let (without_query, query) = match server.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (server, String::new()),
    };
    let scheme_end = without_query.find("://").map_or(0, |i| i + 3);
    let base = match without_query[scheme_end..].find('/') {
        Some(slash) => &without_query[..scheme_end + slash],
        None => without_query,
    };
    format!("{base}/{name}{query}")
}
