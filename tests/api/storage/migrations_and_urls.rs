//! Storage: URL parsing, migrations up and down, bounded waits.

use std::time::{Duration, Instant};

use roster_db::{DatabaseUrl, Db, PoolOptions};
use roster_tests::{Backend, TestDatabase};

async fn migrations_run_up_down_and_up_again(backend: Backend) {
    let database = TestDatabase::create(backend).await;
    let db = Db::connect(&database.url, &PoolOptions::default()).expect("a pool");
    let up = db.migrate().await.expect("migrations apply");
    assert!(!up.is_empty());
    let down = db.revert_all().await.expect("every down.sql works");
    assert_eq!(down.len(), up.len());
    let again = db.migrate().await.expect("migrations apply again");
    assert_eq!(again, up);
    assert!(db.migrate().await.expect("a no-op").is_empty(), "nothing left to apply");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrations_up_down_up_sqlite() {
    migrations_run_up_down_and_up_again(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrations_up_down_up_postgres() {
    migrations_run_up_down_and_up_again(Backend::Postgres).await;
}

#[test]
fn both_backends_have_the_same_migration_versions() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations");
    let versions = |backend: &str| {
        let mut names: Vec<String> = std::fs::read_dir(root.join(backend))
            .expect("the migrations folder")
            .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
            .collect();
        names.sort();
        names
    };
    assert_eq!(versions("sqlite"), versions("postgres"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_database_is_a_clear_error_within_the_timeout() {
    // Nothing listens on port 9 of loopback.
    let url = DatabaseUrl::parse("postgres://roster@127.0.0.1:9/roster").expect("a URL");
    let db =
        Db::connect(&url, &PoolOptions { max_size: 2, timeout: Duration::from_secs(1) }).expect("a pool");
    let started = Instant::now();
    let err = db.get().await.err().expect("no connection");
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
    assert!(err.to_string().contains("database unavailable"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exhausted_pool_is_a_clear_error_within_the_timeout() {
    let database = TestDatabase::create(Backend::Sqlite).await;
    let db = Db::connect(&database.url, &PoolOptions { max_size: 1, timeout: Duration::from_millis(500) })
        .expect("a pool");
    let _held = db.get().await.expect("the only connection");
    let started = Instant::now();
    let err = db.get().await.err().expect("the pool is exhausted");
    assert!(started.elapsed() < Duration::from_secs(3), "took {:?}", started.elapsed());
    assert!(err.to_string().contains("database unavailable"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sqlite_folder_is_created_when_missing() {
    let dir = tempfile::tempdir().expect("a folder");
    let path = dir.path().join("nested/deeper/roster.db");
    let db = Db::connect(&DatabaseUrl::Sqlite(path.clone()), &PoolOptions::default()).expect("a pool");
    db.migrate().await.expect("migrations apply");
    assert!(path.exists());
}

/// `roster migrate --status` as an operator runs it: everything pending on an empty
/// database, everything applied after `roster migrate`, and nothing changed by asking.
async fn migrate_status_lists_applied_and_pending(backend: Backend) {
    use clap::Parser as _;
    let database = TestDatabase::create(backend).await;
    let url = match &database.url {
        DatabaseUrl::Sqlite(path) => format!("sqlite://{}", path.display()),
        DatabaseUrl::Postgres(url) => url.clone(),
    };
    let roster = async |args: &[&str]| {
        let cli =
            roster_server::cli::Cli::try_parse_from([&["roster", "--database-url", &url], args].concat())
                .expect("parses");
        let mut out = Vec::new();
        roster_server::cli::run(cli, &mut out).await.expect("runs");
        String::from_utf8(out).expect("UTF-8")
    };
    let before = roster(&["migrate", "--status"]).await;
    let lines: Vec<&str> = before.lines().collect();
    assert!(lines.len() >= 9 && lines.iter().all(|l| l.starts_with("pending 2026-")), "{before}");
    assert_eq!(roster(&["migrate", "--status"]).await, before, "asking changes nothing");
    roster(&["migrate"]).await;
    let after = roster(&["migrate", "--status"]).await;
    assert_eq!(after, before.replace("pending ", "applied "), "{after}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_status_on_sqlite() {
    migrate_status_lists_applied_and_pending(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_status_on_postgres() {
    migrate_status_lists_applied_and_pending(Backend::Postgres).await;
}
