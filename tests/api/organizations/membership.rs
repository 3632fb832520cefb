//! Everyday membership operations: changing roles, leaving, renaming, deleting teams, inviting
//! many at once, and changes that reach every scope they touch.

use std::time::Duration;

use roster_tests::flows::{PASSWORD, org, team};
use roster_tests::ws::WsClient;
use roster_tests::{Backend, TestApp, backend_tests};
use serde_json::{Value, json};

const SECOND: Duration = Duration::from_secs(1);

fn codes(entries: &[Value]) -> Vec<&str> {
    entries.iter().filter_map(|e| e["code"].as_str()).collect()
}

backend_tests!(
    roles_change_within_what_each_scope_allows,
    the_last_admin_is_never_demoted_and_change_role_is_offered_only_when_it_would_work,
    a_pending_members_role_is_the_one_their_invitation_grants,
    members_leave_organizations_with_their_teams_but_the_last_admin_cannot,
    organizations_and_teams_are_renamed_by_those_who_administer_them,
    deleting_a_team_ends_its_memberships_invitations_and_streams,
    many_people_are_invited_at_once_each_answered_in_order,
    cancelling_an_organization_invitation_cancels_the_team_invitations_too,
    removing_a_member_cancels_their_pending_team_invitations_and_their_mail,
    a_replay_shows_each_member_as_they_were,
);

async fn roles_change_within_what_each_scope_allows(app: TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let design = app.create_team(&admin, &acme, "Design").await;
    let bob = app.member(&admin, org(&acme), "bob", None).await;
    let mut ws = WsClient::member_events(app.addr, &admin.token, org(&acme), None).await;

    let promoted = app.change_role(Some(&admin), org(&acme), &bob.id, "ADMIN").await;
    assert_eq!(promoted["__typename"], "ChangeMemberRoleSuccess", "{promoted}");
    assert_eq!(promoted["member"]["role"], "ADMIN");
    let event = ws.event(SECOND).await.expect("an event");
    assert_eq!(
        (event["kind"].as_str(), event["member"]["role"].as_str()),
        (Some("ROLE_CHANGED"), Some("ADMIN"))
    );
    let log = app.audit(&admin, &acme).await;
    assert_eq!(log[0]["action"], "Admin changed member role");
    assert_eq!(
        (log[0]["code"].as_str(), log[0]["target"]["id"].as_str()),
        (Some("ROLE_CHANGED"), Some(bob.id.as_str()))
    );

    // OWNER is a team role, ADMIN an organization one.
    let wrong = app.change_role(Some(&admin), org(&acme), &bob.id, "OWNER").await;
    assert_eq!(
        (wrong["__typename"].as_str(), wrong["field"].as_str()),
        (Some("ValidationError"), Some("role"))
    );
    let dana = app.member(&admin, team(&design), "dana", None).await;
    let wrong = app.change_role(Some(&admin), team(&design), &dana.id, "ADMIN").await;
    assert_eq!(wrong["__typename"], "ValidationError");

    // A team owner changes roles in their team, not in the organization.
    let owner = app.member(&admin, team(&design), "owner", Some("OWNER")).await;
    let in_team = app.change_role(Some(&owner), team(&design), &dana.id, "OWNER").await;
    assert_eq!(in_team["member"]["role"], "OWNER", "{in_team}");
    let in_org = app.change_role(Some(&owner), org(&acme), &dana.id, "ADMIN").await;
    assert_eq!(in_org["__typename"], "NotAuthorizedError", "{in_org}");
    let outsider = app.sign_up("outsider").await;
    let hidden = app.change_role(Some(&outsider), org(&acme), &bob.id, "MEMBER").await;
    assert_eq!(hidden["__typename"], "NotFoundError");
}

