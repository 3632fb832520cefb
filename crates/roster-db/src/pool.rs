//! The connection pool.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use diesel::SqliteConnection;
use diesel_async::pooled_connection::deadpool::Pool;
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod};
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection as _};
use diesel_async::{RunQueryDsl as _, sync_connection_wrapper::SyncConnectionWrapper};
use futures_util::FutureExt as _;
use roster_core::error::Unavailable;

use crate::conn::{DbConn, SqliteConn};
use crate::error::DbError;
use crate::lease::{Checkout, Lease};
use crate::tls::PgConnector;
use crate::url::{Backend, DatabaseUrl};
use crate::usage::{PoolStatus, Usage};

/// How the pool behaves.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    /// Most connections open at once.
    pub max_size: usize,
    /// How long a request waits for a free connection, or for a new one to open, before it
    /// gets [`DbError::Unavailable`]. Bounded so an exhausted pool or a dead server is a
    /// clear error, never a hang.
    pub timeout: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self { max_size: 10, timeout: Duration::from_secs(5) }
    }
}

enum Pools {
    Sqlite(Pool<SqliteConn>),
    Postgres(Pool<AsyncPgConnection>),
}

/// The database: a pool over one backend. Cheap to clone. A clone made with
/// [`Db::for_request`] shares one connection among all its users (see `lease`).
#[derive(Clone)]
pub struct Db {
    pools: Arc<Pools>,
    url: Arc<DatabaseUrl>,
    queries: Arc<AtomicU64>,
    usage: Arc<Usage>,
    local: tokio::sync::broadcast::Sender<crate::notify::Notification>,
    lease: Option<Arc<Lease>>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").field("url", &self.url).finish_non_exhaustive()
    }
}

// SQLite settings for every pooled connection. WAL lets readers run beside the writer;
// the busy timeout makes a writer wait for the lock instead of failing at once; foreign keys
// are off by default in SQLite and Roster's constraints rely on them.
const SQLITE_SETUP: &str = "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; \
                            PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;";

