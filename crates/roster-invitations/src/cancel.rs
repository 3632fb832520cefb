//! Cancelling an invitation, exactly as the help page "How to Cancel a User Invitation" says:
//!
//! - only an Organization Administrator or a Team Owner may (`authority::administer`);
//! - only while the user is unverified: a verified member gets "Can only cancel invites for
//!   invited users" and is removed with `removeMember` instead;
//! - it happens at once, with no confirmation step: the user leaves the list and the link
//!   stops working;
//! - the audit log records "Admin cancelled user invite";
//! - the list refreshes by itself (an INVITATION_CANCELLED event);
//! - the same person can be invited again at any time;
//! - cancelling an organization invitation also cancels the person's invitations to its
//!   teams, each logged.

use chrono::NaiveDateTime;
use roster_audit::AuditCode;
use roster_db::{Db, DbError, from_diesel_error};
use roster_organizations::access_refusals;
use roster_organizations::authority;
use roster_organizations::lookup;
use roster_organizations::membership::{self, Ending};
use roster_organizations::role::Status;
use roster_organizations::scope::MembershipScope;

use crate::ending::EndPending;

/// The exact message for cancelling a verified member's invitation.
pub const ALREADY_ACCEPTED: &str = "Can only cancel invites for invited users";

/// Why `cancelInvitation` cancelled nothing.
#[derive(Debug, thiserror::Error)]
pub enum CancelError {
    /// No such scope or pending member (or not visible).
    #[error("not found")]
    NotFound,
    /// The actor is neither an Organization Administrator nor the team's owner.
    #[error("not authorized")]
    NotAuthorized,
    /// The member has accepted (verified status).
    #[error("already accepted")]
    AlreadyAccepted,
    /// Storage failed.
    #[error(transparent)]
    Db(#[from] DbError),
}
from_diesel_error!(CancelError);
access_refusals!(CancelError);

/// Cancels a pending invitation at once: the user leaves the scope's list and the link stops
/// working. One transaction holds the cancellation, its audit entry and the list's event.
/// Returns when it happened.
#[tracing::instrument(skip_all)]
pub async fn cancel(
    db: &Db,
    actor_id: &str,
    requested: &MembershipScope,
    user_id: &str,
) -> Result<NaiveDateTime, CancelError> {
    let (actor_id, requested, user_id) = (actor_id.to_owned(), requested.clone(), user_id.to_owned());
    membership::transaction(db, move |tx, changes| {
        Box::pin(async move {
            let (scope, _) = authority::administer(tx, &actor_id, &requested).await?;
            let membership =
                lookup::membership(tx, scope.id(), &user_id).await?.ok_or(CancelError::NotFound)?;
            if membership.status() == Status::Verified {
                return Err(CancelError::AlreadyAccepted);
            }
            // Conditional on still being pending: of concurrent cancels, one wins. An
            // organization invitation takes the person's invitations to its teams with it:
            // each cancelled, logged and announced on its team's list.
            let ending = Ending {
                user_id: &user_id,
                status: Status::Unverified,
                actor_id: &actor_id,
                code: AuditCode::InvitationCancelled,
            };
            if !membership::end(tx, &scope, changes, &EndPending, ending).await? {
                return Err(CancelError::NotFound);
            }
            Ok::<_, CancelError>(roster_db::now())
        })
    })
    .await
}
