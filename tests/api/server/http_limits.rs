//! What one HTTP request may cost: body size, time, aliases, depth, complexity, introspection,
//! the size of an error answer; and CORS and idle connections.

use std::time::{Duration, Instant};

use roster_tests::flows::org;
use roster_tests::{Backend, TestApp};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

async fn post_raw(app: &TestApp, body: String) -> (u16, Value) {
    let response = app
        .http
        .post(app.url("/graphql"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("an answer");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn code(answer: &Value) -> &Value {
    &answer["errors"][0]["extensions"]["code"]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_over_the_limit_get_413_with_a_json_error_also_when_chunked() {
    let app = TestApp::spawn_with(Backend::Sqlite, |s| s.http.max_body_bytes = 4096).await;
    let padding = " ".repeat(5000);
    let (status, answer) = post_raw(&app, format!(r#"{{"query":"{{ __typename }}"{padding}}}"#)).await;
    assert_eq!(status, 413);
    assert_eq!(code(&answer), "PAYLOAD_TOO_LARGE", "{answer}");
    // Chunked, with no Content-Length: the limit holds while reading.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = (0..10).map(|_| Ok(vec![b' '; 1000])).collect();
    let response = app
        .http
        .post(app.url("/graphql"))
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(chunks)))
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status(), 413);
    let answer: Value = response.json().await.unwrap_or(Value::Null);
    assert_eq!(code(&answer), "PAYLOAD_TOO_LARGE", "{answer}");
    // Under the limit is served.
    let (status, answer) = post_raw(&app, r#"{"query":"{ __typename }"}"#.into()).await;
    assert_eq!((status, &answer["data"]["__typename"]), (200, &json!("Query")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_that_takes_too_long_gets_408() {
    let app = TestApp::spawn_with(Backend::Sqlite, |s| s.http.request_timeout = Duration::from_secs(1)).await;
    let ana = app.sign_up("ana").await;
    // Hold SQLite's write lock from outside, so the next write waits for its busy timeout.
    let roster_db::DatabaseUrl::Sqlite(path) = &app.database_url else { panic!("sqlite") };
    let path = path.clone();
    let (locked, release) =
        (std::sync::Arc::new(std::sync::Barrier::new(2)), std::sync::Arc::new(std::sync::Barrier::new(2)));
    let (l, r) = (locked.clone(), release.clone());
    let holder = std::thread::spawn(move || {
        use roster_db::diesel::Connection as _;
        use roster_db::diesel::connection::SimpleConnection as _;
        let mut conn = roster_db::diesel::SqliteConnection::establish(&path.to_string_lossy()).expect("open");
        conn.batch_execute("BEGIN EXCLUSIVE").expect("lock");
        l.wait();
        r.wait();
        conn.batch_execute("ROLLBACK").expect("unlock");
    });
    tokio::task::spawn_blocking(move || locked.wait()).await.expect("locked");
    let started = Instant::now();
    let response = app
        .http
        .post(app.url("/graphql"))
        .bearer_auth(&ana.token)
        .header("content-type", "application/json")
        .body(r#"{"query":"mutation { createOrganization(name: \"Slow\") { __typename } }"}"#)
        .send()
        .await
        .expect("an answer");
    assert_eq!(response.status(), 408);
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "answered at the timeout, not the busy timeout: {:?}",
        started.elapsed()
    );
    let answer: Value = response.json().await.unwrap_or(Value::Null);
    assert_eq!(code(&answer), "REQUEST_TIMEOUT", "{answer}");
    tokio::task::spawn_blocking(move || release.wait()).await.expect("released");
    holder.join().expect("the lock holder ends");
    assert_eq!(roster_tests::count_rows(&app, "organizations").await, 0, "nothing was half-done");
}

/// Reads until the server closes the connection; panics if it is still open after `wait`.
async fn closed_within(stream: &mut tokio::net::TcpStream, wait: Duration) -> Vec<u8> {
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let mut buffer = [0u8; 4096];
        match tokio::time::timeout_at(deadline, stream.read(&mut buffer)).await {
            Err(_) => panic!("the connection is still open after {wait:?}"),
            Ok(Ok(0) | Err(_)) => return seen,
            Ok(Ok(n)) => seen.extend_from_slice(&buffer[..n]),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_sent_and_idle_connections_are_closed() {
    let app = TestApp::spawn_with(Backend::Sqlite, |s| s.http.header_timeout = Duration::from_secs(1)).await;
    // A request head that never ends.
    let mut half = tokio::net::TcpStream::connect(app.addr).await.expect("a connection");
    half.write_all(b"POST /graphql HTTP/1.1\r\nHost: roster\r\n").await.expect("sent");
    closed_within(&mut half, Duration::from_secs(4)).await;
    // A kept-alive connection, idle after one request.
    let mut idle = tokio::net::TcpStream::connect(app.addr).await.expect("a connection");
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: roster\r\n\r\n").await.expect("sent");
    let answer = closed_within(&mut idle, Duration::from_secs(4)).await;
    assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200"), "served first");
    // A connection that keeps sending requests is not cut off.
    let client = reqwest::Client::new();
    for _ in 0..3 {
        let ok = client.get(app.url("/healthz")).send().await.expect("an answer");
        assert_eq!(ok.status(), 200);
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_an_allowlist_there_are_no_cors_headers() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let preflight = app
        .http
        .request(reqwest::Method::OPTIONS, app.url("/graphql"))
        .header("origin", "https://app.example.com")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .expect("an answer");
    assert!(preflight.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allowed_origins_may_call_with_a_bearer_token_and_others_may_not() {
    let app = TestApp::spawn_with(Backend::Sqlite, |s| {
        s.http.cors_origins = vec!["https://app.example.com".parse().expect("an origin")];
    })
    .await;
    let preflight = |origin: &'static str| {
        app.http
            .request(reqwest::Method::OPTIONS, app.url("/graphql"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "authorization, content-type")
            .send()
    };
    let allowed = preflight("https://app.example.com").await.expect("an answer");
    assert!(allowed.status().is_success(), "{}", allowed.status());
    let headers = allowed.headers();
    assert_eq!(headers["access-control-allow-origin"], "https://app.example.com");
    let allowed_headers = headers["access-control-allow-headers"].to_str().unwrap_or_default().to_lowercase();
    assert!(
        allowed_headers.contains("authorization") && allowed_headers.contains("content-type"),
        "{allowed_headers}"
    );
    let refused = preflight("https://evil.example.com").await.expect("an answer");
    assert!(refused.headers().get("access-control-allow-origin").is_none());
    let call = app
        .http
        .post(app.url("/graphql"))
        .header("origin", "https://app.example.com")
        .header("content-type", "application/json")
        .body(r#"{"query":"{ __typename }"}"#)
        .send()
        .await
        .expect("an answer");
    assert_eq!(call.headers()["access-control-allow-origin"], "https://app.example.com");
}

/// graphql-cop's requests, as its source sends them (`operationName: "cop"`), with the
/// condition under which it reports each issue.
async fn scanner_findings(app: &TestApp) -> Vec<&'static str> {
    let send = |query: String| async move {
        let body = json!({ "query": query, "operationName": "cop" }).to_string();
        post_raw(app, body).await.1
    };
    let mut found = Vec::new();
    let aliases: String = (0..=100).map(|i| format!("alias{i}:__typename \n")).collect();
    let answer = send(format!("query cop {{ {aliases} }}")).await;
    if answer["data"]["alias100"].is_string() {
        found.push("alias overloading");
    }
    let answer = send("query cop { __schema { types { name fields { name } } } }".into()).await;
    if answer["data"]["__schema"]["types"].as_array().is_some_and(|t| !t.is_empty()) {
        found.push("introspection");
    }
    let circular = "query cop { __schema { types { fields { type { fields { type { fields { type { fields { type { name } } } } } } } } } } }";
    let answer = send(circular.into()).await;
    if answer["data"]["__schema"]["types"].as_array().is_some_and(|t| t.len() > 25) {
        found.push("circular introspection");
    }
    let answer = send("query cop { __schema { directive } }".into()).await;
    if answer["errors"][0]["message"].as_str().is_some_and(|m| m.contains("Did you mean")) {
        found.push("field suggestions");
    }
    let answer = send("query cop { viewr { id } }".into()).await;
    if answer["errors"][0]["message"].as_str().is_some_and(|m| m.contains("Did you mean")) {
        found.push("field suggestions (ordinary field)");
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_introspection_off_a_security_scanner_finds_nothing() {
    let open = TestApp::spawn(Backend::Sqlite).await;
    // The same checks do find things on a default server, so they are able to fail.
    let findings = scanner_findings(&open).await;
    assert!(
        findings.contains(&"introspection") && findings.contains(&"field suggestions (ordinary field)"),
        "{findings:?}"
    );
    let closed = TestApp::spawn_with(Backend::Sqlite, |s| s.schema.introspection = false).await;
    assert_eq!(scanner_findings(&closed).await, Vec::<&str>::new());
    let refused = closed.graphql("{ __type(name: \"User\") { name } }", json!({})).await;
    assert_eq!(code(&refused), "INTROSPECTION_DISABLED", "{refused}");
    let typename = closed.graphql("{ __typename }", json!({})).await;
    assert_eq!(typename["data"]["__typename"], "Query", "__typename still works");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aliases_depth_and_complexity_are_refused_with_codes_before_execution() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let aliases = |n: usize| (0..n).map(|i| format!("a{i}: __typename ")).collect::<String>();
    let fits = app.graphql(&format!("{{ {} }}", aliases(15)), json!({})).await;
    assert_eq!(fits["data"]["a14"], "Query", "{fits}");
    let over = app.graphql(&format!("{{ {} }}", aliases(16)), json!({})).await;
    assert!(over.get("data").is_none(), "{over}");
    assert_eq!(code(&over), "TOO_MANY_ALIASES", "{over}");
    // Through a fragment spread twice: counted twice.
    let spread = format!("{{ ...F ...F }} fragment F on Query {{ {} }}", aliases(8));
    assert_eq!(code(&app.graphql(&spread, json!({})).await), "TOO_MANY_ALIASES");

    let deep = format!(
        "{{ {}__typename{} }}",
        "organization(id: \"x\") { teams { organization { ".repeat(9),
        " } } }".repeat(9)
    );
    let answer = app.graphql(&deep, json!({})).await;
    assert_eq!(code(&answer), "QUERY_TOO_DEEP", "{answer}");
    let nested = format!("{{ {}__typename{} }}", "...on Query { ".repeat(400), " }".repeat(400));
    let answer = app.graphql(&nested, json!({})).await;
    assert_eq!(code(&answer), "QUERY_TOO_DEEP", "{answer}");
    let garbage = app.graphql("{ viewer { id ", json!({})).await;
    assert_eq!(code(&garbage), "GRAPHQL_PARSE_FAILED", "{garbage}");
    let unknown = app.graphql("{ nope }", json!({})).await;
    assert_eq!(code(&unknown), "GRAPHQL_VALIDATION_FAILED", "{unknown}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_cost_their_page_size_so_a_hundred_aliased_lists_are_refused() {
    let app = TestApp::spawn_with(Backend::Sqlite, |s| s.schema.max_aliases = 1000).await;
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let fields = "edges { cursor node { user { id email displayName } status role invitedAt invitedBy { id email displayName } joinedAt availableActions } } nodes { user { id email displayName } status role invitedAt invitedBy { id email displayName } joinedAt availableActions } pageInfo { hasNextPage endCursor } totalCount eventCursor";
    // The largest page, with every field, fits.
    let one = format!("query($s: MembershipScope!) {{ members(scope: $s, first: 100) {{ {fields} }} }}");
    let answer = app.graphql_as(Some(&admin.token), &one, json!({ "s": org(&acme) })).await;
    assert_eq!(answer["data"]["members"]["totalCount"], 1, "{answer}");
    let many: String =
        (0..100).map(|i| format!("l{i}: members(scope: $s, first: 1) {{ totalCount }} ")).collect();
    let answer = app
        .graphql_as(
            Some(&admin.token),
            &format!("query($s: MembershipScope!) {{ {many} }}"),
            json!({ "s": org(&acme) }),
        )
        .await;
    assert_eq!(code(&answer), "QUERY_TOO_COMPLEX", "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_bad_document_gets_a_small_answer() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    // Thousands of unknown fields: thousands of validation errors, of which 20 are sent.
    let unknown: String = (0..4000).map(|i| format!("f{i} ")).collect();
    let (body, answer) = send_and_measure(&app, format!("{{ {unknown} }}")).await;
    assert!(answer < 10_000, "a {answer} byte answer to a {body} byte document");
    // A long line that does not parse: the parser's message quotes it, and is cut.
    let (body, answer) = send_and_measure(&app, format!("{{ viewer {} ", "{ id ".repeat(30_000))).await;
    assert!(body > 100_000 && answer < 2_000, "a {answer} byte answer to a {body} byte document");
}

async fn send_and_measure(app: &TestApp, query: String) -> (usize, usize) {
    let body = json!({ "query": query }).to_string();
    let length = body.len();
    let response = app
        .http
        .post(app.url("/graphql"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("an answer");
    let text = response.text().await.unwrap_or_default();
    let answer: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    assert!(answer["errors"].as_array().is_some_and(|e| !e.is_empty() && e.len() <= 21), "{text:.2000}");
    (length, text.len())
}
