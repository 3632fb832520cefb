//! Inviting someone into an organization or a team ("Invite New Users"): they are listed as
//! UNVERIFIED at once and mailed a link.

use roster_db::limit::{self, Refused};
use roster_db::{Conn, Db, DbError, from_diesel_error};
use roster_identity::email;
use roster_identity::store as users;
use roster_organizations::access_refusals;
use roster_organizations::authority;
use roster_organizations::members::Member;
use roster_organizations::membership::{self, Invitee};
use roster_organizations::role::Role;
use roster_organizations::scope::MembershipScope;

use crate::invitation::{member, new_invitation};
use crate::settings::InvitationSettings;
use crate::store::{self, State};

/// Why `inviteUser` invited nobody.
#[derive(Debug, thiserror::Error)]
pub enum InviteError {
    /// The scope does not exist, or is not visible to the actor.
    #[error("not found")]
    NotFound,
    /// The actor sees the scope but does not administer it.
    #[error("not authorized")]
    NotAuthorized,
    /// An argument is invalid.
    #[error("invalid {field}: {message}")]
    Invalid {
        /// The argument.
        field: &'static str,
        /// Why.
        message: &'static str,
    },
    /// The email is already pending or verified in the scope.
    #[error("already a member")]
    AlreadyMember,
    /// The organization, or the inviter, sent as many invitations as a day allows.
    #[error("rate limited")]
    RateLimited(Refused),
    /// The inviter's own email is not verified, and they sent as many invitations as an
    /// unverified account may send in a day.
    #[error("unverified inviter's allowance used up")]
    UnverifiedAllowance(Refused),
    /// Storage failed.
    #[error(transparent)]
    Db(#[from] DbError),
}
from_diesel_error!(InviteError);
access_refusals!(InviteError);

/// Whether `role` exists in the requested kind of scope: ADMIN in organizations, OWNER in
/// teams, MEMBER in both.
fn role_fits(requested: &MembershipScope, role: Role) -> bool {
    matches!(
        (requested, role),
        (_, Role::Member)
            | (MembershipScope::OrganizationId(_), Role::Admin)
            | (MembershipScope::TeamId(_), Role::Owner)
    )
}

/// Invites `email` into a scope with `role` (MEMBER when omitted). Creates the user, without a
/// password, when the email is unknown; the answer is the same either way. One transaction
/// holds the membership, the invitation, its email in the outbox, the audit entry ("Admin
/// invited user") and the list's INVITED event.
#[tracing::instrument(skip_all)]
pub async fn invite(
    db: &Db,
    settings: &InvitationSettings,
    actor_id: &str,
    requested: &MembershipScope,
    email_input: &str,
    role: Option<Role>,
) -> Result<Member, InviteError> {
    let email =
        email::check(email_input).map_err(|message| InviteError::Invalid { field: "email", message })?;
    let role = role.unwrap_or(Role::Member);
    if !role_fits(requested, role) {
        return Err(InviteError::Invalid {
            field: "role",
            message: "ADMIN is valid only in organizations and OWNER only in teams.",
        });
    }
    let (actor_id, requested, settings_owned) = (actor_id.to_owned(), requested.clone(), settings.clone());
    let member = membership::transaction(db, move |tx, changes| {
        Box::pin(async move {
            let settings = settings_owned;
            let (scope, authority) = authority::administer(tx, &actor_id, &requested).await?;
            // Counted here, inside the transaction: a refused or failed invitation rolls
            // its count back with everything else.
            limit::reserve(tx, &settings.invites_per_organization, &scope.organization_id)
                .await?
                .map_err(InviteError::RateLimited)?;
            limit::reserve(tx, &settings.invites_per_inviter, &actor_id)
                .await?
                .map_err(InviteError::RateLimited)?;
            count_unverified_inviter(tx, &settings, &actor_id)
                .await?
                .map_err(InviteError::UnverifiedAllowance)?;
            let now = roster_db::now();
            let user = users::invitee(tx, &email, now).await?;
            let invitee = Invitee { user_id: &user.id, role, invited_by: Some(&actor_id), at: now };
            if membership::invite(tx, &scope, changes, invitee).await?.is_none() {
                return Err(InviteError::AlreadyMember);
            }
            // A dead invitation of an earlier membership (cancelled, say) may linger as
            // pending only if something went wrong; retire it so the new one is the only one.
            store::resolve_pending(tx, scope.id(), &user.id, State::Superseded, now).await?;
            let (invitation, email) = new_invitation(&scope, &user, Some(&actor_id), &settings, now);
            store::insert(tx, &invitation).await?;
            roster_mail::store::enqueue(tx, &email).await?;
            member(tx, &scope, authority, &user.id).await?.ok_or(InviteError::NotFound)
        })
    })
    .await?;
    settings.wake_sender.notify_one();
    Ok(member)
}

/// Counts one mail against the daily allowance of an inviter whose own email is not verified
/// (`ROSTER_UNVERIFIED_INVITES_PER_DAY`); a verified inviter is not counted. Invitations and
/// resends both call it, in their transactions, so a refusal rolls back with them.
pub(crate) async fn count_unverified_inviter(
    tx: &mut Conn<'_>,
    settings: &InvitationSettings,
    actor_id: &str,
) -> diesel::QueryResult<Result<(), Refused>> {
    let allowance = &settings.invites_per_unverified_inviter;
    if !allowance.is_on() || users::is_verified(tx, actor_id).await? {
        return Ok(Ok(()));
    }
    limit::reserve(tx, allowance, actor_id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admins_are_for_organizations_and_owners_for_teams() {
        let organization = MembershipScope::OrganizationId("org_1".into());
        let team = MembershipScope::TeamId("team_1".into());
        assert!(role_fits(&organization, Role::Admin) && role_fits(&team, Role::Owner));
        assert!(!role_fits(&organization, Role::Owner) && !role_fits(&team, Role::Admin));
        assert!(role_fits(&organization, Role::Member) && role_fits(&team, Role::Member));
    }
}