async fn the_last_admin_is_never_demoted_and_change_role_is_offered_only_when_it_would_work(app: TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let me = app.member_in(&admin, org(&acme), &admin.id).await.expect("listed");
    assert_eq!(me["availableActions"], json!([]), "the last admin: neither removal nor demotion");
    let refused = app.change_role(Some(&admin), org(&acme), &admin.id, "MEMBER").await;
    assert_eq!(refused["__typename"], "LastAdminError", "{refused}");
    let bob = app.member(&admin, org(&acme), "bob", Some("ADMIN")).await;
    let me = app.member_in(&admin, org(&acme), &admin.id).await.expect("listed");
    assert_eq!(me["availableActions"], json!(["REMOVE_MEMBER", "CHANGE_ROLE"]));
    // With two admins, one may step down; then the other is the last.
    let stepped = app.change_role(Some(&admin), org(&acme), &admin.id, "MEMBER").await;
    assert_eq!(stepped["__typename"], "ChangeMemberRoleSuccess", "{stepped}");
    assert_eq!(stepped["member"]["availableActions"], json!([]), "no longer an admin, so no actions");
    let refused = app.change_role(Some(&bob), org(&acme), &bob.id, "MEMBER").await;
    assert_eq!(refused["__typename"], "LastAdminError");
}

async fn a_pending_members_role_is_the_one_their_invitation_grants(app: TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let bob = app.invite_ok(&admin, org(&acme), "bob@example.com", None).await;
    let changed = app.change_role(Some(&admin), org(&acme), &bob, "ADMIN").await;
    assert_eq!(
        (changed["member"]["role"].as_str(), changed["member"]["status"].as_str()),
        (Some("ADMIN"), Some("UNVERIFIED"))
    );
    let token = app.invitation_token("bob@example.com", 1).await;
    let bob = app.accept_new(&token, "bob@example.com").await;
    let row = app.member_in(&admin, org(&acme), &bob.id).await.expect("listed");
    assert_eq!((row["role"].as_str(), row["status"].as_str()), (Some("ADMIN"), Some("VERIFIED")));
}

async fn members_leave_organizations_with_their_teams_but_the_last_admin_cannot(app: TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let design = app.create_team(&admin, &acme, "Design").await;
    let bob = app.member(&admin, team(&design), "bob", None).await;
    let mut own = WsClient::member_events(app.addr, &bob.token, org(&acme), None).await;
    let mut team_list = WsClient::member_events(app.addr, &admin.token, team(&design), None).await;

    let left = app.leave(Some(&bob), org(&acme)).await;
    assert_eq!(left, json!({ "__typename": "LeaveScopeSuccess", "organizationId": acme, "teamId": null }));
    assert!(app.member_in(&admin, org(&acme), &bob.id).await.is_none());
    assert!(app.members(&admin, team(&design)).await.is_empty(), "their teams went with it");
    let event = team_list.event(SECOND).await.expect("an event");
    assert_eq!((event["kind"].as_str(), event["userId"].as_str()), (Some("REMOVED"), Some(bob.id.as_str())));
    let ended = loop {
        match own.event(SECOND).await {
            Ok(_) => continue,
            Err(end) => break end,
        }
    };
    let code =
        if ended["payload"].is_array() { &ended["payload"][0] } else { &ended["payload"]["errors"][0] };
    assert_eq!(code["extensions"]["code"], "FORBIDDEN", "{ended}");
    let log = app.audit(&admin, &acme).await;
    assert_eq!(
        (log[0]["action"].as_str(), log[0]["code"].as_str()),
        (Some("Member left"), Some("MEMBER_LEFT"))
    );
    // Not a member any more; the last admin may not go.
    assert_eq!(app.leave(Some(&bob), org(&acme)).await["__typename"], "NotFoundError");
    assert_eq!(app.leave(Some(&admin), org(&acme)).await["__typename"], "LastAdminError");
    // Leaving a team leaves only the team.
    let carol = app.member(&admin, team(&design), "carol", None).await;
    let left = app.leave(Some(&carol), team(&design)).await;
    assert_eq!(left["teamId"], design.as_str(), "{left}");
    assert!(app.member_in(&admin, org(&acme), &carol.id).await.is_some());
}

