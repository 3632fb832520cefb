//! The websocket protocol's edges, seen by a raw client: close codes, limits, keep-alive, and
//! sessions that end while a socket is open.

use std::time::Duration;

use roster_tests::flows::org;
use roster_tests::ws::{MEMBER_EVENTS, WsClient};
use roster_tests::{Backend, TestApp, backend_tests};
use serde_json::json;

const WAIT: Duration = Duration::from_secs(5);

fn subscribe(id: &str, scope: serde_json::Value) -> serde_json::Value {
    json!({ "type": "subscribe", "id": id, "payload": { "query": MEMBER_EVENTS, "variables": { "scope": scope } } })
}

async fn app() -> TestApp {
    TestApp::spawn(Backend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscribe_before_the_acknowledgement_closes_with_4401() {
    let app = app().await;
    let mut ws = WsClient::connect(app.addr, "graphql-transport-ws").await;
    ws.send(json!({ "type": "subscribe", "id": "1", "payload": { "query": "{ __typename }" } })).await;
    assert_eq!(ws.closed_with(WAIT).await, Some(4401));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_messages_close_with_4400() {
    let app = app().await;
    for text in ["{not json", r#"{"type":"nonsense"}"#, r#"{"type":"subscribe","id":"1"}"#] {
        let mut ws = WsClient::connect(app.addr, "graphql-transport-ws").await;
        ws.init(None).await;
        ws.send_text(text).await;
        assert_eq!(ws.closed_with(WAIT).await, Some(4400), "for {text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_init_closes_with_4429() {
    let app = app().await;
    let mut ws = WsClient::connect(app.addr, "graphql-transport-ws").await;
    ws.init(None).await;
    ws.send(json!({ "type": "connection_init" })).await;
    assert_eq!(ws.closed_with(WAIT).await, Some(4429));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_socket_that_never_initialises_closes_with_4408() {
    let app = TestApp::spawn_with(Backend::Sqlite, |s| s.ws.init_timeout = Duration::from_secs(1)).await;
    let mut ws = WsClient::connect(app.addr, "graphql-transport-ws").await;
    assert_eq!(ws.closed_with(WAIT).await, Some(4408));
    // One that initialises in time stays.
    let mut ws = WsClient::connect(app.addr, "graphql-transport-ws").await;
    ws.init(None).await;
    assert!(ws.stays_open(Duration::from_millis(1500)).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_over_the_limit_closes_with_1009() {
    let app = TestApp::spawn_with(Backend::Sqlite, |s| s.ws.max_message_bytes = 4096).await;
    let mut ws = WsClient::connect(app.addr, "graphql-transport-ws").await;
    ws.init(None).await;
    let big = format!("{{ {} }}", "__typename ".repeat(500));
    ws.send(json!({ "type": "subscribe", "id": "1", "payload": { "query": big } })).await;
    assert_eq!(ws.closed_with(WAIT).await, Some(1009));
    // Just under the limit is served.
    let mut ws = WsClient::connect(app.addr, "graphql-transport-ws").await;
    ws.init(None).await;
    let fits = format!("{{ {} }}", "__typename ".repeat(300));
    ws.send(json!({ "type": "subscribe", "id": "1", "payload": { "query": fits } })).await;
    let next = ws.next(WAIT).await.expect("an answer");
    assert_eq!(next["payload"]["data"]["__typename"], "Query", "{next}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_that_stops_answering_pings_is_dropped() {
    let app = TestApp::spawn_with(Backend::Sqlite, |s| s.ws.keepalive = Duration::from_secs(1)).await;
    let mut listening = WsClient::connect(app.addr, "graphql-transport-ws").await;
    listening.init(None).await;
    let mut silent = WsClient::connect(app.addr, "graphql-transport-ws").await;
    silent.init(None).await;
    // The silent client reads nothing, so it answers no ping; the other reads all the while.
    let (stayed, ()) = tokio::join!(
        listening.stays_open(Duration::from_millis(3500)),
        silent.ignore_for(Duration::from_millis(3500)),
    );
    assert!(stayed, "a peer that answers stays");
    assert!(!silent.stays_open(Duration::from_secs(2)).await, "a silent peer is dropped");
}

backend_tests!(
    a_duplicate_subscription_id_closes_with_4409,
    subscriptions_past_the_limit_are_refused_one_by_one with subscriptions_past_the_limit_are_refused_one_by_one_settings,
    a_socket_closes_with_4403_as_soon_as_its_session_is_signed_out,
    nothing_runs_over_a_socket_after_sign_out,
);

async fn a_duplicate_subscription_id_closes_with_4409(app: roster_tests::TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let mut ws = WsClient::connect(app.addr, "graphql-transport-ws").await;
    ws.init(Some(&admin.token)).await;
    ws.send(subscribe("1", org(&acme))).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    ws.send(subscribe("1", org(&acme))).await;
    assert_eq!(ws.closed_with(WAIT).await, Some(4409));
}

async fn subscriptions_past_the_limit_are_refused_one_by_one(app: roster_tests::TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let mut ws = WsClient::connect(app.addr, "graphql-transport-ws").await;
    ws.init(Some(&admin.token)).await;
    ws.send(subscribe("1", org(&acme))).await;
    ws.send(subscribe("2", org(&acme))).await;
    ws.send(subscribe("3", org(&acme))).await;
    let refused = ws.next(WAIT).await.expect("a message");
    assert_eq!((refused["type"].as_str(), refused["id"].as_str()), (Some("error"), Some("3")), "{refused}");
    assert_eq!(refused["payload"][0]["extensions"]["code"], "TOO_MANY_SUBSCRIPTIONS", "{refused}");
    // The other two keep working.
    tokio::time::sleep(Duration::from_millis(200)).await;
    app.invite_ok(&admin, org(&acme), "bob@example.com", None).await;
    let mut ids = Vec::new();
    for _ in 0..2 {
        let event = ws.next(WAIT).await.expect("an event");
        assert_eq!(event["payload"]["data"]["memberListChanged"]["kind"], "INVITED", "{event}");
        ids.push(event["id"].as_str().unwrap_or_default().to_owned());
    }
    ids.sort();
    assert_eq!(ids, ["1", "2"]);
    // Completing one frees its slot.
    ws.send(json!({ "type": "complete", "id": "1" })).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    ws.send(subscribe("4", org(&acme))).await;
    let mut later = Vec::new();
    while let Ok(Ok(message)) = tokio::time::timeout(Duration::from_millis(500), ws.next(WAIT)).await {
        later.push(message);
    }
    assert!(later.iter().all(|m| m["type"] != "error"), "no refusal for the fourth: {later:?}");
}

fn subscriptions_past_the_limit_are_refused_one_by_one_settings(s: &mut roster_server::Settings) {
    s.ws.max_subscriptions = 2;
}

async fn a_socket_closes_with_4403_as_soon_as_its_session_is_signed_out(app: roster_tests::TestApp) {
    let ana = app.sign_up("ana").await;
    let mut ws = WsClient::connect(app.addr, "graphql-transport-ws").await;
    ws.init(Some(&ana.token)).await;
    let signed_out = app.graphql_as(Some(&ana.token), "mutation { signOut { __typename } }", json!({})).await;
    assert_eq!(signed_out["data"]["signOut"]["__typename"], "SignOutSuccess");
    // Without sending anything: the revocation reaches the socket by itself.
    assert_eq!(ws.closed_with(WAIT).await, Some(4403));
}

async fn nothing_runs_over_a_socket_after_sign_out(app: roster_tests::TestApp) {
    let ana = app.sign_up("ana").await;
    let mut query = WsClient::connect(app.addr, "graphql-transport-ws").await;
    query.init(Some(&ana.token)).await;
    let mut mutation = WsClient::connect(app.addr, "graphql-transport-ws").await;
    mutation.init(Some(&ana.token)).await;
    // Both work while signed in.
    query.send(json!({ "type": "subscribe", "id": "q0", "payload": { "query": "{ viewer { id } }" } })).await;
    let viewer = query.next(WAIT).await.expect("an answer");
    assert_eq!(viewer["payload"]["data"]["viewer"]["id"], ana.id.as_str(), "{viewer}");
    app.graphql_as(Some(&ana.token), "mutation { signOut { __typename } }", json!({})).await;
    // Sent at once, racing the revocation signal: refused either way.
    query.send(json!({ "type": "subscribe", "id": "q1", "payload": { "query": "{ viewer { id } }" } })).await;
    let create = "mutation { createOrganization(name: \"Sneaky\") { __typename } }";
    mutation.send(json!({ "type": "subscribe", "id": "m1", "payload": { "query": create } })).await;
    for ws in [&mut query, &mut mutation] {
        let mut answers = Vec::new();
        let code = loop {
            match ws.next(WAIT).await {
                Ok(message) => answers.push(message),
                Err(code) => break code,
            }
        };
        assert_eq!(code, Some(4403));
        assert!(answers.iter().all(|m| m["type"] != "next"), "nothing ran: {answers:?}");
    }
    let mine = app.graphql_as(None, "{ __typename }", json!({})).await;
    assert_eq!(mine["data"]["__typename"], "Query");
    let count = roster_tests::count_rows(&app, "organizations").await;
    assert_eq!(count, 0, "the mutation did not run");
}

/// PostgreSQL only: SQLite is one process, so it has no replicas to tell.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_out_on_one_replica_closes_sockets_on_another() {
    let app = TestApp::spawn(Backend::Postgres).await;
    let replica = app.replica().await;
    let ana = app.sign_up("ana").await;
    let mut ws = WsClient::connect(replica.addr, "graphql-transport-ws").await;
    ws.init(Some(&ana.token)).await;
    app.graphql_as(Some(&ana.token), "mutation { signOut { __typename } }", json!({})).await;
    assert_eq!(ws.closed_with(WAIT).await, Some(4403));
}
