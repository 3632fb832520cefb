//! Fan-out: a live event is rendered once per class of subscribers (same document and
//! variables, same rules for `availableActions`, not the event's own user or inviter), and
//! every subscriber of a class receives the same bytes under its own subscription id.

use std::time::Duration;

use roster_tests::flows::org;
use roster_tests::ws::{MEMBER_EVENTS, WsClient};
use roster_tests::{TestApp, TestUser, backend_tests};
use serde_json::{Value, json};

backend_tests!(
    each_event_is_rendered_once_per_class_and_read_as_each_subscriber_may,
    the_events_own_user_and_inviter_read_their_own_fields,
    subscribers_resuming_from_different_cursors_share_a_render,
    a_subscription_stopped_and_started_again_under_its_id_gets_its_events,
    a_document_subscribing_twice_gets_each_field_under_its_alias,
);

const SECONDS: Duration = Duration::from_secs(5);

/// The same selection as [`MEMBER_EVENTS`], under aliases: another class.
const ALIASED: &str = "subscription($scope: MembershipScope!) {
    changed: memberListChanged(scope: $scope) { what: kind who: userId member { actions: availableActions } } }";

/// What the inviter and the invitee see of their own `emailVerified`.
const VERIFIED: &str = "subscription($scope: MembershipScope!) {
    memberListChanged(scope: $scope) { userId member { invitedBy { id emailVerified } } } }";

/// A signed-in socket with one subscription per `(id, query)`, all to `scope`.
async fn subscribed(
    app: &TestApp,
    user: &TestUser,
    scope: &Value,
    subscriptions: &[(&str, &str)],
) -> WsClient {
    let mut ws = WsClient::connect(app.addr, "graphql-transport-ws").await;
    ws.init(Some(&user.token)).await;
    for (id, query) in subscriptions {
        ws.send(json!({ "type": "subscribe", "id": id, "payload": { "query": query, "variables": { "scope": scope } } }))
            .await;
    }
    // No acknowledgement to wait for (see `WsClient::member_events`).
    tokio::time::sleep(Duration::from_millis(200)).await;
    ws
}

/// The next `next` message's id and data.
async fn next_event(ws: &mut WsClient) -> (String, Value) {
    let message = ws.next(SECONDS).await.unwrap_or_else(|code| panic!("closed with {code:?}"));
    assert_eq!(message["type"], "next", "{message}");
    assert!(message["payload"].get("errors").is_none(), "{message}");
    (message["id"].as_str().unwrap_or_default().to_owned(), message["payload"]["data"].clone())
}

/// One event that every subscription receives before the test counts anything.
async fn settle(app: &TestApp, owner: &TestUser, scope: &Value, sockets: &mut [(&mut WsClient, usize)]) {
    app.invite_ok(owner, scope.clone(), "warmup@example.com", None).await;
    for (ws, subscriptions) in sockets.iter_mut() {
        for _ in 0..*subscriptions {
            next_event(ws).await;
        }
    }
}

async fn each_event_is_rendered_once_per_class_and_read_as_each_subscriber_may(app: TestApp) {
    let owner = app.sign_up("owner").await;
    let acme = app.create_org(&owner, "Acme").await;
    let scope = org(&acme);
    let ann = app.member(&owner, scope.clone(), "ann", Some("ADMIN")).await;
    let abe = app.member(&owner, scope.clone(), "abe", Some("ADMIN")).await;
    let mia = app.member(&owner, scope.clone(), "mia", None).await;
    let max = app.member(&owner, scope.clone(), "max", None).await;

    // Admins: ann on two sockets, one of them with two subscriptions (an id that needs
    // escaping among them), and abe. Members: mia, and max with the aliased selection too.
    let mut ann_1 =
        subscribed(&app, &ann, &scope, &[("1", MEMBER_EVENTS), ("a \"quoted\" id", MEMBER_EVENTS)]).await;
    let mut ann_2 = subscribed(&app, &ann, &scope, &[("1", MEMBER_EVENTS)]).await;
    let mut abe_1 = subscribed(&app, &abe, &scope, &[("x", MEMBER_EVENTS)]).await;
    let mut mia_1 = subscribed(&app, &mia, &scope, &[("1", MEMBER_EVENTS)]).await;
    let mut max_1 = subscribed(&app, &max, &scope, &[("1", MEMBER_EVENTS), ("2", ALIASED)]).await;
    settle(
        &app,
        &owner,
        &scope,
        &mut [(&mut ann_1, 2), (&mut ann_2, 1), (&mut abe_1, 1), (&mut mia_1, 1), (&mut max_1, 2)],
    )
    .await;

    let renders = app.hub.renders();
    let carol = app.invite_ok(&owner, scope.clone(), "carol@example.com", None).await;
    let admin_actions = json!(["RESEND_INVITATION", "CANCEL_INVITATION", "CHANGE_ROLE"]);

    let mut ids = Vec::new();
    for _ in 0..2 {
        let (id, data) = next_event(&mut ann_1).await;
        assert_eq!(data["memberListChanged"]["userId"], carol.as_str());
        assert_eq!(data["memberListChanged"]["member"]["availableActions"], admin_actions);
        ids.push(id);
    }
    ids.sort();
    assert_eq!(ids, ["1", "a \"quoted\" id"], "each subscription gets the event under its own id");
    for ws in [&mut ann_2, &mut abe_1] {
        let (_, data) = next_event(ws).await;
        assert_eq!(data["memberListChanged"]["member"]["availableActions"], admin_actions);
    }
    let (_, data) = next_event(&mut mia_1).await;
    assert_eq!(data["memberListChanged"]["userId"], carol.as_str());
    assert_eq!(data["memberListChanged"]["member"]["availableActions"], json!([]), "members get no actions");
    let mut by_id = std::collections::BTreeMap::new();
    for _ in 0..2 {
        let (id, data) = next_event(&mut max_1).await;
        by_id.insert(id, data);
    }
    assert_eq!(by_id["1"]["memberListChanged"]["member"]["availableActions"], json!([]));
    assert_eq!(
        by_id["2"],
        json!({ "changed": { "what": "INVITED", "who": carol, "member": { "actions": [] } } })
    );

    // Seven subscriptions in three classes: the admins', the members', the aliased one.
    assert_eq!(app.hub.renders() - renders, 3, "one render per class, not per subscriber");
}

