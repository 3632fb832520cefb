#![doc = include_str!("../README.md")]

use std::net::SocketAddr;

use roster_db::DatabaseUrl;
use roster_server::{Application, Settings};
use serde_json::{Value, json};
use tokio::sync::oneshot;

pub mod cluster;
pub mod flows;
pub mod pg;
pub mod proxy;
pub mod smtp;
pub mod ws;

/// Which backend a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file in a temporary folder.
    Sqlite,
    /// A fresh database on the server named by `TEST_DATABASE_URL`.
    Postgres,
}

/// A fresh, empty database of the given backend, and what keeps it alive.
pub struct TestDatabase {
    /// Its URL.
    pub url: DatabaseUrl,
    _dir: Option<tempfile::TempDir>,
}

impl TestDatabase {
    /// Creates the database (not migrated).
    pub async fn create(backend: Backend) -> TestDatabase {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("a temporary folder");
                let url = DatabaseUrl::Sqlite(dir.path().join("roster.db"));
                TestDatabase { url, _dir: Some(dir) }
            }
            Backend::Postgres => TestDatabase { url: pg::fresh_database().await, _dir: None },
        }
    }
}

/// The real application on a fresh database, listening on a free loopback port.
pub struct TestApp {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Where `/metrics` is served, when on an address of its own.
    pub metrics_addr: Option<SocketAddr>,
    /// The backend.
    pub backend: Backend,
    /// The application's database handle (for counting queries and direct checks).
    pub db: roster_db::Db,
    /// An HTTP client.
    pub http: reqwest::Client,
    /// The capture SMTP server the app mails through.
    pub smtp: smtp::SmtpCapture,
    /// The live hub behind subscriptions.
    pub hub: roster_live::live::LiveHub,
    /// The database's URL (a replica connects to the same one).
    pub database_url: DatabaseUrl,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    _database: Option<TestDatabase>,
}

/// A signed-up user.
#[derive(Debug, Clone)]
pub struct TestUser {
    /// `usr_…`
    pub id: String,
    /// The email used.
    pub email: String,
    /// A bearer token.
    pub token: String,
}

impl TestApp {
    /// Starts the application on a fresh database of `backend`.
    pub async fn spawn(backend: Backend) -> TestApp {
        Self::spawn_with(backend, |_| {}).await
    }

    /// Like [`TestApp::spawn`], after `configure` adjusts the settings.
    pub async fn spawn_with(backend: Backend, configure: impl FnOnce(&mut Settings)) -> TestApp {
        let database = TestDatabase::create(backend).await;
        let url = database.url.clone();
        Self::start(backend, url, Some(database), configure).await
    }

    /// A second server process on this one's database: another replica.
    pub async fn replica(&self) -> TestApp {
        self.replica_with(|_| {}).await
    }

    /// Like [`TestApp::replica`], after `configure` adjusts the replica's settings.
    pub async fn replica_with(&self, configure: impl FnOnce(&mut Settings)) -> TestApp {
        Self::start(self.backend, self.database_url.clone(), None, configure).await
    }

    async fn start(
        backend: Backend,
        database_url: DatabaseUrl,
        database: Option<TestDatabase>,
        configure: impl FnOnce(&mut Settings),
    ) -> TestApp {
        if std::env::var_os("RUST_LOG").is_some() {
            // Debugging a test: the servers' logs on stderr (run with --nocapture).
            let settings = roster_server::settings::TelemetrySettings {
                log_format: roster_server::settings::LogFormat::Text,
                otlp_endpoint: None,
                otlp_protocol: roster_server::settings::OtlpProtocol::HttpProtobuf,
            };
            let _ = roster_server::telemetry::init(&settings);
        }
        let smtp = smtp::SmtpCapture::start().await;
        let mut settings = Settings::for_tests(database_url.clone());
        settings.smtp_url = Some(smtp.url());
        configure(&mut settings);
        let app = Application::build(settings).await.expect("the application starts");
        let addr = app.local_addr();
        let metrics_addr = app.metrics_addr();
        let db = app.db().clone();
        let hub = app.hub().clone();
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(app.run_until_stopped(async move {
            let _ = stopped.await;
        }));
        TestApp {
            addr,
            metrics_addr,
            backend,
            db,
            http: reqwest::Client::new(),
            smtp,
            hub,
            database_url,
            stop: Some(stop),
            server: Some(server),
            _database: database,
        }
    }

