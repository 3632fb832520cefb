//! The authorization matrix: every kind of caller × every administrative mutation (invite,
//! invite many, resend, cancel, remove, change role, rename, delete a team) × an organization
//! and a team. Each cell asserts the union member answered and, when refused, that nothing
//! changed: not the list, its roles, the names, the teams, the audit log or the invitations.

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
    InviteMany,
    Resend,
    Cancel,
    Remove,
    ChangeRole,
    Rename,
    DeleteTeam,
}

const ACTIONS: [Action; 8] = [
    Action::Invite,
    Action::InviteMany,
    Action::Resend,
    Action::Cancel,
    Action::Remove,
    Action::ChangeRole,
    Action::Rename,
    Action::DeleteTeam,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Where {
    Organization,
    Team,
}

/// The answer the rules call for.
fn expected(caller: Caller, action: Action, place: Where) -> &'static str {
    let allowed = match caller {
        Caller::OrgAdmin => true,
        // Team owners administer their team, but may not delete it.
        Caller::TeamOwner => place == Where::Team && action != Action::DeleteTeam,
        _ => false,
    };
    if allowed {
        return match (action, place) {
            (Action::Invite | Action::InviteMany, _) => "InviteUserSuccess",
            (Action::Resend, _) => "ResendInvitationSuccess",
            (Action::Cancel, _) => "CancelInvitationSuccess",
            (Action::Remove, _) => "RemoveMemberSuccess",
            (Action::ChangeRole, _) => "ChangeMemberRoleSuccess",
            (Action::Rename, Where::Organization) => "RenameOrganizationSuccess",
            (Action::Rename, Where::Team) => "RenameTeamSuccess",
            (Action::DeleteTeam, _) => "DeleteTeamSuccess",
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

/// What a refused call must leave untouched: the scope's list with its roles, the
/// organization's name and teams, the organization's log, and the invitations and queued
/// emails (a refused resend must not rotate a token or mail one).
async fn state(
    app: &TestApp,
    world: &World,
    scope: &Value,
) -> (Vec<(Value, Value, Value)>, Value, usize, Vec<(String, String)>, i64) {
    use roster_db::prelude::*;
    use roster_db::schema::{email_outbox, invitations};
    let members = app.members(&world.admin, scope.clone()).await;
    let list =
        members.iter().map(|m| (m["user"]["id"].clone(), m["status"].clone(), m["role"].clone())).collect();
    let names = app
        .graphql_as(
            Some(&world.admin.token),
            "query($o: ID!) { organization(id: $o) { name teams { id name } } }",
            serde_json::json!({ "o": world.acme }),
        )
        .await["data"]["organization"]
        .clone();
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
    (list, names, app.audit(&world.admin, &world.acme).await.len(), tokens, emails)
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
        for action in ACTIONS {
            if action == Action::DeleteTeam && place == Where::Organization {
                continue;
            }
            for (caller, user) in &world.callers {
                cell += 1;
                assert_eq!(CALLERS.len(), world.callers.len());
                // A fresh target for every cell, made by the admin.
                let email = format!("cell{cell}@example.com");
                let target = match action {
                    Action::Invite | Action::InviteMany | Action::Rename => String::new(),
                    Action::Resend | Action::Cancel => {
                        let id = app.invite_ok(&world.admin, scope.clone(), &email, None).await;
                        // Let the sender mail it (it installs the token) before the snapshot.
                        app.smtp.wait_for_invitation(&email, 1).await;
                        id
                    }
                    Action::Remove | Action::ChangeRole => {
                        app.member(&world.admin, scope.clone(), &format!("cell{cell}"), None).await.id
                    }
                    Action::DeleteTeam => {
                        app.create_team(&world.admin, &world.acme, &format!("Cell {cell}")).await
                    }
                };
                let before = state(&app, &world, &scope).await;
                let promoted = if place == Where::Team { "OWNER" } else { "ADMIN" };
                let result = match (action, place) {
                    (Action::Invite, _) => app.invite(user.as_ref(), scope.clone(), &email, None).await,
                    (Action::InviteMany, _) => {
                        let answer = app.invite_users(user.as_ref(), scope.clone(), &[(&email, None)]).await;
                        // One item: its own result is the cell's answer.
                        if answer["__typename"] == "InviteUsersSuccess" {
                            answer["results"][0].clone()
                        } else {
                            answer
                        }
                    }
                    (Action::Resend, _) => app.resend(user.as_ref(), scope.clone(), &target).await,
                    (Action::Cancel, _) => app.cancel(user.as_ref(), scope.clone(), &target).await,
                    (Action::Remove, _) => app.remove(user.as_ref(), scope.clone(), &target).await,
                    (Action::ChangeRole, _) => {
                        app.change_role(user.as_ref(), scope.clone(), &target, promoted).await
                    }
                    (Action::Rename, Where::Organization) => {
                        app.rename_org(user.as_ref(), &world.acme, "Acme").await
                    }
                    (Action::Rename, Where::Team) => {
                        app.rename_team(user.as_ref(), &world.design, "Design").await
                    }
                    (Action::DeleteTeam, _) => app.delete_team(user.as_ref(), &target).await,
                };
                let want = expected(*caller, action, place);
                if result["__typename"] != want {
                    failures.push(format!("{caller:?} {action:?} in {place:?}: want {want}, got {result}"));
                }
                // A granted invite or resend queues an email whose token the sender installs a
                // moment later; let it, so the next cell's snapshot is not taken mid-change.
                match result["__typename"].as_str() {
                    Some("InviteUserSuccess") => {
                        app.smtp.wait_for_invitation(&email, 1).await;
                    }
                    Some("ResendInvitationSuccess") => {
                        app.smtp.wait_for_invitation(&email, 2).await;
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
    assert_eq!(cell, 8 * (2 * ACTIONS.len() - 1));
    assert!(failures.is_empty(), "{failures:#?}");
}

backend_tests!(every_caller_action_and_scope_gets_the_right_answer with no_rate_limits);

/// The matrix makes a hundred members from one address within a minute; the limits are
/// tested elsewhere.
fn no_rate_limits(settings: &mut roster_server::Settings) {
    settings.limits.accept_attempts_per_minute = 0;
    settings.limits.invites_per_day = 0;
    settings.limits.invites_per_inviter_per_day = 0;
}

async fn every_caller_action_and_scope_gets_the_right_answer(app: roster_tests::TestApp) {
    run_matrix(app).await;
}
