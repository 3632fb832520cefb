//! Live member lists: `memberListChanged` over real websockets.

use std::time::Duration;

use futures_util::future::join_all;
use roster_tests::flows::{PASSWORD, org, team};
use roster_tests::ws::{MEMBER_EVENTS, WsClient};
use roster_tests::{Backend, TestApp, backend_tests};
use serde_json::{Value, json};

const SECOND: Duration = Duration::from_secs(1);

/// The `extensions.code` of the error a subscription answered with.
fn error_code(message: &Value) -> Value {
    let errors =
        if message["payload"].is_array() { &message["payload"] } else { &message["payload"]["errors"] };
    errors[0]["extensions"]["code"].clone()
}

async fn expect_event(ws: &mut WsClient, kind: &str, user_id: &str) -> Value {
    let event = ws.event(SECOND).await.unwrap_or_else(|other| panic!("expected {kind}, got {other}"));
    assert_eq!(event["kind"], kind, "{event}");
    assert_eq!(event["userId"], user_id, "{event}");
    event
}

backend_tests!(
    every_kind_of_change_reaches_a_subscriber_within_a_second,
    resuming_replays_exactly_the_missed_events_then_goes_live,
    loading_the_list_then_subscribing_from_its_event_cursor_misses_nothing,
    bad_cursors_get_coded_errors,
    an_outsider_is_refused_and_a_removed_member_is_cut_off,
    an_org_admin_watching_a_team_is_cut_off_when_removed_from_the_organization,
    signing_out_ends_the_subscription_and_closes_the_socket,
    the_legacy_graphql_ws_protocol_delivers_events_too,
    a_new_member_replays_nothing_from_before_joining,
    removing_a_member_ends_no_other_of_a_thousand_streams_and_costs_no_query_each,
    the_periodic_catch_up_reads_all_watched_lists_in_one_query,
);

async fn every_kind_of_change_reaches_a_subscriber_within_a_second(app: roster_tests::TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let mut ws = WsClient::member_events(app.addr, &admin.token, org(&acme), None).await;

    let bob = app.invite_ok(&admin, org(&acme), "bob@example.com", None).await;
    let invited = expect_event(&mut ws, "INVITED", &bob).await;
    assert_eq!(invited["member"]["status"], "UNVERIFIED");
    assert_eq!(
        invited["member"]["availableActions"],
        json!(["RESEND_INVITATION", "CANCEL_INVITATION", "CHANGE_ROLE"])
    );

    // The first email must be out before the resend: a resend retires the invitation, and
    // an email not yet sent for a retired invitation is (rightly) dropped.
    app.smtp.wait_for_invitation("bob@example.com", 1).await;
    app.resend(Some(&admin), org(&acme), &bob).await;
    expect_event(&mut ws, "INVITATION_RESENT", &bob).await;
    app.smtp.wait_for_invitation("bob@example.com", 2).await;

    app.cancel(Some(&admin), org(&acme), &bob).await;
    let cancelled = expect_event(&mut ws, "INVITATION_CANCELLED", &bob).await;
    assert_eq!(cancelled["member"], Value::Null, "the user left the list");

    app.invite_ok(&admin, org(&acme), "bob@example.com", None).await;
    expect_event(&mut ws, "INVITED", &bob).await;
    let link = app.invitation_token("bob@example.com", 3).await;
    let accepted = app.accept(None, &link, Some(PASSWORD), Some("Bob")).await;
    assert_eq!(accepted["__typename"], "AcceptInvitationSuccess", "{accepted}");
    let joined = expect_event(&mut ws, "JOINED", &bob).await;
    assert_eq!(joined["member"]["status"], "VERIFIED");

    // One id for Bob's row throughout, in the list and in every event, also once he left it:
    // what a normalized client cache merges events by.
    let list = app
        .graphql_as(
            Some(&admin.token),
            "query($s: MembershipScope!) { members(scope: $s) { nodes { id user { id } } } }",
            json!({ "s": org(&acme) }),
        )
        .await;
    let listed = list["data"]["members"]["nodes"]
        .as_array()
        .and_then(|nodes| nodes.iter().find(|node| node["user"]["id"] == bob.as_str()))
        .cloned()
        .unwrap_or_else(|| panic!("Bob is listed: {list}"));
    assert_eq!(listed["id"], joined["member"]["id"], "{listed}");
    assert_eq!(joined["memberId"], joined["member"]["id"], "{joined}");
    assert_eq!(invited["memberId"], joined["memberId"]);

    app.remove(Some(&admin), org(&acme), &bob).await;
    let removed = expect_event(&mut ws, "REMOVED", &bob).await;
    assert_eq!(removed["member"], Value::Null);
    assert_eq!(removed["memberId"], listed["id"], "the row to evict: {removed}");
    assert_ne!(cancelled["memberId"], Value::Null, "{cancelled}");
    assert!(ws.is_quiet(Duration::from_millis(300)).await, "nothing else");
}