async fn the_events_own_user_and_inviter_read_their_own_fields(app: TestApp) {
    let owner = app.sign_up("owner").await;
    let acme = app.create_org(&owner, "Acme").await;
    let scope = org(&acme);
    let ann = app.member(&owner, scope.clone(), "ann", Some("ADMIN")).await;
    let abe = app.member(&owner, scope.clone(), "abe", Some("ADMIN")).await;
    let mut ann_ws = subscribed(&app, &ann, &scope, &[("1", VERIFIED)]).await;
    let mut abe_ws = subscribed(&app, &abe, &scope, &[("1", VERIFIED)]).await;
    settle(&app, &owner, &scope, &mut [(&mut ann_ws, 1), (&mut abe_ws, 1)]).await;

    // Ann invites: the event's inviter is ann, who alone sees her own emailVerified, although
    // abe has the same selection and the same rules.
    app.invite_ok(&ann, scope.clone(), "dave@example.com", None).await;
    let (_, seen_by_ann) = next_event(&mut ann_ws).await;
    let (_, seen_by_abe) = next_event(&mut abe_ws).await;
    let inviter = |data: &Value| data["memberListChanged"]["member"]["invitedBy"].clone();
    assert_eq!(inviter(&seen_by_ann), json!({ "id": ann.id, "emailVerified": true }));
    assert_eq!(inviter(&seen_by_abe), json!({ "id": ann.id, "emailVerified": false }));
}

async fn subscribers_resuming_from_different_cursors_share_a_render(app: TestApp) {
    let owner = app.sign_up("owner").await;
    let acme = app.create_org(&owner, "Acme").await;
    let scope = org(&acme);
    let ann = app.member(&owner, scope.clone(), "ann", Some("ADMIN")).await;
    // The same document, `after` null for one and an event's cursor for the other: the
    // cursor only says where a stream starts, so both read the next event alike.
    let mut fresh = WsClient::member_events(app.addr, &ann.token, scope.clone(), None).await;
    app.invite_ok(&owner, scope.clone(), "bob@example.com", None).await;
    let first = fresh.event(SECONDS).await.expect("the first event");
    let cursor = first["cursor"].as_str().unwrap_or_default().to_owned();
    let mut resumed = WsClient::member_events(app.addr, &ann.token, scope.clone(), Some(&cursor)).await;

    let renders = app.hub.renders();
    let carol = app.invite_ok(&owner, scope.clone(), "carol@example.com", None).await;
    for ws in [&mut fresh, &mut resumed] {
        let event = ws.event(SECONDS).await.expect("the second event");
        assert_eq!(event["userId"], carol.as_str());
    }
    assert_eq!(app.hub.renders() - renders, 1, "one class, whatever the cursors");
}

async fn a_subscription_stopped_and_started_again_under_its_id_gets_its_events(app: TestApp) {
    let owner = app.sign_up("owner").await;
    let acme = app.create_org(&owner, "Acme").await;
    let scope = org(&acme);
    let subscribe = json!({ "type": "subscribe", "id": "1", "payload": { "query": MEMBER_EVENTS, "variables": { "scope": scope } } });
    let mut ws = WsClient::connect(app.addr, "graphql-transport-ws").await;
    ws.init(Some(&owner.token)).await;
    ws.send(subscribe.clone()).await;
    // Stopped and started again at once, three times: the engine's `complete` for each stop
    // comes after the next start, and must not end the subscription that took the id.
    for _ in 0..3 {
        ws.send(json!({ "type": "complete", "id": "1" })).await;
        ws.send(subscribe.clone()).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let bob = app.invite_ok(&owner, scope.clone(), "bob@example.com", None).await;
    let event = loop {
        let message = ws.next(SECONDS).await.unwrap_or_else(|code| panic!("closed with {code:?}"));
        match message["type"].as_str() {
            Some("complete") => continue,
            _ => break message,
        }
    };
    assert_eq!(event["type"], "next", "{event}");
    assert_eq!(event["id"], "1");
    assert_eq!(event["payload"]["data"]["memberListChanged"]["userId"], bob.as_str());
}

async fn a_document_subscribing_twice_gets_each_field_under_its_alias(app: TestApp) {
    let owner = app.sign_up("owner").await;
    let acme = app.create_org(&owner, "Acme").await;
    let scope = org(&acme);
    let twice = "subscription($scope: MembershipScope!) {
        a: memberListChanged(scope: $scope) { userId } b: memberListChanged(scope: $scope) { kind } }";
    let mut ws = subscribed(&app, &owner, &scope, &[("1", twice)]).await;
    let bob = app.invite_ok(&owner, scope.clone(), "bob@example.com", None).await;
    let mut answers = Vec::new();
    for _ in 0..2 {
        let (id, data) = next_event(&mut ws).await;
        assert_eq!(id, "1");
        answers.push(data);
    }
    answers.sort_by_key(|data| data.as_object().and_then(|o| o.keys().next().cloned()));
    assert_eq!(answers, [json!({ "a": { "userId": bob } }), json!({ "b": { "kind": "INVITED" } })]);
}
