//! What one request may hold: one pooled connection, however many fields it has; and what
//! clients see when the database is exhausted or lost.

use std::time::Duration;

use roster_tests::flows::org;
use roster_tests::{Backend, TestApp, backend_tests};
use serde_json::json;

fn small_pool(settings: &mut roster_server::Settings) {
    settings.pool.max_size = 2;
    settings.pool.timeout = Duration::from_secs(1);
}

backend_tests!(
    a_request_with_many_aliased_lists_holds_one_connection,
    readiness_does_not_depend_on_a_free_pooled_connection with readiness_does_not_depend_on_a_free_pooled_connection_settings,
);

async fn a_request_with_many_aliased_lists_holds_one_connection(app: roster_tests::TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let lists: String =
        (0..12).map(|i| format!("l{i}: members(scope: $s) {{ nodes {{ user {{ email }} }} }} ")).collect();
    let query = format!("query($s: MembershipScope!) {{ viewer {{ id }} myOrganizations {{ id }} {lists} }}");
    for _ in 0..3 {
        app.db.usage().reset_peak();
        let answer = app.graphql_as(Some(&admin.token), &query, json!({ "s": org(&acme) })).await;
        assert_eq!(answer["data"]["l11"]["nodes"][0]["user"]["email"], "admin@example.com", "{answer}");
        // One for the request; the mail sender and the live hub may briefly hold one each.
        let peak = app.db.usage().peak();
        assert!(peak <= 3, "{peak} connections at once for one request");
    }
}

async fn readiness_does_not_depend_on_a_free_pooled_connection(app: roster_tests::TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    // Every pooled connection is taken.
    let held = (app.db.get().await.expect("one"), app.db.get().await.expect("two"));
    let ready = app.http.get(app.url("/readyz")).send().await.expect("an answer");
    assert_eq!(ready.status(), 200, "the database itself is fine");
    // Requests are refused with a code clients can retry on, and a request with many
    // fields waits for the pool once, not once per field.
    let before = app.db.usage().unavailable();
    let lists: String = (0..5).map(|i| format!("l{i}: members(scope: $s) {{ totalCount }} ")).collect();
    let answer = app
        .graphql_as(None, &format!("query($s: MembershipScope!) {{ {lists} }}"), json!({ "s": org(&acme) }))
        .await;
    let codes: Vec<&str> = answer["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["extensions"]["code"].as_str())
        .collect();
    assert!(!codes.is_empty() && codes.iter().all(|c| *c == "SERVICE_UNAVAILABLE"), "{answer}");
    // Waiting per field would be five waits. The mail sender polls the same pool (every 2 s)
    // and may fail a checkout of its own during the second this one waits.
    let waits = app.db.usage().unavailable() - before;
    assert!((1..=2).contains(&waits), "one wait for the whole request, not one per field: {waits}");
    drop(held);
    let answer = app.graphql_as(Some(&admin.token), "{ viewer { id } }", json!({})).await;
    assert_eq!(answer["data"]["viewer"]["id"], admin.id.as_str(), "{answer}");
}

fn readiness_does_not_depend_on_a_free_pooled_connection_settings(s: &mut roster_server::Settings) {
    small_pool(s);
}

/// PostgreSQL: the backend serving a request is terminated while the request waits on a
/// lock. The client is told to retry (SERVICE_UNAVAILABLE), not that the server broke.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_lost_mid_query_is_service_unavailable() {
    use roster_db::diesel_async::{
        AsyncConnection as _, AsyncPgConnection, RunQueryDsl as _, SimpleAsyncConnection as _,
    };

    let app = TestApp::spawn(Backend::Postgres).await;
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let roster_db::DatabaseUrl::Postgres(url) = &app.database_url else { panic!("postgres") };
    // Hold the organization's row lock, so an invitation waits for it inside its query.
    let mut holder = AsyncPgConnection::establish(url).await.expect("a connection");
    holder
        .batch_execute(&format!("BEGIN; SELECT id FROM organizations WHERE id = '{acme}' FOR UPDATE;"))
        .await
        .expect("the lock");
    let invite = {
        let (app, admin, acme) = (&app, &admin, acme.clone());
        async move {
            app.graphql_as(
                Some(&admin.token),
                "mutation($s: MembershipScope!) { inviteUser(scope: $s, email: \"bob@example.com\") { __typename } }",
                json!({ "s": org(&acme) }),
            )
            .await
        }
    };
    let kill = async {
        let mut admin_conn = AsyncPgConnection::establish(url).await.expect("a connection");
        // Wait until the invitation's backend is blocked on the lock, then terminate it.
        for _ in 0..100 {
            tokio::time::sleep(Duration::from_millis(50)).await;
            let killed = roster_db::diesel::sql_query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                 WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()",
            )
            .execute(&mut admin_conn)
            .await
            .expect("the query");
            if killed > 0 {
                return;
            }
        }
        panic!("the invitation never waited on the lock");
    };
    let (answer, ()) = tokio::join!(invite, kill);
    assert_eq!(answer["errors"][0]["extensions"]["code"], "SERVICE_UNAVAILABLE", "{answer}");
    holder.batch_execute("ROLLBACK").await.expect("released");
    // Nothing half-done, and the next request is served on a healthy connection.
    assert_eq!(app.members(&admin, org(&acme)).await.len(), 1);
    let retry = app.invite(Some(&admin), org(&acme), "bob@example.com", None).await;
    assert_eq!(retry["__typename"], "InviteUserSuccess", "{retry}");
}
