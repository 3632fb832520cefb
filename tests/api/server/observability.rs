//! What operators see: `/metrics` scraped as Prometheus would, request ids end to end.
//!
//! The metrics recorder is one per process, shared by every application the suite starts,
//! so the tests compare a scrape before and after what they do, on series only they touch
//! or by at least what they did.

use std::collections::BTreeMap;

use roster_tests::flows::org;
use roster_tests::ws::WsClient;
use roster_tests::{Backend, TestApp, backend_tests};
use serde_json::json;

backend_tests!(
    metrics_on_their_own_address_are_not_on_the_public_one,
    metrics_are_on_the_main_address_only_when_an_operator_says_so,
    metrics_count_operations_by_outcome_and_never_label_with_user_input,
    request_ids_are_kept_made_and_given_to_server_errors,
);

/// One scrape: `name{labels}` to value.
struct Scrape(BTreeMap<(String, BTreeMap<String, String>), f64>);

impl Scrape {
    async fn of(app: &TestApp, addr: std::net::SocketAddr) -> (Scrape, String) {
        let response = app.http.get(format!("http://{addr}/metrics")).send().await.expect("a response");
        assert_eq!(response.status(), 200);
        let content_type = response.headers()["content-type"].to_str().unwrap_or_default().to_owned();
        assert!(content_type.starts_with("text/plain; version=0.0.4"), "{content_type}");
        let text = response.text().await.expect("a body");
        let mut series = BTreeMap::new();
        for line in text.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
            let (key, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("a sample: {line}"));
            let (name, labels) = match key.split_once('{') {
                Some((name, labels)) => (name, labels.trim_end_matches('}')),
                None => (key, ""),
            };
            let labels = labels
                .split(',')
                .filter(|l| !l.is_empty())
                .map(|pair| {
                    let (k, v) = pair.split_once('=').unwrap_or_else(|| panic!("a label: {pair}"));
                    (k.to_owned(), v.trim_matches('"').to_owned())
                })
                .collect();
            series.insert(
                (name.to_owned(), labels),
                value.parse().unwrap_or_else(|_| panic!("a number: {line}")),
            );
        }
        (Scrape(series), text)
    }

    fn value(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        let labels = labels.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        self.0.get(&(name.to_owned(), labels)).copied().unwrap_or(0.0)
    }

    fn has(&self, name: &str) -> bool {
        self.0.keys().any(|(n, _)| n == name)
    }
}

const CANCEL: &str = "mutation($scope: MembershipScope!, $userId: ID!) {
    cancelInvitation(scope: $scope, userId: $userId) { ... on Error { message } } }";

