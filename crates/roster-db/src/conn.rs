//! Connections to either backend, and write transactions.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use diesel::SqliteConnection;
use diesel_async::pooled_connection::deadpool::Object;
use diesel_async::sync_connection_wrapper::SyncConnectionWrapper;
use diesel_async::{AsyncConnection as _, AsyncPgConnection};
use futures_util::future::BoxFuture;
use tracing::Instrument as _;

use crate::usage::Usage;

/// SQLite behind diesel-async: the synchronous driver on tokio's blocking pool.
pub type SqliteConn = SyncConnectionWrapper<SqliteConnection>;

#[expect(
    clippy::large_enum_variant,
    reason = "a connection lives for one request; boxing it would only add an allocation"
)]
enum Pooled {
    Sqlite(Object<SqliteConn>),
    Postgres(Object<AsyncPgConnection>),
}

impl Pooled {
    /// The backend, as OpenTelemetry's `db.system` names it.
    fn system(&self) -> &'static str {
        match self {
            Pooled::Sqlite(_) => "sqlite",
            Pooled::Postgres(_) => "postgresql",
        }
    }
}

/// A connection checked out of the pool. Dropping it returns it, unless an operation on it
/// was abandoned half-way (see [`InFlight`]).
pub struct DbConn {
    pooled: Option<Pooled>,
    in_flight: InFlight,
    usage: Arc<Usage>,
}

/// Counts the operations running on a connection.
///
/// A future that is dropped mid-query (a request timed out, a client went away) leaves the
/// connection in an unknown state: on SQLite the abandoned query still runs on a blocking
/// thread and holds the connection's lock, and the next user would block an async worker
/// waiting for it (or panic in diesel-async's transaction check); on PostgreSQL a
/// transaction may still be open. Every operation enters before and leaves after its
/// awaits, so a count above zero at drop means one was abandoned, and the connection is
/// detached from the pool instead of going back.
#[derive(Debug, Default)]
pub struct InFlight(AtomicUsize);

/// An operation under way; [`Entered::leave`] when it finished. Dropping it without
/// leaving is how an abandoned operation is recorded.
#[must_use]
pub struct Entered<'a>(&'a InFlight);

impl InFlight {
    /// Records the start of an operation.
    pub fn enter(&self) -> Entered<'_> {
        self.0.fetch_add(1, Ordering::Relaxed);
        Entered(self)
    }
}

impl Entered<'_> {
    /// Records that the operation finished, whatever its outcome.
    pub fn leave(self) {
        self.0.0.fetch_sub(1, Ordering::Relaxed);
    }

    /// Records that a query finished with `result`. When it failed because the connection
    /// is gone, the operation stays counted, so the connection is detached when dropped
    /// rather than pooled again: the pool does not ping connections on checkout, so this
    /// is how a dead one leaves it.
    pub fn finish<T>(self, result: &Result<T, diesel::result::Error>) {
        match result {
            Err(e) if crate::error::connection_lost(e) => {}
            _ => self.leave(),
        }
    }
}

/// A borrowed connection to either backend: what query helpers take, inside a transaction or
/// not. Use it through [`db_run!`](crate::db_run).
pub enum Conn<'a> {
    /// SQLite.
    Sqlite(&'a mut SqliteConn, &'a InFlight),
    /// PostgreSQL.
    Postgres(&'a mut AsyncPgConnection, &'a InFlight),
}

impl DbConn {
    pub(crate) fn sqlite(object: Object<SqliteConn>, usage: Arc<Usage>) -> DbConn {
        usage.checked_out();
        DbConn { pooled: Some(Pooled::Sqlite(object)), in_flight: InFlight::default(), usage }
    }

    pub(crate) fn postgres(object: Object<AsyncPgConnection>, usage: Arc<Usage>) -> DbConn {
        usage.checked_out();
        DbConn { pooled: Some(Pooled::Postgres(object)), in_flight: InFlight::default(), usage }
    }

    fn parts(&mut self) -> (&mut Pooled, &InFlight) {
        // `pooled` is only ever taken in `drop`.
        let pooled = self.pooled.as_mut().unwrap_or_else(|| unreachable!("a dropped connection"));
        (pooled, &self.in_flight)
    }

    /// This connection, borrowed for queries outside a transaction (reads, mostly).
    pub fn conn(&mut self) -> Conn<'_> {
        match self.parts() {
            (Pooled::Sqlite(c), flight) => Conn::Sqlite(c, flight),
            (Pooled::Postgres(c), flight) => Conn::Postgres(c, flight),
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
        let (pooled, flight) = self.parts();
        let entered = flight.enter();
        // A span per transaction: in a trace, the time a change spent in the database.
        let span = tracing::info_span!("db.transaction", db.system = pooled.system());
        let result = match pooled {
            Pooled::Sqlite(c) => {
                let c: &mut SqliteConn = c;
                c.immediate_transaction(async move |c| f(&mut Conn::Sqlite(c, flight)).await)
                    .instrument(span)
                    .await
            }
            Pooled::Postgres(c) => {
                let c: &mut AsyncPgConnection = c;
                c.transaction(async move |c| f(&mut Conn::Postgres(c, flight)).await).instrument(span).await
            }
        };
        entered.leave();
        result
    }
}

impl Drop for DbConn {
    fn drop(&mut self) {
        self.usage.returned();
        if self.in_flight.0.load(Ordering::Relaxed) == 0 {
            return;
        }
        // Detached, the connection is dropped instead of pooled; an abandoned SQLite query
        // keeps its own handle and closes it when it ends. The pool opens a fresh one.
        tracing::debug!("database: an operation was abandoned; the connection is not reused");
        match self.pooled.take() {
            Some(Pooled::Sqlite(object)) => drop(Object::take(object)),
            Some(Pooled::Postgres(object)) => drop(Object::take(object)),
            None => {}
        }
    }
}