async fn organizations_and_teams_are_renamed_by_those_who_administer_them(app: TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let design = app.create_team(&admin, &acme, "Design").await;
    let owner = app.member(&admin, team(&design), "owner", Some("OWNER")).await;
    let renamed = app.rename_org(Some(&admin), &acme, "  Acme Inc.  ").await;
    assert_eq!(renamed["organization"]["name"], "Acme Inc.", "{renamed}");
    assert_eq!(app.rename_org(Some(&owner), &acme, "Mine").await["__typename"], "NotAuthorizedError");
    assert_eq!(app.rename_org(Some(&admin), &acme, " ").await["__typename"], "ValidationError");
    let renamed = app.rename_team(Some(&owner), &design, "Product design").await;
    assert_eq!(renamed["team"]["name"], "Product design", "{renamed}");
    let outsider = app.sign_up("outsider").await;
    assert_eq!(app.rename_team(Some(&outsider), &design, "X").await["__typename"], "NotFoundError");
    let log = app.audit(&admin, &acme).await;
    assert_eq!(codes(&log)[..2], ["TEAM_RENAMED", "ORGANIZATION_RENAMED"]);
}

async fn deleting_a_team_ends_its_memberships_invitations_and_streams(app: TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let design = app.create_team(&admin, &acme, "Design").await;
    let owner = app.member(&admin, team(&design), "owner", Some("OWNER")).await;
    app.invite_ok(&admin, team(&design), "pending@example.com", None).await;
    let link = app.invitation_token("pending@example.com", 1).await;
    let mut watching = WsClient::member_events(app.addr, &admin.token, team(&design), None).await;

    assert_eq!(app.delete_team(Some(&owner), &design).await["__typename"], "NotAuthorizedError");
    let deleted = app.delete_team(Some(&admin), &design).await;
    assert_eq!(deleted, json!({ "__typename": "DeleteTeamSuccess", "teamId": design }));
    // Its members leave its list, then the stream ends.
    let mut kinds = Vec::new();
    let ended = loop {
        match watching.event(SECOND).await {
            Ok(event) => kinds.push(event["kind"].as_str().unwrap_or_default().to_owned()),
            Err(end) => break end,
        }
    };
    kinds.sort();
    assert_eq!(kinds, ["INVITATION_CANCELLED", "REMOVED"]);
    let code =
        if ended["payload"].is_array() { &ended["payload"][0] } else { &ended["payload"]["errors"][0] };
    assert_eq!(code["extensions"]["code"], "SCOPE_DELETED", "{ended}");
    // Gone everywhere; the invitation's link is dead; the log says so.
    let lookup = app
        .graphql_as(Some(&admin.token), "query($t: ID!) { team(id: $t) { id } }", json!({ "t": design }))
        .await;
    assert_eq!(lookup["data"]["team"], Value::Null);
    let teams = app
        .graphql_as(
            Some(&admin.token),
            "query($o: ID!) { organization(id: $o) { teams { id } } }",
            json!({ "o": acme }),
        )
        .await;
    assert_eq!(teams["data"]["organization"]["teams"], json!([]));
    let accepted = app.accept(None, &link, Some(PASSWORD), Some("Late")).await;
    assert_eq!(accepted["__typename"], "InvalidInvitationError");
    assert_eq!(
        app.members_answer(Some(&owner), team(&design)).await["errors"][0]["extensions"]["code"],
        "FORBIDDEN"
    );
    let log = app.audit(&admin, &acme).await;
    assert_eq!(log[0]["action"], "Admin deleted team");
    assert!(codes(&log).contains(&"INVITATION_CANCELLED"), "the pending invitation's end is logged");
    // A new subscription to it is refused, and it cannot be deleted twice.
    assert_eq!(app.delete_team(Some(&admin), &design).await["__typename"], "NotFoundError");
}

