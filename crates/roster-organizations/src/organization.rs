//! Finding organizations: one by id, and the viewer's own ("My organizations").

use roster_db::{Db, DbError};

use crate::authority;
use crate::scope::{self, MembershipScope};
use crate::store::{self, OrganizationRow};

/// The organization, if it exists and the viewer is one of its verified members; `None`
/// otherwise, the same answer for both.
pub async fn visible(db: &Db, actor_id: Option<&str>, id: &str) -> Result<Option<OrganizationRow>, DbError> {
    let Some(actor_id) = actor_id else { return Ok(None) };
    let mut conn = db.get().await?;
    let mut conn = conn.conn();
    let requested = MembershipScope::OrganizationId(id.into());
    let Some(scope) = scope::resolve(&mut conn, &requested).await? else { return Ok(None) };
    match authority::see(&mut conn, Some(actor_id), &scope).await {
        Ok(_) => Ok(store::organization(&mut conn, &scope.organization_id).await?),
        Err(authority::AccessError::Db(e)) => Err(e),
        Err(_) => Ok(None),
    }
}

/// The organizations where the user is a verified member, oldest membership first.
pub async fn of_user(db: &Db, user_id: &str) -> Result<Vec<OrganizationRow>, DbError> {
    let mut conn = db.get().await?;
    Ok(store::organizations_of_user(&mut conn.conn(), user_id).await?)
}
