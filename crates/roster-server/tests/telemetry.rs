//! The binary's logs and traces, as an operator's collectors receive them: the real
//! `roster` process, its stderr read line by line, and an OTLP/HTTP collector started here.

use std::net::SocketAddr;
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt as _, BufReader, Lines};
use tokio::process::{Child, ChildStderr, Command};
use tokio::sync::mpsc;

/// A running `roster serve` on a fresh SQLite file, and its log lines.
struct Server {
    child: Child,
    addr: SocketAddr,
    logs: Lines<BufReader<ChildStderr>>,
    _dir: tempfile::TempDir,
}

impl Server {
    async fn start(env: &[(&str, &str)]) -> Server {
        let dir = tempfile::tempdir().expect("a folder");
        let url = format!("sqlite://{}", dir.path().join("roster.db").display());
        let mut child = Command::new(env!("CARGO_BIN_EXE_roster"))
            .arg("serve")
            .env("DATABASE_URL", url)
            .env("ROSTER_LISTEN", "127.0.0.1:0")
            .env("ROSTER_LOG_FORMAT", "json")
            .env("RUST_LOG", "info,roster_server=debug")
            .envs(env.iter().copied())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("roster starts");
        let mut logs = BufReader::new(child.stderr.take().expect("stderr")).lines();
        let addr = loop {
            let line = next_line(&mut logs).await;
            if let Some(rest) = line.split("listening on http://").nth(1) {
                let addr = rest.split([' ', '"']).next().unwrap_or_default();
                break addr.parse().unwrap_or_else(|_| panic!("an address in {line}"));
            }
        };
        Server { child, addr, logs, _dir: dir }
    }

    async fn post(&self, body: &str, headers: &[(&str, &str)]) -> reqwest::Response {
        let mut request = reqwest::Client::new()
            .post(format!("http://{}/graphql", self.addr))
            .header("content-type", "application/json")
            .body(body.to_owned());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.expect("a response")
    }

    /// Stops the server as an init system would (SIGTERM) and waits for it to exit.
    async fn stop(mut self) {
        if let Some(pid) = self.child.id() {
            let _ = std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status();
        }
        let _ = tokio::time::timeout(Duration::from_secs(15), self.child.wait()).await;
    }
}

async fn next_line(logs: &mut Lines<BufReader<ChildStderr>>) -> String {
    match tokio::time::timeout(Duration::from_secs(20), logs.next_line()).await {
        Ok(Ok(Some(line))) => line,
        other => panic!("no more log lines: {other:?}"),
    }
}

#[tokio::test]
async fn json_log_lines_carry_the_request_id_and_the_operation_name() {
    let mut server = Server::start(&[]).await;
    let response = server.post(r#"{"query":"{ viewer { id } }"}"#, &[("x-request-id", "logs-test-1")]).await;
    assert_eq!(response.status(), 200);
    let line = loop {
        let line = next_line(&mut server.logs).await;
        if line.contains("logs-test-1") && line.contains("graphql.operation") {
            break line;
        }
    };
    let entry: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("a JSON line ({e}): {line}"));
    let spans = entry["spans"].as_array().unwrap_or_else(|| panic!("the line's spans: {line}"));
    let request = spans.iter().find(|s| s["name"] == "request").unwrap_or_else(|| panic!("{line}"));
    assert_eq!(request["request_id"], "logs-test-1", "{line}");
    let operation =
        spans.iter().find(|s| s["name"] == "graphql.operation").unwrap_or_else(|| panic!("{line}"));
    assert_eq!(operation["graphql.operation"], "viewer", "{line}");
    assert_eq!(operation["graphql.type"], "query", "{line}");
    server.stop().await;
}

/// An OTLP/HTTP collector that keeps what it is sent.
async fn collector() -> (SocketAddr, mpsc::UnboundedReceiver<Value>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let app = axum::Router::new().route(
        "/v1/traces",
        axum::routing::post(move |body: axum::body::Bytes| {
            let tx = tx.clone();
            async move {
                if let Ok(value) = serde_json::from_slice::<Value>(&body) {
                    let _ = tx.send(value);
                }
                "{}"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
    let addr = listener.local_addr().expect("an address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (addr, rx)
}

#[tokio::test]
async fn traces_reach_the_collector_as_part_of_the_callers_trace() {
    const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
    const CALLER: &str = "00f067aa0ba902b7";
    let (collector, mut exports) = collector().await;
    let endpoint = format!("http://{collector}");
    let server = Server::start(&[
        ("OTEL_EXPORTER_OTLP_ENDPOINT", &endpoint),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"),
        ("OTEL_BSP_SCHEDULE_DELAY", "100"),
    ])
    .await;
    let sign_up = r#"{"query":"mutation { signUp(email: \"ana@example.com\", password: \"correct horse battery\") { __typename } }"}"#;
    let traceparent = format!("00-{TRACE}-{CALLER}-01");
    let response = server.post(sign_up, &[("traceparent", &traceparent)]).await;
    assert_eq!(response.status(), 200);

    // span id -> (name, parent span id), for the spans of our trace.
    let mut spans = std::collections::HashMap::<String, (String, String)>::new();
    let named = |spans: &std::collections::HashMap<String, (String, String)>, name: &str| {
        spans.iter().find(|(_, (n, _))| n == name).map(|(id, (_, parent))| (id.clone(), parent.clone()))
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !["request", "graphql.operation", "db.transaction"].iter().all(|n| named(&spans, n).is_some()) {
        let export = tokio::time::timeout_at(deadline, exports.recv())
            .await
            .unwrap_or_else(|_| panic!("spans so far: {spans:?}"))
            .expect("the collector runs");
        for resource in export["resourceSpans"].as_array().into_iter().flatten() {
            let attributes = resource["resource"]["attributes"].as_array().cloned().unwrap_or_default();
            let service =
                attributes.iter().find(|a| a["key"] == "service.name").map(|a| &a["value"]["stringValue"]);
            assert_eq!(service, Some(&Value::from("roster")), "service.name: {attributes:?}");
            for scope in resource["scopeSpans"].as_array().into_iter().flatten() {
                for span in scope["spans"].as_array().into_iter().flatten() {
                    if span["traceId"].as_str().map(str::to_lowercase).as_deref() == Some(TRACE) {
                        let text = |key: &str| span[key].as_str().unwrap_or_default().to_lowercase();
                        spans.insert(text("spanId"), (text("name"), text("parentSpanId")));
                    }
                }
            }
        }
    }
    let (request, request_parent) = named(&spans, "request").expect("the request's span");
    assert_eq!(request_parent, CALLER, "the request continues the caller's trace");
    let (operation, operation_parent) = named(&spans, "graphql.operation").expect("the operation's span");
    assert_eq!(operation_parent, request, "the operation is inside the request: {spans:?}");
    // Every transaction is inside the operation (some spans may lie between them).
    for (id, (name, _)) in spans.iter().filter(|(_, (name, _))| name == "db.transaction") {
        let mut at = id.clone();
        while at != operation {
            at = spans
                .get(&at)
                .map(|(_, parent)| parent.clone())
                .unwrap_or_else(|| panic!("{name} {id} is outside the operation: {spans:?}"));
        }
    }
    server.stop().await;
}