async fn many_people_are_invited_at_once_each_answered_in_order(app: TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    app.invite_ok(&admin, org(&acme), "already@example.com", None).await;
    let mut ws = WsClient::member_events(app.addr, &admin.token, org(&acme), None).await;
    let items = [
        ("a@example.com", None),
        ("not an email", None),
        ("already@example.com", None),
        ("b@example.com", Some("ADMIN")),
    ];
    let answer = app.invite_users(Some(&admin), org(&acme), &items).await;
    assert_eq!(answer["__typename"], "InviteUsersSuccess", "{answer}");
    let kinds: Vec<&str> = answer["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|r| r["__typename"].as_str())
        .collect();
    assert_eq!(kinds, ["InviteUserSuccess", "ValidationError", "AlreadyMemberError", "InviteUserSuccess"]);
    assert_eq!(answer["results"][3]["member"]["role"], "ADMIN");
    // The list and its subscribers see every successful item.
    for email in ["a@example.com", "b@example.com"] {
        let event = ws.event(SECOND).await.expect("an event");
        assert_eq!(event["member"]["user"]["email"], email, "{event}");
    }
    let too_many: Vec<(String, Option<&str>)> =
        (0..101).map(|i| (format!("p{i}@example.com"), None)).collect();
    let too_many: Vec<(&str, Option<&str>)> = too_many.iter().map(|(e, r)| (e.as_str(), *r)).collect();
    let refused = app.invite_users(Some(&admin), org(&acme), &too_many).await;
    assert_eq!(
        (refused["__typename"].as_str(), refused["field"].as_str()),
        (Some("ValidationError"), Some("invitations"))
    );
    assert_eq!(app.members(&admin, org(&acme)).await.len(), 4, "nobody from the refused call");
}

async fn cancelling_an_organization_invitation_cancels_the_team_invitations_too(app: TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let design = app.create_team(&admin, &acme, "Design").await;
    let bob = app.invite_ok(&admin, org(&acme), "bob@example.com", None).await;
    app.invite_ok(&admin, team(&design), "bob@example.com", None).await;
    let team_link = app.invitation_token("bob@example.com", 2).await;
    let mut team_list = WsClient::member_events(app.addr, &admin.token, team(&design), None).await;
    let cancelled = app.cancel(Some(&admin), org(&acme), &bob).await;
    assert_eq!(cancelled["__typename"], "CancelInvitationSuccess", "{cancelled}");
    let event = team_list.event(SECOND).await.expect("an event");
    assert_eq!(
        (event["kind"].as_str(), event["userId"].as_str()),
        (Some("INVITATION_CANCELLED"), Some(bob.as_str()))
    );
    assert!(app.members(&admin, team(&design)).await.is_empty());
    // The team invitation's link no longer makes anyone a member.
    let accepted = app.accept(None, &team_link, Some(PASSWORD), Some("Bob")).await;
    assert_eq!(accepted["__typename"], "InvalidInvitationError", "{accepted}");
    assert!(app.members(&admin, org(&acme)).await.iter().all(|m| m["user"]["id"] != bob.as_str()));
    let log = app.audit(&admin, &acme).await;
    let cancellations: Vec<&Value> =
        log.iter().filter(|e| e["action"] == "Admin cancelled user invite").collect();
    assert_eq!(cancellations.len(), 2, "one for each invitation: {log:?}");
    assert_eq!(cancellations[0]["teamId"], design.as_str());
}

async fn removing_a_member_cancels_their_pending_team_invitations_and_their_mail(app: TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let design = app.create_team(&admin, &acme, "Design").await;
    let bob = app.member(&admin, org(&acme), "bob", None).await;
    // The team invitation's email is still queued when Bob is removed.
    app.smtp.set_failing(true);
    app.invite_ok(&admin, team(&design), "bob@example.com", None).await;
    // The sender has tried it and failed; it is not mid-conversation, about to succeed once
    // the server is back, when Bob is removed.
    app.smtp.wait_for_failures(1).await;
    let removed = app.remove(Some(&admin), org(&acme), &bob.id).await;
    assert_eq!(removed["__typename"], "RemoveMemberSuccess", "{removed}");
    app.smtp.set_failing(false);
    let log = app.audit(&admin, &acme).await;
    assert_eq!(codes(&log)[..2], ["MEMBER_REMOVED", "INVITATION_CANCELLED"], "{log:?}");
    // The email is dropped, not sent once the server is back.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let to_bob =
        app.smtp.messages().into_iter().filter(|m| m.to.iter().any(|t| t == "bob@example.com")).count();
    assert_eq!(to_bob, 1, "only the organization invitation's email, sent before");
    use roster_db::prelude::*;
    use roster_db::schema::{email_outbox, invitations};
    let mut conn = app.db.get().await.expect("a connection");
    let mut conn = conn.conn();
    let states: Vec<String> = roster_db::db_run!(&mut conn, |c| {
        invitations::table.filter(invitations::team_id.eq(&design)).select(invitations::state).load(c).await
    })
    .expect("the invitations");
    assert_eq!(states, ["CANCELLED"]);
    let dropped: i64 = roster_db::db_run!(&mut conn, |c| {
        email_outbox::table.filter(email_outbox::dropped_at.is_not_null()).count().get_result(c).await
    })
    .expect("the outbox");
    assert_eq!(dropped, 1);
}

async fn a_replay_shows_each_member_as_they_were(app: TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let start = app
        .graphql_as(
            Some(&admin.token),
            "query($s: MembershipScope!) { members(scope: $s) { eventCursor } }",
            json!({ "s": org(&acme) }),
        )
        .await["data"]["members"]["eventCursor"]
        .as_str()
        .expect("a cursor")
        .to_owned();
    let bob = app.member(&admin, org(&acme), "bob", None).await;
    app.change_role(Some(&admin), org(&acme), &bob.id, "ADMIN").await;
    // Replayed after all of it: each event shows Bob as the change left him.
    let mut ws = WsClient::member_events(app.addr, &admin.token, org(&acme), Some(&start)).await;
    let mut seen = Vec::new();
    for _ in 0..3 {
        let event = ws.event(SECOND).await.expect("an event");
        seen.push((
            event["kind"].clone(),
            event["member"]["status"].clone(),
            event["member"]["role"].clone(),
        ));
    }
    assert_eq!(
        seen,
        [
            (json!("INVITED"), json!("UNVERIFIED"), json!("MEMBER")),
            (json!("JOINED"), json!("VERIFIED"), json!("MEMBER")),
            (json!("ROLE_CHANGED"), json!("VERIFIED"), json!("ADMIN")),
        ]
    );
}

/// PostgreSQL: two admins demote each other at the same moment, fifty times. The scope lock
/// serialises them: one wins, the other is the last admin, and an admin always remains.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_admins_demoting_each_other_always_leave_one_admin() {
    let app = TestApp::spawn(Backend::Postgres).await;
    let ana = app.sign_up("ana").await;
    let acme = app.create_org(&ana, "Acme").await;
    let ben = app.member(&ana, org(&acme), "ben", Some("ADMIN")).await;
    for round in 0..50 {
        let (a, b) = tokio::join!(
            app.change_role(Some(&ana), org(&acme), &ben.id, "MEMBER"),
            app.change_role(Some(&ben), org(&acme), &ana.id, "MEMBER"),
        );
        let outcomes =
            [a["__typename"].as_str().unwrap_or_default(), b["__typename"].as_str().unwrap_or_default()];
        let wins = outcomes.iter().filter(|o| **o == "ChangeMemberRoleSuccess").count();
        let members = app.members(&ana, org(&acme)).await;
        let admins: Vec<&Value> = members.iter().filter(|m| m["role"] == "ADMIN").collect();
        assert_eq!(admins.len(), 1, "round {round}: {outcomes:?}");
        assert_eq!(wins, 1, "round {round}: {outcomes:?}");
        // The one left promotes the other again for the next round.
        let (winner, loser) =
            if admins[0]["user"]["id"] == ana.id.as_str() { (&ana, &ben) } else { (&ben, &ana) };
        let again = app.change_role(Some(winner), org(&acme), &loser.id, "ADMIN").await;
        assert_eq!(again["__typename"], "ChangeMemberRoleSuccess");
    }
}

