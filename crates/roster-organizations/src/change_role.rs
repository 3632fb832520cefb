//! Changing a member's role: ADMIN or MEMBER in an organization, OWNER or MEMBER in a team.

use roster_db::{Db, DbError, from_diesel_error};

use crate::access_refusals;
use crate::authority;
use crate::members::{ActionRules, Member};
use crate::membership;
use crate::role::{Role, Status};
use crate::scope::MembershipScope;
use crate::store;

/// Why `changeMemberRole` changed nothing.
#[derive(Debug, thiserror::Error)]
pub enum ChangeRoleError {
    /// No such scope or member (or not visible).
    #[error("not found")]
    NotFound,
    /// The actor does not administer the scope.
    #[error("not authorized")]
    NotAuthorized,
    /// The role does not exist in this kind of scope.
    #[error("role not valid here")]
    InvalidRole,
    /// The member is the organization's last verified admin.
    #[error("last admin")]
    LastAdmin,
    /// Storage failed.
    #[error(transparent)]
    Db(#[from] DbError),
}
from_diesel_error!(ChangeRoleError);
access_refusals!(ChangeRoleError);

/// Whether `role` exists in a scope of this kind.
pub fn fits(is_team: bool, role: Role) -> bool {
    match role {
        Role::Member => true,
        Role::Admin => !is_team,
        Role::Owner => is_team,
    }
}

/// Gives a member of a scope a new role. For a pending member it changes the role the
/// invitation grants. The last verified admin of an organization cannot be demoted; the scope
/// lock serialises changes, so two admins demoting each other at once leave one admin. One
/// transaction holds the change, its audit entry ("Admin changed member role") and the
/// list's ROLE_CHANGED event. Giving the role the member already has changes nothing.
#[tracing::instrument(skip_all)]
pub async fn change_role(
    db: &Db,
    actor_id: &str,
    requested: &MembershipScope,
    user_id: &str,
    role: Role,
) -> Result<Member, ChangeRoleError> {
    let (actor_id, requested, user_id) = (actor_id.to_owned(), requested.clone(), user_id.to_owned());
    membership::transaction(db, move |tx, changes| {
        Box::pin(async move {
            let (scope, authority) = authority::administer(tx, &actor_id, &requested).await?;
            if !fits(scope.is_team(), role) {
                return Err(ChangeRoleError::InvalidRole);
            }
            let current =
                store::membership(tx, scope.id(), &user_id).await?.ok_or(ChangeRoleError::NotFound)?;
            let row = if current.role() == role {
                current
            } else {
                let demotes_an_admin =
                    !scope.is_team() && current.role() == Role::Admin && current.status() == Status::Verified;
                if demotes_an_admin && store::verified_admins(tx, &scope.organization_id).await? <= 1 {
                    return Err(ChangeRoleError::LastAdmin);
                }
                membership::change_role(tx, &scope, changes, &user_id, role, &actor_id)
                    .await?
                    .ok_or(ChangeRoleError::NotFound)?
            };
            // The actor may have changed their own authority (an admin stepping down).
            let authority = if user_id == actor_id {
                crate::Authority::load(tx, Some(&actor_id), &scope).await?
            } else {
                authority
            };
            let rules = ActionRules::load(tx, authority, &scope).await?;
            let record =
                store::member_record(tx, scope.id(), &row.user_id).await?.ok_or(ChangeRoleError::NotFound)?;
            Ok(Member::new(record, &rules))
        })
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admins_exist_in_organizations_and_owners_in_teams() {
        assert!(fits(false, Role::Admin) && fits(false, Role::Member) && !fits(false, Role::Owner));
        assert!(fits(true, Role::Owner) && fits(true, Role::Member) && !fits(true, Role::Admin));
    }
}