async fn metrics_count_operations_by_outcome_and_never_label_with_user_input(app: TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let (before, _) = Scrape::of(&app, metrics(&app)).await;
    let cancel = |outcome: &str| {
        before.value(
            "roster_graphql_operations_total",
            &[("operation", "cancelInvitation"), ("type", "mutation"), ("outcome", outcome)],
        )
    };
    let (success_before, not_found_before) = (cancel("CancelInvitationSuccess"), cancel("NotFoundError"));

    let mut ws = WsClient::member_events(app.addr, &admin.token, org(&acme), None).await;
    let bob = app.invite_ok(&admin, org(&acme), "bob@example.com", None).await;
    ws.event(std::time::Duration::from_secs(5)).await.expect("the INVITED event");
    app.smtp.wait_for_invitation("bob@example.com", 1).await;
    // Neither selects __typename: the outcome is read all the same, and the answer is
    // exactly what was asked for.
    let cancelled =
        app.graphql_as(Some(&admin.token), CANCEL, json!({ "scope": org(&acme), "userId": bob })).await;
    assert_eq!(cancelled, json!({ "data": { "cancelInvitation": {} } }));
    let again =
        app.graphql_as(Some(&admin.token), CANCEL, json!({ "scope": org(&acme), "userId": bob })).await;
    assert!(again["data"]["cancelInvitation"]["message"].is_string(), "{again}");
    assert_eq!(again["data"]["cancelInvitation"].as_object().map(|o| o.len()), Some(1), "{again}");

    // User input that must not become a label: a client's operation name, a path.
    let probe = format!("probe{}", roster_core::id::unique().to_lowercase());
    app.graphql_as(None, &format!("query {probe} {{ viewer {{ id }} }}"), json!({})).await;
    app.http.get(format!("http://{}/{probe}", app.addr)).send().await.expect("a response");
    app.graphql_as(None, &format!("{{ {probe} }}"), json!({})).await;

    let (after, text) = Scrape::of(&app, metrics(&app)).await;
    let cancel = |outcome: &str| {
        after.value(
            "roster_graphql_operations_total",
            &[("operation", "cancelInvitation"), ("type", "mutation"), ("outcome", outcome)],
        )
    };
    assert!(cancel("CancelInvitationSuccess") >= success_before + 1.0, "{text}");
    assert!(cancel("NotFoundError") >= not_found_before + 1.0, "{text}");
    // Counters grew by at least what this test did (other tests share the recorder).
    let grew = |name: &str, labels: &[(&str, &str)], by: f64| {
        let (was, is) = (before.value(name, labels), after.value(name, labels));
        assert!(is >= was + by, "{name}{labels:?}: {was} -> {is}\n{text}");
    };
    grew(
        "roster_graphql_operations_total",
        &[("operation", "viewer"), ("type", "query"), ("outcome", "ok")],
        1.0,
    );
    grew(
        "roster_graphql_operations_total",
        &[("operation", "invalid"), ("type", "unknown"), ("outcome", "GRAPHQL_VALIDATION_FAILED")],
        1.0,
    );
    grew("roster_http_requests_total", &[("route", "/graphql"), ("status", "200")], 4.0);
    grew("roster_http_requests_total", &[("route", "unmatched"), ("status", "404")], 1.0);
    grew("roster_live_events_delivered_total", &[], 1.0);
    // The subscription, counted over the websocket when its first event went out.
    grew(
        "roster_graphql_operations_total",
        &[("operation", "memberListChanged"), ("type", "subscription"), ("outcome", "ok")],
        1.0,
    );
    grew("roster_mail_sent_total", &[], 1.0);
    assert!(!text.contains(&probe), "no user input in labels");
    assert!(after.has("roster_http_request_duration_seconds_bucket"), "{text}");
    assert!(after.has("roster_graphql_operation_duration_seconds_bucket"), "{text}");
    // A gauge of the whole process: at least this test's subscription is open.
    assert!(after.value("roster_live_subscriptions", &[]) >= 1.0, "{text}");
    assert!(
        after.has("roster_mail_outbox_backlog") && after.has("roster_mail_outbox_oldest_age_seconds"),
        "{text}"
    );
    assert_eq!(after.value("roster_db_pool_connections", &[("state", "max")]), 10.0, "{text}");
    assert!(after.has("roster_db_pool_waiting"), "{text}");
}

#[tokio::test]
async fn rate_limit_refusals_are_counted_by_limit() {
    let app = TestApp::spawn_with(Backend::Sqlite, |s| s.limits.reset_requests_per_hour = 1).await;
    let request = "mutation { requestPasswordReset(email: \"nobody@example.com\") { __typename } }";
    // The per-address limit is checked first, and this client's address is the same each time.
    let refusals =
        |scrape: &Scrape| scrape.value("roster_rate_limit_refusals_total", &[("limit", "reset/address")]);
    let before = refusals(&Scrape::of(&app, metrics(&app)).await.0);
    app.graphql(request, json!({})).await;
    let refused = app.graphql(request, json!({})).await;
    assert_eq!(refused["data"]["requestPasswordReset"]["__typename"], "RateLimitedError", "{refused}");
    let (after, text) = Scrape::of(&app, metrics(&app)).await;
    assert!(refusals(&after) >= before + 1.0, "{text}");
}

/// Where the app serves `/metrics`: its own address, as by default.
fn metrics(app: &TestApp) -> std::net::SocketAddr {
    app.metrics_addr.expect("/metrics on an address of its own")
}

async fn metrics_on_their_own_address_are_not_on_the_public_one(app: TestApp) {
    // The test settings serve /metrics as the default does: on an address of its own.
    let public = app.http.get(format!("http://{}/metrics", app.addr)).send().await.expect("a response");
    assert_eq!(public.status(), 404);
    let (scrape, text) = Scrape::of(&app, metrics(&app)).await;
    assert!(scrape.has("roster_db_pool_connections"), "{text}");
}