    /// `http://ADDR`
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// POSTs a GraphQL request, optionally with a bearer token, and returns the JSON answer.
    pub async fn graphql_as(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        self.graphql_with(token, &[], query, variables).await
    }

    /// Like [`TestApp::graphql_as`], with extra headers (an `X-Forwarded-For`, say).
    pub async fn graphql_with(
        &self,
        token: Option<&str>,
        headers: &[(&str, &str)],
        query: &str,
        variables: Value,
    ) -> Value {
        let mut request = self
            .http
            .post(self.url("/graphql"))
            .header("content-type", "application/json")
            .header("accept", "application/graphql-response+json, application/json");
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request
            .body(json!({ "query": query, "variables": variables }).to_string())
            .send()
            .await
            .expect("the server answers");
        let status = response.status();
        let text = response.text().await.expect("a body");
        assert!(status.is_success() || status.as_u16() == 400, "status {status}: {text}");
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
    }

    /// An anonymous GraphQL request.
    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        self.graphql_as(None, query, variables).await
    }

    /// Signs up `name@example.com` with a fixed password and returns the user and token.
    pub async fn sign_up(&self, name: &str) -> TestUser {
        let email = format!("{name}@example.com");
        self.sign_up_as(&email, &email).await
    }

    /// Signs up `email` with the display name `display_name` (and the tests' password).
    pub async fn sign_up_as(&self, email: &str, display_name: &str) -> TestUser {
        let answer = self
            .graphql(
                "mutation($email: String!, $name: String!) { signUp(email: $email, password: \"correct horse\", displayName: $name) {
                    __typename ... on SignUpSuccess { token user { id } } ... on Error { message } } }",
                json!({ "email": email, "name": display_name }),
            )
            .await;
        let result = &answer["data"]["signUp"];
        assert_eq!(result["__typename"], "SignUpSuccess", "{answer}");
        TestUser {
            id: result["user"]["id"].as_str().expect("an id").to_owned(),
            email: email.to_owned(),
            token: result["token"].as_str().expect("a token").to_owned(),
        }
    }

    /// Stops the server gracefully and waits for it.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// How many rows `table` holds in the app's database: for asserting that a refused request
/// changed nothing.
pub async fn count_rows(app: &TestApp, table: &str) -> i64 {
    use roster_db::diesel::QueryableByName;
    use roster_db::diesel::sql_types::BigInt;
    use roster_db::diesel_async::RunQueryDsl as _;

    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let query = roster_db::diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"));
    let mut conn = app.db.get().await.expect("a connection");
    let rows: Vec<Count> = match conn.conn() {
        roster_db::Conn::Sqlite(c, _) => query.load(c).await,
        roster_db::Conn::Postgres(c, _) => query.load(c).await,
    }
    .expect("the count");
    <[Count]>::first(&rows).map_or(0, |row| row.n)
}

/// Runs one SQL statement on the app's database, for a test that must set up a state no API
/// reaches (time passing for rate limits, rows a bug once left). Returns the rows changed.
pub async fn execute_sql(app: &TestApp, sql: &str) -> usize {
    use roster_db::diesel_async::RunQueryDsl as _;

    let query = roster_db::diesel::sql_query(sql);
    let mut conn = app.db.get().await.expect("a connection");
    match conn.conn() {
        roster_db::Conn::Sqlite(c, _) => query.execute(c).await,
        roster_db::Conn::Postgres(c, _) => query.execute(c).await,
    }
    .expect("the statement runs")
}

/// Turns test functions into one test per backend:
///
/// ```ignore
/// backend_tests!(viewer_is_null_when_anonymous, with_a_small_limit with small_limit);
///
/// async fn viewer_is_null_when_anonymous(app: TestApp) { … }
/// async fn with_a_small_limit(app: TestApp) { … }
/// fn small_limit(settings: &mut Settings) { settings.ws.max_subscriptions = 2; }
/// ```
/// gives `viewer_is_null_when_anonymous::sqlite` and `viewer_is_null_when_anonymous::postgres`,
/// each calling the function with its own `TestApp` on a fresh database; `with f` adjusts the
/// server's settings first. The bodies are ordinary functions, so rustfmt formats them.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident $(with $configure:ident)?),* $(,)?) => {
        $(
            mod $name {
                #[allow(unused_variables)]
                fn configure(settings: &mut roster_server::Settings) {
                    $( super::$configure(settings); )?
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::TestApp::spawn_with($crate::Backend::Sqlite, configure).await).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::TestApp::spawn_with($crate::Backend::Postgres, configure).await).await;
                }
            }
        )*
    };
}