backend_tests!(
    a_role_change_racing_a_removal_leaves_one_consistent_outcome,
    leaving_racing_a_role_change_leaves_one_consistent_outcome,
    deleting_a_team_racing_an_accept_of_its_invitation,
);

async fn a_role_change_racing_a_removal_leaves_one_consistent_outcome(app: TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    for round in 0..5 {
        let bob = app.member(&admin, org(&acme), &format!("bob{round}"), None).await;
        let (changed, removed) = tokio::join!(
            app.change_role(Some(&admin), org(&acme), &bob.id, "ADMIN"),
            app.remove(Some(&admin), org(&acme), &bob.id),
        );
        assert_eq!(removed["__typename"], "RemoveMemberSuccess", "{removed}");
        assert!(
            matches!(changed["__typename"].as_str(), Some("ChangeMemberRoleSuccess" | "NotFoundError")),
            "{changed}"
        );
        assert!(app.member_in(&admin, org(&acme), &bob.id).await.is_none(), "removed in the end");
    }
}

async fn leaving_racing_a_role_change_leaves_one_consistent_outcome(app: TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    for round in 0..5 {
        let bob = app.member(&admin, org(&acme), &format!("bob{round}"), None).await;
        let (left, changed) = tokio::join!(
            app.leave(Some(&bob), org(&acme)),
            app.change_role(Some(&admin), org(&acme), &bob.id, "ADMIN"),
        );
        assert_eq!(left["__typename"], "LeaveScopeSuccess", "{left}");
        assert!(
            matches!(changed["__typename"].as_str(), Some("ChangeMemberRoleSuccess" | "NotFoundError")),
            "{changed}"
        );
        assert!(app.member_in(&admin, org(&acme), &bob.id).await.is_none());
        let admins =
            app.members(&admin, org(&acme)).await.into_iter().filter(|m| m["role"] == "ADMIN").count();
        assert_eq!(admins, 1, "whoever won, bob is not an admin who is gone");
    }
}

