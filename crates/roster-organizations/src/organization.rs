//! Finding organizations: one by id, and the viewer's own ("My organizations").

use roster_db::{Db, DbError};

use roster_core::id::IdKind;

use crate::authority::{Authority, Known};
use crate::role::Role;
use crate::scope::Scope;
use crate::store::{self, OrganizationRow};

/// The organization, if it exists and the viewer is one of its verified members; `None`
/// otherwise, the same answer for both. One query, which also tells the viewer's role:
/// remembered in `known`, for the fields below it (its member list, its teams).
pub async fn visible(
    db: &Db,
    actor_id: Option<&str>,
    id: &str,
    known: Option<&Known>,
) -> Result<Option<OrganizationRow>, DbError> {
    let Some(actor_id) = actor_id else { return Ok(None) };
    if !IdKind::Organization.matches(id) {
        return Ok(None);
    }
    let mut conn = db.get().await?;
    let Some((organization, role)) = store::organization_of_member(&mut conn.conn(), id, actor_id).await?
    else {
        return Ok(None);
    };
    if let Some(known) = known {
        let scope = Scope { organization_id: organization.id.clone(), team_id: None };
        let authority =
            Authority { organization_role: Some(Role::parse(&role)), team_role: None, is_team: false };
        known.remember(actor_id, &scope, authority);
    }
    Ok(Some(organization))
}

/// At most `limit` of the organizations where the user is a verified member, oldest
/// membership first.
pub async fn of_user(db: &Db, user_id: &str, limit: usize) -> Result<Vec<OrganizationRow>, DbError> {
    let mut conn = db.get().await?;
    Ok(store::organizations_of_user(&mut conn.conn(), user_id, limit).await?)
}