async fn metrics_are_on_the_main_address_only_when_an_operator_says_so(app: TestApp) {
    use roster_server::settings::{MetricsListen, SettingsArgs};

    // The default, as `roster serve` reads it with nothing set: loopback port 9100.
    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        settings: SettingsArgs,
    }
    let args = <Cli as clap::Parser>::try_parse_from(["roster"]).expect("the defaults parse");
    let settings = args.settings.settings().expect("the defaults are valid");
    assert_eq!(settings.metrics_listen, MetricsListen::DEFAULT);
    assert_eq!(
        MetricsListen::DEFAULT,
        "127.0.0.1:9100"
            .parse::<MetricsListen>()
            .map(|m| match m {
                MetricsListen::Address { addr, .. } => MetricsListen::Address { addr, required: false },
                other => other,
            })
            .expect("an address")
    );
    assert_eq!("main".parse::<MetricsListen>(), Ok(MetricsListen::Main));
    assert!("public".parse::<MetricsListen>().is_err());

    let main = TestApp::spawn_with(app.backend, |s| s.metrics_listen = MetricsListen::Main).await;
    assert_eq!(main.metrics_addr, None);
    let (scrape, text) = Scrape::of(&main, main.addr).await;
    assert!(scrape.has("roster_db_pool_connections"), "{text}");
    let off = TestApp::spawn_with(app.backend, |s| s.metrics_listen = MetricsListen::Off).await;
    let public = off.http.get(format!("http://{}/metrics", off.addr)).send().await.expect("a response");
    assert_eq!((off.metrics_addr, public.status().as_u16()), (None, 404));
}

async fn request_ids_are_kept_made_and_given_to_server_errors(app: TestApp) {
    let send = |id: Option<&str>| {
        let mut request = app
            .http
            .post(format!("http://{}/graphql", app.addr))
            .header("content-type", "application/json")
            .body(r#"{"query":"{ __typename }"}"#);
        if let Some(id) = id {
            request = request.header("x-request-id", id);
        }
        request.send()
    };
    let echoed = |response: &reqwest::Response| {
        response.headers().get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_owned)
    };
    let kept = send(Some("lb-7f3a.2:1")).await.expect("a response");
    assert_eq!(echoed(&kept).as_deref(), Some("lb-7f3a.2:1"));
    let made = echoed(&send(None).await.expect("a response")).expect("an id is made");
    assert_eq!(made.len(), 26, "a ULID: {made}");
    for unusable in ["has space", "<script>", &"x".repeat(129)] {
        let replaced = echoed(&send(Some(unusable)).await.expect("a response")).expect("an id");
        assert_ne!(replaced, unusable);
        assert_eq!(replaced.len(), 26, "{replaced}");
    }

    // A server fault: the organizations table is gone. The error names the request.
    let admin = app.sign_up("admin").await;
    let mut conn = app.db.get().await.expect("a connection");
    let broken = "ALTER TABLE organizations RENAME TO organizations_gone";
    match conn.conn() {
        roster_db::Conn::Sqlite(c, _) => {
            roster_db::diesel_async::RunQueryDsl::execute(diesel::sql_query(broken), c).await
        }
        roster_db::Conn::Postgres(c, _) => {
            roster_db::diesel_async::RunQueryDsl::execute(diesel::sql_query(broken), c).await
        }
    }
    .expect("the table is renamed");
    drop(conn);
    let response = app
        .http
        .post(format!("http://{}/graphql", app.addr))
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {}", admin.token))
        .header("x-request-id", "report-42")
        .body(r#"{"query":"mutation { createOrganization(name: \"Acme\") { __typename } }"}"#)
        .send()
        .await
        .expect("a response");
    let body: serde_json::Value = response.json().await.expect("JSON");
    let error = &body["errors"][0];
    assert_eq!(error["extensions"]["code"], "INTERNAL_SERVER_ERROR", "{body}");
    assert_eq!(error["extensions"]["requestId"], "report-42", "{body}");
}
