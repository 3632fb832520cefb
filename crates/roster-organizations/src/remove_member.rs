//! Removing a verified member from an organization or a team ("Manage Team Members" in the
//! help page: accepted members are removed, never cancelled).

use roster_audit::AuditCode;
use roster_db::{Db, DbError, from_diesel_error};

use crate::access_refusals;
use crate::authority;
use crate::membership::{self, Ending};
use crate::pending::Invitations;
use crate::role::{Role, Status};
use crate::scope::{MembershipScope, Scope};
use crate::store;

/// Why `removeMember` did nothing.
#[derive(Debug, thiserror::Error)]
pub enum RemoveMemberError {
    /// No such scope or member (or not visible).
    #[error("not found")]
    NotFound,
    /// The actor does not administer the scope.
    #[error("not authorized")]
    NotAuthorized,
    /// The member has not accepted yet: their invitation is to be cancelled instead.
    #[error("member is pending")]
    Pending,
    /// The member is the organization's last admin.
    #[error("last admin")]
    LastAdmin,
    /// Storage failed.
    #[error(transparent)]
    Db(#[from] DbError),
}
from_diesel_error!(RemoveMemberError);
access_refusals!(RemoveMemberError);

/// Removes a verified member from a scope. Leaving an organization also leaves its teams.
#[tracing::instrument(skip_all)]
pub async fn remove_member(
    db: &Db,
    invitations: &Invitations,
    actor_id: &str,
    requested: &MembershipScope,
    user_id: &str,
) -> Result<Scope, RemoveMemberError> {
    let (actor_id, requested, user_id) = (actor_id.to_owned(), requested.clone(), user_id.to_owned());
    let invitations = invitations.clone();
    membership::transaction(db, move |tx, changes| {
        Box::pin(async move {
            let (scope, _) = authority::administer(tx, &actor_id, &requested).await?;
            let member =
                store::membership(tx, scope.id(), &user_id).await?.ok_or(RemoveMemberError::NotFound)?;
            if member.status() == Status::Unverified {
                return Err(RemoveMemberError::Pending);
            }
            if !scope.is_team()
                && member.role() == Role::Admin
                && store::verified_admins(tx, &scope.organization_id).await? <= 1
            {
                return Err(RemoveMemberError::LastAdmin);
            }
            // Their teams go with the organization; a pending team invitation is cancelled,
            // and logged as such.
            let ending = Ending {
                user_id: &user_id,
                status: Status::Verified,
                actor_id: &actor_id,
                code: AuditCode::MemberRemoved,
            };
            if !membership::end(tx, &scope, changes, &*invitations.0, ending).await? {
                return Err(RemoveMemberError::NotFound);
            }
            Ok(scope.into_scope())
        })
    })
    .await
}
