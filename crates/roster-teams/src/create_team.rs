//! Creating a team in an organization: for the organization's admins.

use roster_audit::{AuditCode, NewEntry};
use roster_core::id::{IdKind, new_id};
use roster_db::{Db, DbError, from_diesel_error};
use roster_organizations::access_refusals;
use roster_organizations::authority;
use roster_organizations::create_organization::clean_name;
use roster_organizations::lookup::{self as organizations, OrganizationRow};
use roster_organizations::scope::MembershipScope;

use crate::store::{self, TeamRow};

/// Why `createTeam` did nothing.
#[derive(Debug, thiserror::Error)]
pub enum CreateTeamError {
    /// No such organization, or not visible to the actor.
    #[error("organization not found")]
    NotFound,
    /// The actor is a member but not an admin.
    #[error("not an admin")]
    NotAuthorized,
    /// The name is empty or too long.
    #[error("invalid name: {0}")]
    Invalid(&'static str),
    /// Storage failed.
    #[error(transparent)]
    Db(#[from] DbError),
}
from_diesel_error!(CreateTeamError);
access_refusals!(CreateTeamError);

/// Creates a team in an organization the actor administers, with its audit entry.
#[tracing::instrument(skip_all, fields(org.id = %organization_id))]
pub async fn create_team(
    db: &Db,
    actor_id: &str,
    organization_id: &str,
    name: &str,
) -> Result<(TeamRow, OrganizationRow), CreateTeamError> {
    let name = clean_name(name).map_err(CreateTeamError::Invalid)?;
    let mut conn = db.get().await?;
    let actor_id = actor_id.to_owned();
    let requested = MembershipScope::OrganizationId(organization_id.into());
    conn.transaction(|tx| {
        Box::pin(async move {
            let (scope, _) = authority::administer(tx, &actor_id, &requested).await?;
            let organization = organizations::organization(tx, &scope.organization_id)
                .await?
                .ok_or(CreateTeamError::NotFound)?;
            let team = TeamRow {
                id: new_id(IdKind::Team),
                organization_id: scope.organization_id.clone(),
                name,
                created_at: roster_db::now(),
                event_seq: 0,
            };
            store::insert(tx, &team).await?;
            let entry = NewEntry {
                code: AuditCode::TeamCreated,
                organization_id: &team.organization_id,
                team_id: Some(&team.id),
                actor_id: Some(&actor_id),
                target_id: None,
            };
            roster_audit::record(tx, entry).await?;
            Ok((team, organization))
        })
    })
    .await
}
