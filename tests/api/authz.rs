//! The authorization matrix: every kind of caller × invite, resend, cancel and remove × an
//! organization and a team. Each cell asserts the union member answered and, when refused,
//! that neither the list nor the audit log changed.

use roster_tests::flows::{org, team};
use roster_tests::{TestApp, TestUser, backend_tests};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    Anonymous,
    Outsider,
    OrgMember,
    OrgAdmin,
    OtherOrgAdmin,
    TeamMember,
    TeamOwner,
    OtherTeamOwner,
}

const CALLERS: [Caller; 8] = [
    Caller::Anonymous,
    Caller::Outsider,
    Caller::OrgMember,
    Caller::OrgAdmin,
    Caller::OtherOrgAdmin,
    Caller::TeamMember,
    Caller::TeamOwner,
    Caller::OtherTeamOwner,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Invite,
    Resend,
    Cancel,
    Remove,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Where {
    Organization,
    Team,
}

/// The answer the rules call for.
fn expected(caller: Caller, action: Action, place: Where) -> &'static str {
    let allowed = match caller {
        Caller::OrgAdmin => true,
        Caller::TeamOwner => place == Where::Team,
        _ => false,
    };
    if allowed {
        return match action {
            Action::Invite => "InviteUserSuccess",
            Action::Resend => "ResendInvitationSuccess",
            Action::Cancel => "CancelInvitationSuccess",
            Action::Remove => "RemoveMemberSuccess",
        };
    }
    match caller {
        Caller::Anonymous => "NotAuthenticatedError",
        // They cannot see the organization at all, so it is "not found" to them.
        Caller::Outsider | Caller::OtherOrgAdmin => "NotFoundError",
        _ => "NotAuthorizedError",
    }
}

struct World {
    admin: TestUser,
    acme: String,
    design: String,
    callers: Vec<(Caller, Option<TestUser>)>,
}

async fn world(app: &TestApp) -> World {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let design = app.create_team(&admin, &acme, "Design").await;
    let marketing = app.create_team(&admin, &acme, "Marketing").await;
    let outsider = app.sign_up("outsider").await;
    let org_member = app.member(&admin, org(&acme), "orgmember", None).await;
    let other_admin = app.sign_up("otheradmin").await;
    app.create_org(&other_admin, "Other").await;
    let team_member = app.member(&admin, team(&design), "teammember", None).await;
    let team_owner = app.member(&admin, team(&design), "teamowner", Some("OWNER")).await;
    let other_owner = app.member(&admin, team(&marketing), "otherowner", Some("OWNER")).await;
    let callers = vec![
        (Caller::Anonymous, None),
        (Caller::Outsider, Some(outsider)),
        (Caller::OrgMember, Some(org_member)),
        (Caller::OrgAdmin, Some(admin.clone())),
        (Caller::OtherOrgAdmin, Some(other_admin)),
        (Caller::TeamMember, Some(team_member)),
        (Caller::TeamOwner, Some(team_owner)),
        (Caller::OtherTeamOwner, Some(other_owner)),
    ];
    World { admin, acme, design, callers }
}

/// What a refused call must leave untouched: the scope's list, the organization's log, and
/// the invitations and queued emails (a refused resend must not rotate a token or mail one).
async fn state(
    app: &TestApp,
    world: &World,
    scope: &Value,
) -> (Vec<(Value, Value)>, usize, Vec<(String, String)>, i64) {
    use roster_db::prelude::*;
    use roster_db::schema::{email_outbox, invitations};
    let members = app.members(&world.admin, scope.clone()).await;
    let list = members.iter().map(|m| (m["user"]["id"].clone(), m["status"].clone())).collect();
    let mut pooled = app.db.get().await.expect("a connection");
    let mut conn = pooled.conn();
    let tokens: Vec<(String, String)> = roster_db::db_run!(&mut conn, |c| {
        invitations::table
            .select((invitations::token_digest, invitations::state))
            .order(invitations::id)
            .load(c)
            .await
    })
    .expect("the invitations");
    let emails: i64 = roster_db::db_run!(&mut conn, |c| email_outbox::table.count().get_result(c).await)
        .expect("the outbox");
    (list, app.audit(&world.admin, &world.acme).await.len(), tokens, emails)
}

async fn run_matrix(app: TestApp) {
    let world = world(&app).await;
    let mut cell = 0;
    let mut failures = Vec::new();
    for place in [Where::Organization, Where::Team] {
        let scope = match place {
            Where::Organization => org(&world.acme),
            Where::Team => team(&world.design),
        };
        for action in [Action::Invite, Action::Resend, Action::Cancel, Action::Remove] {
            for (caller, user) in &world.callers {
                cell += 1;
                assert_eq!(CALLERS.len(), world.callers.len());
                // A fresh target for every cell, made by the admin.
                let email = format!("cell{cell}@example.com");
                let target = match action {
                    Action::Invite => String::new(),
                    Action::Resend | Action::Cancel => {
                        let id = app.invite_ok(&world.admin, scope.clone(), &email, None).await;
                        // Let the sender mail it (it installs the token) before the snapshot.
                        app.smtp.wait_for(&email, 1).await;
                        id
                    }
                    Action::Remove => {
                        app.member(&world.admin, scope.clone(), &format!("cell{cell}"), None).await.id
                    }
                };
                let before = state(&app, &world, &scope).await;
                let result = match action {
                    Action::Invite => app.invite(user.as_ref(), scope.clone(), &email, None).await,
                    Action::Resend => app.resend(user.as_ref(), scope.clone(), &target).await,
                    Action::Cancel => app.cancel(user.as_ref(), scope.clone(), &target).await,
                    Action::Remove => app.remove(user.as_ref(), scope.clone(), &target).await,
                };
                let want = expected(*caller, action, place);
                if result["__typename"] != want {
                    failures.push(format!("{caller:?} {action:?} in {place:?}: want {want}, got {result}"));
                }
                // A granted invite or resend queues an email whose token the sender installs a
                // moment later; let it, so the next cell's snapshot is not taken mid-change.
                match result["__typename"].as_str() {
                    Some("InviteUserSuccess") => {
                        app.smtp.wait_for(&email, 1).await;
                    }
                    Some("ResendInvitationSuccess") => {
                        app.smtp.wait_for(&email, 2).await;
                    }
                    _ => {}
                }
                if !want.ends_with("Success") && state(&app, &world, &scope).await != before {
                    failures
                        .push(format!("{caller:?} {action:?} in {place:?}: refused, but something changed"));
                }
            }
        }
    }
    assert_eq!(cell, 64);
    assert!(failures.is_empty(), "{failures:#?}");
}

backend_tests!(every_caller_action_and_scope_gets_the_right_answer,);

async fn every_caller_action_and_scope_gets_the_right_answer(app: roster_tests::TestApp) {
    run_matrix(app).await;
}
