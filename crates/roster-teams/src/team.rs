//! Finding teams: one by id, an organization's, and the viewer's own ("My Teams").

use roster_db::{Db, DbError};
use roster_organizations::Scope;
use roster_organizations::authority::{self, AccessError, Known};
use roster_organizations::lookup::OrganizationRow;

use crate::store::{self, TeamRow};

/// The team and its organization, if it exists and the viewer is a verified member of the
/// organization; `None` otherwise, the same answer for both.
pub async fn visible(
    db: &Db,
    actor_id: Option<&str>,
    id: &str,
    known: Option<&Known>,
) -> Result<Option<(TeamRow, OrganizationRow)>, DbError> {
    if actor_id.is_none() || !roster_core::id::IdKind::Team.matches(id) {
        return Ok(None);
    }
    let mut conn = db.get().await?;
    let mut conn = conn.conn();
    let Some((team, organization)) = store::team(&mut conn, id).await? else { return Ok(None) };
    let scope = Scope { organization_id: organization.id.clone(), team_id: Some(team.id.clone()) };
    match authority::see(&mut conn, actor_id, &scope, known).await {
        Ok(_) => Ok(Some((team, organization))),
        Err(AccessError::Db(e)) => Err(e),
        Err(AccessError::Hidden | AccessError::NotAuthorized) => Ok(None),
    }
}

/// At most `limit` of an organization's teams, oldest first, after the team `after` when
/// given. The caller has checked that the viewer sees the organization (only its members ever
/// hold an `Organization`).
pub async fn of_organization(
    db: &Db,
    organization_id: &str,
    after: Option<&str>,
    limit: usize,
) -> Result<Vec<TeamRow>, DbError> {
    let mut conn = db.get().await?;
    Ok(store::of_organization(&mut conn.conn(), organization_id, after, limit).await?)
}

/// At most `limit` of the teams where the user is a verified member, with their
/// organizations.
pub async fn of_user(
    db: &Db,
    user_id: &str,
    limit: usize,
) -> Result<Vec<(TeamRow, OrganizationRow)>, DbError> {
    let mut conn = db.get().await?;
    Ok(store::of_user(&mut conn.conn(), user_id, limit).await?)
}
