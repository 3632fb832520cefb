//! Embedded migrations, applied at startup and by `roster migrate`.
//!
//! The two folders hold the same version names; each backend gets its own SQL because the
//! dialects differ in small ways (trigger syntax, for one).

use diesel::Connection as _;
use diesel::migration::MigrationVersion;
use diesel_async::AsyncPgConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::DbError;
use crate::pool::Db;
use crate::url::DatabaseUrl;

const SQLITE: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// Serialises migrations across processes sharing one PostgreSQL database.
const MIGRATION_LOCK: &str = "SELECT pg_advisory_lock(727377001)";

/// Which way to run migrations.
#[derive(Debug, Clone, Copy)]
enum Direction {
    Up,
    DownAll,
    Status,
}

impl Db {
    /// Applies every pending migration and returns the versions applied.
    pub async fn migrate(&self) -> Result<Vec<String>, DbError> {
        run(self.url().clone(), Direction::Up).await
    }

    /// Every migration this binary knows, oldest first, with whether the database has it:
    /// `applied NAME` or `pending NAME`, as `roster migrate --status` prints them.
    pub async fn migration_status(&self) -> Result<Vec<String>, DbError> {
        run(self.url().clone(), Direction::Status).await
    }

    /// Reverts every applied migration, newest first. For tests of the `down.sql` files.
    pub async fn revert_all(&self) -> Result<Vec<String>, DbError> {
        run(self.url().clone(), Direction::DownAll).await
    }
}

// Migrations run on a dedicated synchronous connection on the blocking pool. diesel's
// harness is synchronous, and running it there works on any tokio runtime flavor (the async
// harness panics on a current-thread runtime).
async fn run(url: DatabaseUrl, direction: Direction) -> Result<Vec<String>, DbError> {
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || match &url {
        DatabaseUrl::Sqlite(path) => {
            let mut conn = diesel::SqliteConnection::establish(&path.to_string_lossy())
                .map_err(|e| DbError::Setup(e.to_string()))?;
            // A running server may hold the write lock for a moment (`roster admin` runs beside
            // one); wait for it as pooled connections do.
            let setup = "PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;";
            diesel::connection::SimpleConnection::batch_execute(&mut conn, setup)?;
            apply(&mut conn, SQLITE, direction)
        }
        DatabaseUrl::Postgres(pg) => {
            let connector = crate::tls::PgConnector::new(pg).map_err(DbError::Setup)?;
            let conn = runtime
                .block_on(connector.connect())
                .map_err(|e| DbError::Setup(format!("cannot connect to PostgreSQL: {e}")))?;
            let mut conn = AsyncConnectionWrapper::<AsyncPgConnection>::from(conn);
            // Replicas starting together would run the same migrations at once; the
            // session-level advisory lock makes them take turns (it ends with the connection).
            diesel::connection::SimpleConnection::batch_execute(&mut conn, MIGRATION_LOCK)?;
            apply(&mut conn, POSTGRES, direction)
        }
    })
    .await
    .map_err(|e| DbError::Migration(e.to_string()))?
}

fn apply<C>(
    conn: &mut C,
    migrations: EmbeddedMigrations,
    direction: Direction,
) -> Result<Vec<String>, DbError>
where
    C: MigrationHarness<C::Backend> + diesel::Connection,
{
    let failed = |e: Box<dyn std::error::Error + Send + Sync>| DbError::Migration(e.to_string());
    let versions: Vec<MigrationVersion<'_>> = match direction {
        Direction::Up => conn.run_pending_migrations(migrations).map_err(failed)?,
        Direction::DownAll => conn.revert_all_migrations(migrations).map_err(failed)?,
        Direction::Status => {
            let applied: Vec<String> =
                conn.applied_migrations().map_err(failed)?.iter().map(ToString::to_string).collect();
            let known =
                diesel::migration::MigrationSource::<C::Backend>::migrations(&migrations).map_err(failed)?;
            return Ok(known
                .iter()
                .map(|m| {
                    let state =
                        if applied.contains(&m.name().version().to_string()) { "applied" } else { "pending" };
                    format!("{state} {}", m.name())
                })
                .collect());
        }
    };
    Ok(versions.iter().map(ToString::to_string).collect())
}
