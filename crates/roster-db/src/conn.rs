//! Connections to either backend, and write transactions.

use diesel::SqliteConnection;
use diesel_async::pooled_connection::deadpool::Object;
use diesel_async::sync_connection_wrapper::SyncConnectionWrapper;
use diesel_async::{AsyncConnection as _, AsyncPgConnection};
use futures_util::future::BoxFuture;

/// SQLite behind diesel-async: the synchronous driver on tokio's blocking pool.
pub type SqliteConn = SyncConnectionWrapper<SqliteConnection>;

/// A connection checked out of the pool. Dropping it returns it.
#[expect(
    clippy::large_enum_variant,
    reason = "a connection lives for one request; boxing it would only add an allocation"
)]
pub enum DbConn {
    /// A pooled SQLite connection.
    Sqlite(Object<SqliteConn>),
    /// A pooled PostgreSQL connection.
    Postgres(Object<AsyncPgConnection>),
}

/// A borrowed connection to either backend: what query helpers take, inside a transaction or
/// not. Use it through [`db_run!`](crate::db_run).
pub enum Conn<'a> {
    /// SQLite.
    Sqlite(&'a mut SqliteConn),
    /// PostgreSQL.
    Postgres(&'a mut AsyncPgConnection),
}

impl DbConn {
    /// This connection, borrowed for queries outside a transaction (reads, mostly).
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            DbConn::Sqlite(c) => Conn::Sqlite(c),
            DbConn::Postgres(c) => Conn::Postgres(c),
        }
    }

    /// Runs `f` in a write transaction: committed when it returns `Ok`, rolled back otherwise.
    ///
    /// On SQLite the transaction begins IMMEDIATE, taking the write lock up front. A deferred
    /// transaction that reads and then writes can fail with "database is locked" when another
    /// writer got there first, and the busy timeout cannot help it; IMMEDIATE makes writers
    /// queue instead. On PostgreSQL it is an ordinary READ COMMITTED transaction; services
    /// make their writes conditional and check row counts, which is sound at that level.
    ///
    /// `f` returns a boxed future so one closure serves both backends:
    /// `db.transaction(|tx| Box::pin(async move { … }))`.
    pub async fn transaction<R, E, F>(&mut self, f: F) -> Result<R, E>
    where
        F: for<'r> FnOnce(&'r mut Conn<'_>) -> BoxFuture<'r, Result<R, E>> + Send,
        E: From<diesel::result::Error> + Send,
        R: Send,
    {
        match self {
            DbConn::Sqlite(c) => {
                let c: &mut SqliteConn = c;
                c.immediate_transaction(async move |c| f(&mut Conn::Sqlite(c)).await).await
            }
            DbConn::Postgres(c) => {
                let c: &mut AsyncPgConnection = c;
                c.transaction(async move |c| f(&mut Conn::Postgres(c)).await).await
            }
        }
    }

    /// Runs `f` in a read-only transaction that sees one consistent snapshot, so that several
    /// reads (a page of members, its total count and the list's event position) agree.
    /// PostgreSQL: REPEATABLE READ, READ ONLY. SQLite: a deferred transaction, whose first
    /// read fixes the snapshot in WAL mode.
    pub async fn snapshot<R, E, F>(&mut self, f: F) -> Result<R, E>
    where
        F: for<'r> FnOnce(&'r mut Conn<'_>) -> BoxFuture<'r, Result<R, E>> + Send,
        E: From<diesel::result::Error> + Send,
        R: Send,
    {
        match self {
            DbConn::Sqlite(c) => {
                let c: &mut SqliteConn = c;
                c.transaction(async move |c| f(&mut Conn::Sqlite(c)).await).await
            }
            DbConn::Postgres(c) => {
                let c: &mut AsyncPgConnection = c;
                c.build_transaction()
                    .repeatable_read()
                    .read_only()
                    .run(async move |c| f(&mut Conn::Postgres(c)).await)
                    .await
            }
        }
    }
}