async fn resuming_replays_exactly_the_missed_events_then_goes_live(app: roster_tests::TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let mut ws = WsClient::member_events(app.addr, &admin.token, org(&acme), None).await;
    let first = app.invite_ok(&admin, org(&acme), "u0@example.com", None).await;
    let seen = expect_event(&mut ws, "INVITED", &first).await;
    drop(ws);

    let mut missed = Vec::new();
    for i in 1..=3 {
        missed.push(app.invite_ok(&admin, org(&acme), &format!("u{i}@example.com"), None).await);
    }
    let cursor = seen["cursor"].as_str().expect("a cursor");
    let mut ws = WsClient::member_events(app.addr, &admin.token, org(&acme), Some(cursor)).await;
    for user in &missed {
        expect_event(&mut ws, "INVITED", user).await;
    }
    let live = app.invite_ok(&admin, org(&acme), "u4@example.com", None).await;
    expect_event(&mut ws, "INVITED", &live).await;
    assert!(ws.is_quiet(Duration::from_millis(300)).await, "no duplicate at the seam");
}

async fn loading_the_list_then_subscribing_from_its_event_cursor_misses_nothing(app: roster_tests::TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let list = app
        .graphql_as(
            Some(&admin.token),
            "query($s: MembershipScope!) { members(scope: $s) { totalCount eventCursor } }",
            json!({ "s": org(&acme) }),
        )
        .await;
    let cursor = list["data"]["members"]["eventCursor"].as_str().expect("an event cursor").to_owned();
    // A change lands between loading the list and subscribing.
    let bob = app.invite_ok(&admin, org(&acme), "bob@example.com", None).await;
    let mut ws = WsClient::member_events(app.addr, &admin.token, org(&acme), Some(&cursor)).await;
    expect_event(&mut ws, "INVITED", &bob).await;
    assert!(ws.is_quiet(Duration::from_millis(300)).await);
}

async fn bad_cursors_get_coded_errors(app: roster_tests::TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let other = app.create_org(&admin, "Other").await;
    let mut ws = WsClient::member_events(app.addr, &admin.token, org(&other), None).await;
    app.invite_ok(&admin, org(&other), "bob@example.com", None).await;
    let foreign = ws.event(SECOND).await.expect("an event")["cursor"].as_str().expect("a cursor").to_owned();
    for cursor in ["garbage", foreign.as_str()] {
        let mut ws = WsClient::member_events(app.addr, &admin.token, org(&acme), Some(cursor)).await;
        let refused = ws.event(SECOND).await.expect_err("refused");
        assert_eq!(error_code(&refused), "BAD_USER_INPUT", "{refused}");
    }
}

async fn an_outsider_is_refused_and_a_removed_member_is_cut_off(app: roster_tests::TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let outsider = app.sign_up("outsider").await;
    let mut refused = WsClient::member_events(app.addr, &outsider.token, org(&acme), None).await;
    let error = refused.event(SECOND).await.expect_err("refused");
    assert_eq!(error_code(&error), "FORBIDDEN", "{error}");

    let bob = app.member(&admin, org(&acme), "bob", None).await;
    let mut ws = WsClient::member_events(app.addr, &bob.token, org(&acme), None).await;
    app.remove(Some(&admin), org(&acme), &bob.id).await;
    let ended = ws.event(SECOND).await.expect_err("the stream ends");
    assert_eq!(error_code(&ended), "FORBIDDEN", "{ended}");
    let complete = ws.next(SECOND).await.expect("a message");
    assert_eq!(complete["type"], "complete", "{complete}");
}

async fn an_org_admin_watching_a_team_is_cut_off_when_removed_from_the_organization(
    app: roster_tests::TestApp,
) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let design = app.create_team(&admin, &acme, "Design").await;
    let second = app.member(&admin, org(&acme), "second", Some("ADMIN")).await;
    let mut ws = WsClient::member_events(app.addr, &second.token, team(&design), None).await;
    app.remove(Some(&admin), org(&acme), &second.id).await;
    let ended = ws.event(SECOND).await.expect_err("the stream ends");
    assert_eq!(error_code(&ended), "FORBIDDEN", "{ended}");
}