impl Db {
    /// Builds the pool. Nothing is connected yet: the first checkout opens a connection. For
    /// SQLite the file's folder is created when missing.
    pub fn connect(url: &DatabaseUrl, options: &PoolOptions) -> Result<Db, DbError> {
        let queries = Arc::new(AtomicU64::new(0));
        let pools = match url {
            DatabaseUrl::Sqlite(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| {
                        DbError::Setup(format!("cannot create the folder {}: {e}", dir.display()))
                    })?;
                }
                let counter = queries.clone();
                let mut config = ManagerConfig::<SqliteConn>::default();
                config.recycling_method = RecyclingMethod::Fast;
                config.custom_setup = Box::new(move |url| {
                    let counter = counter.clone();
                    async move {
                        let mut conn = SyncConnectionWrapper::<SqliteConnection>::establish(url).await?;
                        conn.batch_execute(SQLITE_SETUP)
                            .await
                            .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                        conn.set_instrumentation(counting(counter));
                        Ok(conn)
                    }
                    .boxed()
                });
                let path = path.to_string_lossy().into_owned();
                let manager = AsyncDieselConnectionManager::new_with_config(path, config);
                Pools::Sqlite(build(manager, options)?)
            }
            DatabaseUrl::Postgres(pg) => {
                // Built once: a bad sslmode or an unreadable sslrootcert fails here, at startup.
                let connector = PgConnector::new(pg).map_err(DbError::Setup)?;
                let counter = queries.clone();
                // No `SELECT 1` on every checkout: a round trip per request for nothing. A
                // connection that broke is discarded on recycle (`is_broken`), and a query on
                // one that died silently fails as unavailable, once, and the next one is new.
                let mut config = ManagerConfig::<AsyncPgConnection>::default();
                config.recycling_method = RecyclingMethod::Fast;
                config.custom_setup = Box::new(move |_url| {
                    let (counter, connector) = (counter.clone(), connector.clone());
                    async move {
                        let mut conn = connector.connect().await?;
                        conn.set_instrumentation(counting(counter));
                        Ok(conn)
                    }
                    .boxed()
                });
                let manager = AsyncDieselConnectionManager::new_with_config(pg.clone(), config);
                Pools::Postgres(build(manager, options)?)
            }
        };
        let (local, _) = tokio::sync::broadcast::channel(4096);
        Ok(Db {
            pools: Arc::new(pools),
            url: Arc::new(url.clone()),
            queries,
            usage: Arc::default(),
            local,
            lease: None,
        })
    }

    /// Which backend this is.
    pub fn backend(&self) -> Backend {
        self.url.backend()
    }

    /// The URL the pool connects to.
    pub fn url(&self) -> &DatabaseUrl {
        &self.url
    }

    /// A clone for one request: every `get` on it (and its clones) shares one connection,
    /// checked out on first use and returned when the last clone is dropped.
    pub fn for_request(&self) -> Db {
        Db { lease: Some(Arc::default()), ..self.clone() }
    }

    /// A connection: the request's leased one when this is a request's `Db`, otherwise one
    /// checked out for the caller. Waits at most the configured timeout for the pool.
    pub async fn get(&self) -> Result<Checkout, DbError> {
        let Some(lease) = &self.lease else {
            return self.checkout().await.map(Checkout::Own);
        };
        let mut slot = lease.slot.clone().lock_owned().await;
        if slot.is_none() {
            if lease.is_unavailable() {
                let cause = "an earlier checkout of this request found no connection".into();
                return Err(DbError::Unavailable(Unavailable { cause, reported: true }));
            }
            match self.checkout().await {
                Ok(conn) => *slot = Some(conn),
                Err(e) => {
                    lease.mark_unavailable();
                    return Err(e);
                }
            }
        }
        Ok(Checkout::Leased(slot))
    }

    async fn checkout(&self) -> Result<DbConn, DbError> {
        let usage = self.usage.clone();
        match &*self.pools {
            Pools::Sqlite(pool) => pool.get().await.map(|c| DbConn::sqlite(c, usage)),
            Pools::Postgres(pool) => pool.get().await.map(|c| DbConn::postgres(c, usage)),
        }
        .map_err(|e| {
            self.usage.unavailable.fetch_add(1, Ordering::Relaxed);
            DbError::Unavailable(Unavailable { cause: e.to_string(), reported: false })
        })
    }

    /// How many connections are in use: for tests and metrics.
    pub fn usage(&self) -> &Usage {
        &self.usage
    }

    /// The pool as it is now, for metrics.
    pub fn pool_status(&self) -> PoolStatus {
        let status = match &*self.pools {
            Pools::Sqlite(pool) => pool.status(),
            Pools::Postgres(pool) => pool.status(),
        };
        PoolStatus {
            max_size: status.max_size,
            open: status.size,
            in_use: status.size.saturating_sub(status.available),
            waiting: status.waiting,
            timeouts: self.usage.unavailable(),
        }
    }

    /// Whether the database answers a trivial query right now.
    pub async fn ping(&self) -> Result<(), DbError> {
        let mut conn = self.get().await?;
        let mut conn = conn.conn();
        crate::db_run!(&mut conn, |c| {
            diesel::select(diesel::dsl::sql::<diesel::sql_types::Integer>("1")).execute(c).await
        })?;
        Ok(())
    }

    /// Whether the database answers a trivial query on a connection of its own, opened for
    /// this check and closed after it: what readiness probes ask, so that a pool saturated by
    /// requests does not make a healthy database look down.
    pub async fn ping_directly(&self) -> Result<(), DbError> {
        let setup = |e: diesel::ConnectionError| DbError::Setup(e.to_string());
        let one = diesel::select(diesel::dsl::sql::<diesel::sql_types::Integer>("1"));
        match &*self.url {
            DatabaseUrl::Sqlite(path) => {
                let path = path.to_string_lossy();
                let mut conn =
                    SyncConnectionWrapper::<SqliteConnection>::establish(&path).await.map_err(setup)?;
                // A writer may hold the lock for a moment; wait for it as pooled connections do.
                conn.batch_execute("PRAGMA busy_timeout = 5000;").await?;
                one.execute(&mut conn).await?;
            }
            DatabaseUrl::Postgres(url) => {
                let connector = PgConnector::new(url).map_err(DbError::Setup)?;
                let mut conn = connector.connect().await.map_err(setup)?;
                one.execute(&mut conn).await?;
            }
        }
        Ok(())
    }

    /// Announces a committed change to this process's listeners. On SQLite (one process) this
    /// is how listeners learn of it; on PostgreSQL the writer's NOTIFY already reaches every
    /// replica, this one included, so nothing is sent here.
    pub fn announce(&self, channel: &str, payload: &str) {
        if self.backend() == Backend::Sqlite {
            // No receiver means nobody listens yet; that is fine.
            let _ = self.local.send(crate::notify::Notification {
                channel: channel.to_owned(),
                payload: payload.to_owned(),
            });
        }
    }

    /// This process's announcements (SQLite); see [`Db::announce`].
    pub fn local_announcements(&self) -> tokio::sync::broadcast::Receiver<crate::notify::Notification> {
        self.local.subscribe()
    }

    /// How many SQL statements this pool's connections have run so far. Tests read it before
    /// and after a request to prove a page costs a constant number of round trips.
    pub fn queries_run(&self) -> u64 {
        AtomicU64::load(&self.queries, Ordering::Relaxed)
    }
}

