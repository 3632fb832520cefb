//! Deleting a team: for its organization's admins.

use roster_audit::AuditCode;
use roster_db::{Db, DbError, from_diesel_error};
use roster_organizations::access_refusals;
use roster_organizations::authority;
use roster_organizations::membership;
use roster_organizations::pending::Invitations;
use roster_organizations::scope::{self, MembershipScope, Scope};

use crate::store;

/// Why `deleteTeam` deleted nothing.
#[derive(Debug, thiserror::Error)]
pub enum DeleteTeamError {
    /// No such team (or not visible).
    #[error("not found")]
    NotFound,
    /// The actor is not an admin of the team's organization (team owners may not delete it).
    #[error("not authorized")]
    NotAuthorized,
    /// Storage failed.
    #[error(transparent)]
    Db(#[from] DbError),
}
from_diesel_error!(DeleteTeamError);
access_refusals!(DeleteTeamError);

/// Deletes a team in one transaction: its members leave its list (REMOVED events), its
/// pending invitations are cancelled (their links stop working, each logged), the audit log
/// records "Admin deleted team", and the streams of its list's subscribers end with
/// SCOPE_DELETED. The team's row stays, marked deleted, for its audit entries.
#[tracing::instrument(skip_all)]
pub async fn delete_team(
    db: &Db,
    invitations: &Invitations,
    actor_id: &str,
    team_id: &str,
) -> Result<Scope, DeleteTeamError> {
    let (actor_id, requested, invitations) =
        (actor_id.to_owned(), MembershipScope::TeamId(team_id.into()), invitations.clone());
    membership::transaction(db, move |tx, changes| {
        Box::pin(async move {
            let (scope, authority) = authority::administer(tx, &actor_id, &requested).await?;
            if !authority.is_organization_admin() {
                return Err(DeleteTeamError::NotAuthorized);
            }
            membership::end_every(tx, &scope, changes, &*invitations.0, &actor_id).await?;
            if !store::mark_deleted(tx, scope.id(), roster_db::now()).await? {
                return Err(DeleteTeamError::NotFound);
            }
            scope::audit(tx, &scope, AuditCode::TeamDeleted, Some(&actor_id), None).await?;
            changes.scope_deleted(tx, &scope).await?;
            Ok(scope.into_scope())
        })
    })
    .await
}