async fn signing_out_ends_the_subscription_and_closes_the_socket(app: roster_tests::TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let mut ws = WsClient::member_events(app.addr, &admin.token, org(&acme), None).await;
    app.graphql_as(Some(&admin.token), "mutation { signOut { __typename } }", json!({})).await;
    // The stream may say UNAUTHENTICATED before the socket closes with 4403: both race
    // to report the same revocation. No event comes either way.
    let closed = loop {
        match ws.next(SECOND).await {
            Ok(message) if message["type"] == "complete" => {}
            Ok(message) => assert_eq!(error_code(&message), "UNAUTHENTICATED", "{message}"),
            Err(code) => break code,
        }
    };
    assert_eq!(closed, Some(4403));
}

async fn the_legacy_graphql_ws_protocol_delivers_events_too(app: roster_tests::TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let mut ws = WsClient::connect(app.addr, "graphql-ws").await;
    ws.send(json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {}", admin.token) } })).await;
    assert_eq!(ws.next(SECOND).await.ok().map(|m| m["type"].clone()), Some(json!("connection_ack")));
    ws.send(json!({ "type": "start", "id": "1", "payload": { "query": roster_tests::ws::MEMBER_EVENTS, "variables": { "scope": org(&acme) } } })).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let bob = app.invite_ok(&admin, org(&acme), "bob@example.com", None).await;
    let message = loop {
        let message = ws.next(SECOND).await.expect("a message");
        if message["type"] != "ka" {
            break message;
        }
    };
    assert_eq!(message["type"], "data", "{message}");
    assert_eq!(message["payload"]["data"]["memberListChanged"]["userId"], bob.as_str());
}

fn postgres_only() -> bool {
    // The cross-replica tests need a shared server; they run in the PostgreSQL half only.
    roster_tests::pg::server_url().starts_with("postgres")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_through_replica_a_reaches_a_subscriber_on_replica_b() {
    assert!(postgres_only());
    let a = TestApp::spawn(Backend::Postgres).await;
    let b = a.replica().await;
    let admin = a.sign_up("admin").await;
    let acme = a.create_org(&admin, "Acme").await;
    let mut ws = WsClient::member_events(b.addr, &admin.token, org(&acme), None).await;
    let bob = a.invite_ok(&admin, org(&acme), "bob@example.com", None).await;
    expect_event(&mut ws, "INVITED", &bob).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_replica_bs_listener_loses_no_event() {
    assert!(postgres_only());
    let a = TestApp::spawn(Backend::Postgres).await;
    let b = a.replica().await;
    let admin = a.sign_up("admin").await;
    let acme = a.create_org(&admin, "Acme").await;
    let mut ws = WsClient::member_events(b.addr, &admin.token, org(&acme), None).await;
    let first = a.invite_ok(&admin, org(&acme), "u0@example.com", None).await;
    expect_event(&mut ws, "INVITED", &first).await;

    // Terminate B's LISTEN connection mid-stream, then keep changing the list.
    let killed = terminate_listener(&a, b.hub.listener_name()).await;
    assert_eq!(killed, 1, "B's listener was found and terminated");
    let mut expected = Vec::new();
    for i in 1..=5 {
        expected.push(a.invite_ok(&admin, org(&acme), &format!("u{i}@example.com"), None).await);
    }
    for user in &expected {
        let event = ws.event(Duration::from_secs(5)).await.unwrap_or_else(|e| panic!("lost {user}: {e}"));
        assert_eq!(event["userId"], user.as_str());
    }
}

async fn terminate_listener(app: &TestApp, application_name: &str) -> i64 {
    use roster_db::diesel::sql_types::{BigInt, Text};
    use roster_db::prelude::*;
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        count: i64,
    }
    let mut conn = app.db.get().await.expect("a connection");
    let mut conn = conn.conn();
    let rows: Vec<Count> = roster_db::db_run!(&mut conn, |c| {
        roster_db::diesel::sql_query(
            "SELECT COUNT(pg_terminate_backend(pid)) AS count FROM pg_stat_activity WHERE application_name = $1",
        )
        .bind::<Text, _>(application_name)
        .load(c)
        .await
    })
    .expect("pg_terminate_backend runs");
    <[Count]>::first(&rows).map_or(0, |r| r.count)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_changes_across_two_replicas_arrive_once_each_in_order() {
    assert!(postgres_only());
    let a = TestApp::spawn(Backend::Postgres).await;
    let b = a.replica().await;
    let admin = a.sign_up("admin").await;
    let acme = a.create_org(&admin, "Acme").await;
    let mut on_a = WsClient::member_events(a.addr, &admin.token, org(&acme), None).await;
    let mut on_b = WsClient::member_events(b.addr, &admin.token, org(&acme), None).await;

    // 8 clients, 25 invitations each, alternating between the replicas.
    let clients = (0..8).map(|client| {
        let (a, b, admin, acme) = (&a, &b, &admin, &acme);
        async move {
            for i in 0..25 {
                let via = if (client + i) % 2 == 0 { a } else { b };
                via.invite_ok(admin, org(acme), &format!("c{client}-{i}@example.com"), None).await;
            }
        }
    });
    join_all(clients).await;

    for ws in [&mut on_a, &mut on_b] {
        let mut positions = Vec::new();
        for _ in 0..200 {
            let event = ws.event(Duration::from_secs(5)).await.expect("an event");
            positions.push(event["cursor"].as_str().expect("a cursor").to_owned());
        }
        assert!(ws.is_quiet(Duration::from_millis(300)).await, "exactly 200 events");
        let decoded: Vec<i64> = positions.iter().map(|c| position_of(c)).collect();
        let expected: Vec<i64> = (2..=201).collect();
        assert_eq!(decoded, expected, "every event once, in position order");
    }
}

/// The position in an event cursor (opaque to clients; the test peeks to check order).
fn position_of(cursor: &str) -> i64 {
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(cursor).expect("base64");
    let text = String::from_utf8(bytes).expect("utf-8");
    text.rsplit(':').next().and_then(|p| p.parse().ok()).expect("a position")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cursor_older_than_retention_is_expired() {
    let app = TestApp::spawn_with(Backend::Sqlite, |s| s.event_retention = Duration::from_secs(1)).await;
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let mut ws = WsClient::member_events(app.addr, &admin.token, org(&acme), None).await;
    let bob = app.invite_ok(&admin, org(&acme), "bob@example.com", None).await;
    let cursor =
        expect_event(&mut ws, "INVITED", &bob).await["cursor"].as_str().expect("a cursor").to_owned();
    app.invite_ok(&admin, org(&acme), "carol@example.com", None).await;
    app.invite_ok(&admin, org(&acme), "dan@example.com", None).await;
    // Past retention, and past a prune (every quarter of the retention, at least each second).
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let mut late = WsClient::member_events(app.addr, &admin.token, org(&acme), Some(&cursor)).await;
    let refused = late.event(SECOND).await.expect_err("expired");
    assert_eq!(error_code(&refused), "CURSOR_EXPIRED", "{refused}");
}

/// The cursor of the list as loaded now (its `eventCursor`).
async fn list_cursor(app: &TestApp, user: &roster_tests::TestUser, scope: Value) -> String {
    let list = app
        .graphql_as(
            Some(&user.token),
            "query($s: MembershipScope!) { members(scope: $s) { eventCursor } }",
            json!({ "s": scope }),
        )
        .await;
    list["data"]["members"]["eventCursor"]
        .as_str()
        .unwrap_or_else(|| panic!("an event cursor: {list}"))
        .to_owned()
}

async fn a_new_member_replays_nothing_from_before_joining(app: TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let early = list_cursor(&app, &admin, org(&acme)).await;
    let mut watching = WsClient::member_events(app.addr, &admin.token, org(&acme), None).await;
    let carol = app.invite_ok(&admin, org(&acme), "carol@example.com", None).await;
    expect_event(&mut watching, "INVITED", &carol).await;
    app.cancel(Some(&admin), org(&acme), &carol).await;
    let cancelled = expect_event(&mut watching, "INVITATION_CANCELLED", &carol).await;
    let bob = app.member(&admin, org(&acme), "bob", None).await;
    let bob_invited = expect_event(&mut watching, "INVITED", &bob.id).await;
    expect_event(&mut watching, "JOINED", &bob.id).await;
    let dan = app.invite_ok(&admin, org(&acme), "dan@example.com", None).await;
    expect_event(&mut watching, "INVITED", &dan).await;

    // Bob joined after Carol's invitation and its cancellation: neither is his to replay.
    for cursor in [early.as_str(), cancelled["cursor"].as_str().expect("a cursor")] {
        let mut ws = WsClient::member_events(app.addr, &bob.token, org(&acme), Some(cursor)).await;
        let refused = ws.event(SECOND).await.expect_err("a cursor from before Bob joined is refused");
        assert_eq!(error_code(&refused), "CURSOR_EXPIRED", "{refused}");
    }
    // From his joining on he resumes like anyone.
    let cursor = bob_invited["cursor"].as_str().expect("a cursor");
    let mut ws = WsClient::member_events(app.addr, &bob.token, org(&acme), Some(cursor)).await;
    expect_event(&mut ws, "JOINED", &bob.id).await;
    expect_event(&mut ws, "INVITED", &dan).await;
    assert!(ws.is_quiet(Duration::from_millis(300)).await, "nothing else");

    // An admin reads the audit log anyway, so replays everything kept.
    let mut ws = WsClient::member_events(app.addr, &admin.token, org(&acme), Some(&early)).await;
    let replayed = expect_event(&mut ws, "INVITED", &carol).await;
    assert_eq!(replayed["member"]["user"]["email"], "carol@example.com", "{replayed}");
    expect_event(&mut ws, "INVITATION_CANCELLED", &carol).await;
    expect_event(&mut ws, "INVITED", &bob.id).await;
    expect_event(&mut ws, "JOINED", &bob.id).await;
    expect_event(&mut ws, "INVITED", &dan).await;

    // In a team, the team membership is what grants the list.
    let core = app.create_team(&admin, &acme, "Core").await;
    let team_early = list_cursor(&app, &admin, team(&core)).await;
    let frank = app.invite_ok(&admin, team(&core), "frank@example.com", None).await;
    app.cancel(Some(&admin), team(&core), &frank).await;
    let erin = app.member(&admin, team(&core), "erin", None).await;
    let mut ws = WsClient::member_events(app.addr, &erin.token, team(&core), Some(&team_early)).await;
    let refused = ws.event(SECOND).await.expect_err("a cursor from before Erin joined is refused");
    assert_eq!(error_code(&refused), "CURSOR_EXPIRED", "{refused}");
    let mut ws = WsClient::member_events(app.addr, &admin.token, team(&core), Some(&team_early)).await;
    expect_event(&mut ws, "INVITED", &frank).await;
}

/// PostgreSQL: the listening connection goes silent (its packets are dropped, nothing is
/// closed). The hub notices its own heartbeats stop, listens afresh, and has every socket
/// re-check its session, so a sign-out on another replica still closes this one's socket.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listener_that_goes_silent_is_replaced_and_no_revocation_is_lost() {
    let server = roster_tests::pg::server_url();
    let target = server
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split('@').next_back())
        .and_then(|rest| rest.split('/').next())
        .and_then(|host_port| host_port.parse::<std::net::SocketAddr>().ok())
        .expect("TEST_DATABASE_URL names IP:PORT");
    let proxy = roster_tests::proxy::FreezeProxy::start(target).await;
    let app = TestApp::spawn_with(Backend::Postgres, |s| {
        let roster_db::DatabaseUrl::Postgres(url) = &s.database_url else { return };
        s.listen_database_url = Some(url.replace(&target.to_string(), &proxy.addr.to_string()));
        s.live_heartbeat = Duration::from_millis(500);
    })
    .await;
    let other = app.replica().await;
    let ana = app.sign_up("ana").await;
    let mut ws = WsClient::connect(app.addr, "graphql-transport-ws").await;
    ws.init(Some(&ana.token)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    proxy.freeze();
    other.graphql_as(Some(&ana.token), "mutation { signOut { __typename } }", json!({})).await;
    assert_eq!(ws.closed_with(Duration::from_secs(8)).await, Some(4403));
}

/// Reads one event per subscription on each socket (ids `0..per_socket`), all of `kind` about
/// `user_id`.
async fn every_subscription_sees(sockets: &mut [WsClient], per_socket: usize, kind: &str, user_id: &str) {
    join_all(sockets.iter_mut().map(|ws| async move {
        let mut seen = std::collections::HashSet::new();
        while seen.len() < per_socket {
            let message = ws.next(10 * SECOND).await.unwrap_or_else(|code| panic!("closed with {code:?}"));
            let event = &message["payload"]["data"]["memberListChanged"];
            assert_eq!((&event["kind"], &event["userId"]), (&json!(kind), &json!(user_id)), "{message}");
            assert!(seen.insert(message["id"].as_str().expect("an id").to_owned()), "once each: {message}");
        }
    }))
    .await;
}

/// After a removal every subscriber of the list re-checks its access; on this replica that is
/// one read for all of them, so a thousand subscribers cost no more statements than one, and
/// none of them runs out of pooled connections and ends with SERVICE_UNAVAILABLE.
async fn removing_a_member_ends_no_other_of_a_thousand_streams_and_costs_no_query_each(app: TestApp) {
    const SOCKETS: usize = 20;
    const PER_SOCKET: usize = 50;
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let mut tokens = vec![admin.token.clone()];
    for name in ["bob", "carol", "dan"] {
        tokens.push(app.member(&admin, org(&acme), name, None).await.token);
    }
    let victim = app.member(&admin, org(&acme), "victim", None).await;
    let list = app
        .graphql_as(
            Some(&admin.token),
            "query($s: MembershipScope!) { members(scope: $s) { eventCursor } }",
            json!({ "s": org(&acme) }),
        )
        .await;
    let cursor = list["data"]["members"]["eventCursor"].as_str().expect("an event cursor").to_owned();

    // Each subscription starts from the cursor, so erin's invitation, made first, is replayed to
    // it: having seen it, a subscription is live. One socket at a time, as clients arrive.
    let erin = app.invite_ok(&admin, org(&acme), "erin@example.com", None).await;
    let mut victim_ws = WsClient::member_events(app.addr, &victim.token, org(&acme), Some(&cursor)).await;
    expect_event(&mut victim_ws, "INVITED", &erin).await;
    let mut sockets = Vec::new();
    for i in 0..SOCKETS {
        let mut ws = WsClient::connect(app.addr, "graphql-transport-ws").await;
        ws.init(Some(&tokens[i % tokens.len()])).await;
        for id in 0..PER_SOCKET {
            ws.send(json!({
                "type": "subscribe", "id": id.to_string(),
                "payload": { "query": MEMBER_EVENTS, "variables": { "scope": org(&acme), "after": cursor } }
            }))
            .await;
        }
        every_subscription_sees(std::slice::from_mut(&mut ws), PER_SOCKET, "INVITED", &erin).await;
        sockets.push(ws);
    }
    app.smtp.wait_for_invitation("erin@example.com", 1).await;

    let before = app.db.queries_run();
    app.remove(Some(&admin), org(&acme), &victim.id).await;
    let ended = victim_ws.event(10 * SECOND).await.expect_err("the removed member's stream ends");
    assert_eq!(error_code(&ended), "FORBIDDEN", "{ended}");
    every_subscription_sees(&mut sockets, PER_SOCKET, "REMOVED", &victim.id).await;
    let spent = app.db.queries_run() - before;
    // The removal's own transaction, the hub's read of the event, one access read for the
    // list, and whatever background polling falls in the window: a constant, where one
    // re-check per subscriber would be over two thousand.
    assert!(spent < 60, "{spent} statements for {} subscribers", SOCKETS * PER_SOCKET + 1);

    // Every other stream is still live.
    let frank = app.invite_ok(&admin, org(&acme), "frank@example.com", None).await;
    every_subscription_sees(&mut sockets, PER_SOCKET, "INVITED", &frank).await;
}

/// The hub's one-second catch-up (the backstop for missed wake-ups) asks which of the lists
/// it watches moved in one query for all of them, not one per list.
async fn the_periodic_catch_up_reads_all_watched_lists_in_one_query(app: TestApp) {
    const LISTS: usize = 20;
    let admin = app.sign_up("admin").await;
    let mut sockets = Vec::new();
    for i in 0..LISTS {
        let organization = app.create_org(&admin, &format!("Org {i}")).await;
        sockets.push(WsClient::member_events(app.addr, &admin.token, org(&organization), None).await);
    }
    // Three polls' worth of idleness.
    let before = app.db.queries_run();
    tokio::time::sleep(Duration::from_millis(3100)).await;
    let spent = app.db.queries_run() - before;
    // Three or four catch-ups, the mail sender's own polls and a heartbeat: a handful, where
    // a query per list per poll would be 60 or more. (That the catch-up still delivers what
    // a missed wake-up would have is `killing_replica_bs_listener_loses_no_event`'s test.)
    assert!(spent <= 20, "{spent} statements in 3 s for {LISTS} idle lists");
    for ws in &mut sockets {
        assert!(ws.is_quiet(Duration::from_millis(10)).await, "nothing was sent");
    }
}
