//! The server answers over a real port: HTTP, websockets, probes. (The browser apps:
//! `web_apps.rs`.)

use std::time::Duration;

use roster_tests::backend_tests;
use roster_tests::ws::WsClient;
use serde_json::json;

backend_tests!(
    sign_up_then_viewer_over_real_http,
    websocket_handshake_with_graphql_transport_ws,
    websocket_handshake_with_legacy_graphql_ws_and_a_token,
    websocket_with_a_bad_token_is_refused_at_init,
    readyz_answers_while_the_database_does,
);

async fn sign_up_then_viewer_over_real_http(app: roster_tests::TestApp) {
    let ana = app.sign_up("ana").await;
    let answer = app.graphql_as(Some(&ana.token), "{ viewer { id email displayName } }", json!({})).await;
    assert_eq!(answer["data"]["viewer"]["id"], ana.id.as_str(), "{answer}");
    assert_eq!(answer["data"]["viewer"]["email"], "ana@example.com");
    let anonymous = app.graphql("{ viewer { id } }", json!({})).await;
    assert_eq!(anonymous, json!({ "data": { "viewer": null } }));
}

async fn websocket_handshake_with_graphql_transport_ws(app: roster_tests::TestApp) {
    let mut ws = WsClient::connect(app.addr, "graphql-transport-ws").await;
    assert_eq!(ws.protocol.as_deref(), Some("graphql-transport-ws"));
    ws.send(json!({ "type": "connection_init", "payload": {} })).await;
    let ack = ws.next(Duration::from_secs(5)).await;
    assert_eq!(ack.ok().map(|m| m["type"].clone()), Some(json!("connection_ack")));
}

async fn websocket_handshake_with_legacy_graphql_ws_and_a_token(app: roster_tests::TestApp) {
    let ana = app.sign_up("ana").await;
    let mut ws = WsClient::connect(app.addr, "graphql-ws").await;
    assert_eq!(ws.protocol.as_deref(), Some("graphql-ws"));
    ws.send(
        json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {}", ana.token) } }),
    )
    .await;
    let ack = ws.next(Duration::from_secs(5)).await;
    assert_eq!(ack.ok().map(|m| m["type"].clone()), Some(json!("connection_ack")));
}

async fn websocket_with_a_bad_token_is_refused_at_init(app: roster_tests::TestApp) {
    let mut ws = WsClient::connect(app.addr, "graphql-transport-ws").await;
    ws.send(json!({ "type": "connection_init", "payload": { "Authorization": "Bearer not-a-token" } })).await;
    // graphql-transport-ws closes with 4403 (forbidden) when init is refused.
    let answer = ws.next(Duration::from_secs(5)).await;
    assert_eq!(answer.err(), Some(Some(4403)));
}

async fn readyz_answers_while_the_database_does(app: roster_tests::TestApp) {
    let ready = app.http.get(app.url("/readyz")).send().await.expect("an answer");
    assert_eq!(ready.status(), 200);
    let health = app.http.get(app.url("/healthz")).send().await.expect("an answer");
    assert_eq!(health.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_closes_websockets_cleanly() {
    let app = roster_tests::TestApp::spawn(roster_tests::Backend::Sqlite).await;
    let mut ws = WsClient::connect(app.addr, "graphql-transport-ws").await;
    ws.send(json!({ "type": "connection_init" })).await;
    assert!(ws.next(Duration::from_secs(5)).await.is_ok());
    let stopping = tokio::spawn(app.stop());
    let closed = ws.next(Duration::from_secs(5)).await;
    assert_eq!(closed.err(), Some(Some(1001)), "a going-away close frame");
    tokio::time::timeout(Duration::from_secs(10), stopping)
        .await
        .expect("the server stops")
        .expect("cleanly");
}
