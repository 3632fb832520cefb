//! Resending an invitation ("Resend User Invitation: if an invitation email was lost"): a
//! new link goes out, and the old one stops working.

use roster_db::limit::{self, Refused};
use roster_db::{Db, DbError, from_diesel_error};
use roster_organizations::access_refusals;
use roster_organizations::authority;
use roster_organizations::lookup;
use roster_organizations::members::Member;
use roster_organizations::membership;
use roster_organizations::role::Status;
use roster_organizations::scope::MembershipScope;

use crate::invitation::{member, new_invitation};
use crate::settings::InvitationSettings;
use crate::store::{self, State};

/// Why `resendInvitation` sent nothing.
#[derive(Debug, thiserror::Error)]
pub enum ResendError {
    /// No such scope or pending member (or not visible).
    #[error("not found")]
    NotFound,
    /// The actor does not administer the scope.
    #[error("not authorized")]
    NotAuthorized,
    /// The member has accepted already: there is nothing to resend.
    #[error("already accepted")]
    AlreadyAccepted,
    /// This person's invitation to this scope was resent as often as an hour allows.
    #[error("rate limited")]
    RateLimited(Refused),
    /// The inviter's own email is not verified, and they sent as many invitations (resends
    /// included) as an unverified account may send in a day.
    #[error("unverified inviter's allowance used up")]
    UnverifiedAllowance(Refused),
    /// Storage failed.
    #[error(transparent)]
    Db(#[from] DbError),
}
from_diesel_error!(ResendError);
access_refusals!(ResendError);

/// Sends a pending invitation again with a new token; the old token dies. One transaction
/// holds the new invitation, its email, the audit entry ("Admin resent user invite") and the
/// list's INVITATION_RESENT event.
#[tracing::instrument(skip_all)]
pub async fn resend(
    db: &Db,
    settings: &InvitationSettings,
    actor_id: &str,
    requested: &MembershipScope,
    user_id: &str,
) -> Result<Member, ResendError> {
    let (actor_id, requested, user_id, settings_owned) =
        (actor_id.to_owned(), requested.clone(), user_id.to_owned(), settings.clone());
    let member = membership::transaction(db, move |tx, changes| {
        Box::pin(async move {
            let settings = settings_owned;
            let (scope, authority) = authority::administer(tx, &actor_id, &requested).await?;
            let membership =
                lookup::membership(tx, scope.id(), &user_id).await?.ok_or(ResendError::NotFound)?;
            if membership.status() == Status::Verified {
                return Err(ResendError::AlreadyAccepted);
            }
            // Per invitee and scope, not per membership: cancelling and inviting again
            // does not start the count afresh.
            limit::reserve(tx, &settings.resends, &format!("{}:{user_id}", scope.id()))
                .await?
                .map_err(ResendError::RateLimited)?;
            // A resend mails as much as an invitation does: an unverified inviter's daily
            // allowance counts both, or ten invitations would buy hundreds of mails.
            crate::invite::count_unverified_inviter(tx, &settings, &actor_id)
                .await?
                .map_err(ResendError::UnverifiedAllowance)?;
            let now = roster_db::now();
            store::resolve_pending(tx, scope.id(), &user_id, State::Superseded, now).await?;
            let user = roster_identity::store::users_by_ids(tx, std::slice::from_ref(&user_id))
                .await?
                .into_iter()
                .next()
                .ok_or(ResendError::NotFound)?;
            let (invitation, email) = new_invitation(&scope, &user, Some(&actor_id), &settings, now);
            store::insert(tx, &invitation).await?;
            roster_mail::store::enqueue(tx, &email).await?;
            membership::resent(tx, &scope, changes, &membership, &actor_id).await?;
            member(tx, &scope, authority, &user_id).await?.ok_or(ResendError::NotFound)
        })
    })
    .await?;
    settings.wake_sender.notify_one();
    Ok(member)
}
