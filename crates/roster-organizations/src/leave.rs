//! Leaving an organization or a team of one's own accord.

use roster_audit::AuditCode;
use roster_db::{Db, DbError, from_diesel_error};

use crate::membership::{self, Ending};
use crate::pending::Invitations;
use crate::role::{Role, Status};
use crate::scope::{self, MembershipScope, Scope};
use crate::store;

/// Why `leaveScope` left nothing.
#[derive(Debug, thiserror::Error)]
pub enum LeaveError {
    /// No such scope, or the viewer is not a verified member of it.
    #[error("not found")]
    NotFound,
    /// The viewer is the organization's last verified admin.
    #[error("last admin")]
    LastAdmin,
    /// Storage failed.
    #[error(transparent)]
    Db(#[from] DbError),
}
from_diesel_error!(LeaveError);

/// The actor leaves a scope where they are a verified member. Leaving an organization also
/// leaves its teams (a pending team invitation is cancelled, and logged). The last admin of
/// an organization cannot leave. One transaction holds it all, with the audit entry
/// ("Member left") and the lists' REMOVED events; the member's own subscriptions to the list
/// end with FORBIDDEN as the change reaches them.
#[tracing::instrument(skip_all)]
pub async fn leave(
    db: &Db,
    invitations: &Invitations,
    actor_id: &str,
    requested: &MembershipScope,
) -> Result<Scope, LeaveError> {
    let (actor_id, requested, invitations) = (actor_id.to_owned(), requested.clone(), invitations.clone());
    membership::transaction(db, move |tx, changes| {
        Box::pin(async move {
            let scope = scope::resolve(tx, &requested).await?.ok_or(LeaveError::NotFound)?;
            let scope = scope::lock(tx, &scope).await?;
            let member = store::membership(tx, scope.id(), &actor_id).await?;
            let member = member.filter(|m| m.status() == Status::Verified).ok_or(LeaveError::NotFound)?;
            if !scope.is_team()
                && member.role() == Role::Admin
                && store::verified_admins(tx, &scope.organization_id).await? <= 1
            {
                return Err(LeaveError::LastAdmin);
            }
            let ending = Ending {
                user_id: &actor_id,
                status: Status::Verified,
                actor_id: &actor_id,
                code: AuditCode::MemberLeft,
            };
            if !membership::end(tx, &scope, changes, &*invitations.0, ending).await? {
                return Err(LeaveError::NotFound);
            }
            Ok(scope.into_scope())
        })
    })
    .await
}
