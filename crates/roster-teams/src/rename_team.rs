//! Renaming a team: for its organization's admins and its owners.

use roster_audit::AuditCode;
use roster_db::{Db, DbError, from_diesel_error};
use roster_organizations::access_refusals;
use roster_organizations::authority;
use roster_organizations::create_organization::clean_name;
use roster_organizations::lookup::{self as organizations, OrganizationRow};
use roster_organizations::scope::{self, MembershipScope};

use crate::store::{self, TeamRow};

/// Why `renameTeam` renamed nothing.
#[derive(Debug, thiserror::Error)]
pub enum RenameTeamError {
    /// No such team (or not visible).
    #[error("not found")]
    NotFound,
    /// The actor is neither an organization admin nor the team's owner.
    #[error("not authorized")]
    NotAuthorized,
    /// The name is empty or too long.
    #[error("invalid name: {0}")]
    Invalid(&'static str),
    /// Storage failed.
    #[error(transparent)]
    Db(#[from] DbError),
}
from_diesel_error!(RenameTeamError);
access_refusals!(RenameTeamError);

/// Renames a team, with an audit entry ("Admin renamed team").
#[tracing::instrument(skip_all)]
pub async fn rename_team(
    db: &Db,
    actor_id: &str,
    team_id: &str,
    name: &str,
) -> Result<(TeamRow, OrganizationRow), RenameTeamError> {
    let name = clean_name(name).map_err(RenameTeamError::Invalid)?;
    let mut conn = db.get().await?;
    let (actor_id, requested) = (actor_id.to_owned(), MembershipScope::TeamId(team_id.into()));
    conn.transaction(|tx| {
        Box::pin(async move {
            let (scope, _) = authority::administer(tx, &actor_id, &requested).await?;
            let team = store::rename(tx, scope.id(), &name).await?.ok_or(RenameTeamError::NotFound)?;
            let organization = organizations::organization(tx, &scope.organization_id)
                .await?
                .ok_or(RenameTeamError::NotFound)?;
            scope::audit(tx, &scope, AuditCode::TeamRenamed, Some(&actor_id), None).await?;
            Ok((team, organization))
        })
    })
    .await
}