async fn deleting_a_team_racing_an_accept_of_its_invitation(app: TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    for round in 0..5 {
        let design = app.create_team(&admin, &acme, &format!("Design {round}")).await;
        let email = format!("late{round}@example.com");
        app.invite_ok(&admin, team(&design), &email, None).await;
        let link = app.invitation_token(&email, 1).await;
        let (deleted, accepted) = tokio::join!(
            app.delete_team(Some(&admin), &design),
            app.accept(None, &link, Some(PASSWORD), Some("Late"))
        );
        assert_eq!(deleted["__typename"], "DeleteTeamSuccess", "{deleted}");
        match accepted["__typename"].as_str() {
            // Accepted first: they joined the organization, then the team went.
            Some("AcceptInvitationSuccess") => {
                let id = accepted["user"]["id"].as_str().unwrap_or_default();
                assert!(app.member_in(&admin, org(&acme), id).await.is_some());
            }
            // Deleted first: the link died with the team, and nobody joined.
            Some("InvalidInvitationError") => {
                assert!(
                    app.members(&admin, org(&acme))
                        .await
                        .iter()
                        .all(|m| m["user"]["email"] != email.as_str())
                );
            }
            other => panic!("round {round}: {other:?}: {accepted}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_invitations_count_against_the_daily_limit_one_by_one() {
    let app = TestApp::spawn_with(Backend::Sqlite, |s| s.limits.invites_per_day = 2).await;
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let items = [("a@example.com", None), ("b@example.com", None), ("c@example.com", None)];
    let answer = app.invite_users(Some(&admin), org(&acme), &items).await;
    let kinds: Vec<&str> = answer["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter_map(|r| r["__typename"].as_str())
        .collect();
    assert_eq!(kinds, ["InviteUserSuccess", "InviteUserSuccess", "RateLimitedError"], "{answer}");
}
