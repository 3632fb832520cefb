//! `roster demo`: seeds a demo organization through the real services, so a newcomer can try
//! the invitation flows in GraphiQL within a minute.

use roster_core::{Actor, ClientAddr};
use roster_db::Db;
use roster_identity::IdentitySettings;
use roster_identity::service::{self as identity, SignUpError};
use roster_invitations::InvitationSettings;
use roster_invitations::accept::{Acceptance, accept};
use roster_invitations::invite::invite;
use roster_organizations::create_organization::create_organization;
use roster_organizations::{MembershipScope, Role};
use roster_teams::create_team::create_team;

/// Every demo account's password.
pub const PASSWORD: &str = "roster-demo";

/// What was seeded.
#[derive(Debug, Clone)]
pub struct Demo {
    /// A bearer token of the organization's admin.
    pub admin_token: String,
    /// The organization.
    pub organization_id: String,
    /// Its team.
    pub team_id: String,
    /// A user with a pending invitation to the organization.
    pub pending_in_organization: String,
    /// A user with a pending invitation to the team.
    pub pending_in_team: String,
    /// A verified member of the organization (cancelling their invitation is refused).
    pub verified_member: String,
}

/// Seeding failed.
#[derive(Debug, thiserror::Error)]
#[error("seeding the demo failed: {0}")]
pub struct DemoError(String);

fn fail(e: impl std::fmt::Display) -> DemoError {
    DemoError(e.to_string())
}

/// Seeds an organization with a team, verified members and pending invitations. Safe to run
/// again on the same database: existing demo accounts are reused and a new organization made.
pub async fn seed(
    db: &Db,
    identity_settings: &IdentitySettings,
    invitation_settings: &InvitationSettings,
) -> Result<Demo, DemoError> {
    let admin = match identity::sign_up(
        db,
        identity_settings,
        ClientAddr::default(),
        "admin@demo.example",
        PASSWORD,
        Some("Ada Admin"),
    )
    .await
    {
        Ok(session) => session,
        Err(SignUpError::EmailTaken) => {
            identity::sign_in(db, identity_settings, ClientAddr::default(), "admin@demo.example", PASSWORD)
                .await
                .map_err(fail)?
        }
        Err(e) => return Err(fail(e)),
    };
    let admin_id = admin.user.id.clone();
    let organization = create_organization(db, &admin_id, "Acme (demo)", None).await.map_err(fail)?;
    let (team, _) = create_team(db, &admin_id, &organization.id, "Design").await.map_err(fail)?;
    let in_org = MembershipScope::OrganizationId(organization.id.clone().into());
    let in_team = MembershipScope::TeamId(team.id.clone().into());

    let invite_to = async |scope: &MembershipScope, email: &str, role: Option<Role>| {
        invite(db, invitation_settings, &admin_id, scope, email, role)
            .await
            .map(|member| member.user.id.to_string())
            .map_err(fail)
    };
    let accept_as_new = async |scope_id: &str, user_id: &str, name: &str| -> Result<(), DemoError> {
        let mut conn = db.get().await.map_err(fail)?;
        let mut conn = conn.conn();
        let pending = roster_invitations::store::pending(&mut conn, scope_id, user_id).await.map_err(fail)?;
        let pending = pending.ok_or_else(|| DemoError("the invitation vanished".into()))?;
        let token = roster_invitations::mail::issue_token(&mut conn, &pending.id, invitation_settings)
            .await
            .map_err(fail)?
            .ok_or_else(|| DemoError("the invitation is no longer pending".into()))?;
        let acceptance = Acceptance {
            actor: &Actor::Anonymous,
            client: ClientAddr::default(),
            token: &token,
            password: Some(PASSWORD),
            display_name: Some(name),
        };
        accept(db, invitation_settings, identity_settings, acceptance).await.map(|_| ()).map_err(fail)
    };

    let ana = invite_to(&in_team, "ana@demo.example", Some(Role::Owner)).await?;
    accept_as_new(&team.id, &ana, "Ana Owner").await?;
    let ben = invite_to(&in_team, "ben@demo.example", None).await?;
    accept_as_new(&team.id, &ben, "Ben Member").await?;
    let cleo = invite_to(&in_org, "cleo@demo.example", None).await?;
    accept_as_new(&organization.id, &cleo, "Cleo Member").await?;
    let dora = invite_to(&in_org, "dora@demo.example", None).await?;
    let eli = invite_to(&in_team, "eli@demo.example", None).await?;

    Ok(Demo {
        admin_token: admin.token,
        organization_id: organization.id,
        team_id: team.id,
        pending_in_organization: dora,
        pending_in_team: eli,
        verified_member: cleo,
    })
}

/// The text `roster demo` prints.
pub fn instructions(demo: &Demo, base_url: &str) -> String {
    format!(
        r#"
Demo data is ready: organization "Acme (demo)" ({org}) with team "Design" ({team}),
verified members, and pending invitations for dora@demo.example and eli@demo.example.
Every demo account's password is "{PASSWORD}"; the admin is admin@demo.example.

1. Open GraphiQL at {base_url}/
2. In the Headers tab, paste:
   {{"Authorization": "Bearer {token}"}}
3. See the member list, with each row's actions menu:
   {{ members(scope: {{organizationId: "{org}"}}) {{ nodes {{ user {{ id email }} status role availableActions }} }} }}
4. Cancel Dora's invitation:
   mutation {{ cancelInvitation(scope: {{organizationId: "{org}"}}, userId: "{dora}") {{ __typename ... on CancelInvitationSuccess {{ cancelledAt }} ... on Error {{ message }} }} }}
5. Try the same on a verified member, and read the audit log:
   mutation {{ cancelInvitation(scope: {{organizationId: "{org}"}}, userId: "{cleo}") {{ __typename ... on Error {{ message }} }} }}
   {{ auditLog(organizationId: "{org}", first: 5) {{ nodes {{ action actor {{ email }} target {{ email }} occurredAt }} }} }}
"#,
        org = demo.organization_id,
        team = demo.team_id,
        token = demo.admin_token,
        dora = demo.pending_in_organization,
        cleo = demo.verified_member,
    )
}