fn build<C>(manager: AsyncDieselConnectionManager<C>, options: &PoolOptions) -> Result<Pool<C>, DbError>
where
    C: diesel_async::pooled_connection::PoolableConnection + Send + 'static,
    for<'a> diesel::dsl::select<diesel::dsl::AsExprOf<i32, diesel::sql_types::Integer>>:
        diesel_async::methods::LoadQuery<'a, C, i32>,
    diesel::query_builder::SqlQuery: diesel::query_builder::QueryFragment<C::Backend>,
{
    Pool::builder(manager)
        .max_size(options.max_size)
        .runtime(deadpool::Runtime::Tokio1)
        .wait_timeout(Some(options.timeout))
        .create_timeout(Some(options.timeout))
        .recycle_timeout(Some(options.timeout))
        .build()
        .map_err(|e| DbError::Setup(e.to_string()))
}

fn counting(counter: Arc<AtomicU64>) -> impl diesel::connection::Instrumentation {
    move |event: diesel::connection::InstrumentationEvent<'_>| {
        if let diesel::connection::InstrumentationEvent::StartQuery { .. } = event {
            counter.fetch_add(1, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_request_shares_one_connection_and_reports_an_outage_once() {
        let dir = std::env::temp_dir().join(format!("roster-lease-{}", roster_core::id::unique()));
        let url = DatabaseUrl::Sqlite(dir.join("lease.db"));
        let options = PoolOptions { max_size: 2, timeout: Duration::from_millis(300) };
        let db = Db::connect(&url, &options).expect("a pool");
        let request = db.for_request();
        let fields = (0..10).map(|_| async {
            let mut conn = request.get().await.expect("a connection");
            conn.transaction(|tx| {
                Box::pin(async move {
                    crate::db_run!(tx, |c| {
                        diesel::select(diesel::dsl::sql::<diesel::sql_types::Integer>("1")).execute(c).await
                    })
                })
            })
            .await
        });
        for result in futures_util::future::join_all(fields).await {
            assert!(result.is_ok(), "{result:?}");
        }
        assert_eq!(db.usage().peak(), 1, "ten concurrent users, one connection");
        drop(request);
        assert_eq!(db.usage().current(), 0, "returned when the request ends");

        // With the pool exhausted, the first checkout waits and fails; the rest fail at once.
        let (_a, _b) = (db.get().await.expect("one"), db.get().await.expect("two"));
        let starved = db.for_request();
        let errors: Vec<Option<bool>> = futures_util::future::join_all((0..5).map(|_| async {
            match starved.get().await {
                Err(DbError::Unavailable(unavailable)) => Some(unavailable.reported),
                _ => None,
            }
        }))
        .await;
        assert_eq!(db.usage().unavailable(), 1, "{errors:?}");
        assert_eq!(errors.iter().filter(|e| **e == Some(false)).count(), 1, "{errors:?}");
        assert_eq!(errors.iter().filter(|e| **e == Some(true)).count(), 4, "{errors:?}");
        let _ = std::fs::remove_dir_all(dir);
    }
}
