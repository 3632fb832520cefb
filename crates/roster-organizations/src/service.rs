//! Creating organizations and teams, and removing members.

use roster_audit::{AuditCode, NewEntry};
use roster_core::id::{IdKind, new_id};
use roster_db::{Db, DbError, from_diesel_error};

use crate::authority::Authority;
use crate::events::{self, Change, EventKind};
use crate::role::{Role, Status};
use crate::scope::{self, MembershipScope, Scope};
use crate::store::{self, MembershipRow, OrganizationRow, TeamRow};

/// The longest organization or team name, in characters.
pub const MAX_NAME: usize = 100;

/// Trims a name and checks its length: 1 to 100 characters.
pub fn clean_name(name: &str) -> Result<String, &'static str> {
    let name = name.trim();
    match name.chars().count() {
        0 => Err("The name must not be empty."),
        n if n > MAX_NAME => Err("The name must be at most 100 characters long."),
        _ => Ok(name.to_owned()),
    }
}

/// Why `createOrganization` did nothing.
#[derive(Debug, thiserror::Error)]
pub enum CreateOrganizationError {
    /// The name is empty or too long.
    #[error("invalid name: {0}")]
    Invalid(&'static str),
    /// Storage failed.
    #[error(transparent)]
    Db(#[from] DbError),
}
from_diesel_error!(CreateOrganizationError);

/// Creates an organization with `actor_id` as its first, verified admin.
#[tracing::instrument(skip_all)]
pub async fn create_organization(
    db: &Db,
    actor_id: &str,
    name: &str,
) -> Result<OrganizationRow, CreateOrganizationError> {
    let name = clean_name(name).map_err(CreateOrganizationError::Invalid)?;
    let now = roster_db::now();
    let organization =
        OrganizationRow { id: new_id(IdKind::Organization), name, created_at: now, event_seq: 0 };
    let membership = MembershipRow {
        id: new_id(IdKind::Membership),
        scope_id: organization.id.clone(),
        organization_id: organization.id.clone(),
        team_id: None,
        user_id: actor_id.to_owned(),
        role: Role::Admin.as_str().to_owned(),
        status: Status::Verified.as_str().to_owned(),
        invited_at: None,
        invited_by: None,
        joined_at: Some(now),
    };
    let mut conn = db.get().await?;
    let (organization, change) = conn
        .transaction(|tx| {
            Box::pin(async move {
                store::insert_organization(tx, &organization).await?;
                store::insert_membership(tx, &membership).await?;
                let scope = Scope { organization_id: organization.id.clone(), team_id: None };
                let change = events::append(tx, &scope, EventKind::Joined, &membership.user_id).await?;
                let entry = NewEntry {
                    code: AuditCode::OrganizationCreated,
                    organization_id: &organization.id,
                    team_id: None,
                    actor_id: Some(&membership.user_id),
                    target_id: Some(&membership.user_id),
                };
                roster_audit::record(tx, entry).await?;
                Ok::<_, CreateOrganizationError>((organization, change))
            })
        })
        .await?;
    events::announce(db, &[change]);
    Ok(organization)
}

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

/// Creates a team in an organization the actor administers.
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
            let scope = scope::resolve(tx, &requested).await?.ok_or(CreateTeamError::NotFound)?;
            scope::lock(tx, &scope).await?;
            let authority = Authority::load(tx, Some(&actor_id), &scope).await?;
            check(&authority).map_err(|denied| match denied {
                Denied::Hidden => CreateTeamError::NotFound,
                Denied::NotAuthorized => CreateTeamError::NotAuthorized,
            })?;
            let organization =
                store::organization(tx, &scope.organization_id).await?.ok_or(CreateTeamError::NotFound)?;
            let team = TeamRow {
                id: new_id(IdKind::Team),
                organization_id: scope.organization_id.clone(),
                name,
                created_at: roster_db::now(),
                event_seq: 0,
            };
            store::insert_team(tx, &team).await?;
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

/// Why an administrative action is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    /// The actor cannot even see the scope: answer "not found", so outsiders learn nothing
    /// about other organizations.
    Hidden,
    /// The actor sees the scope but does not administer it.
    NotAuthorized,
}

/// Whether the actor may administer (invite, resend, cancel, remove in) the scope.
pub fn check(authority: &Authority) -> Result<(), Denied> {
    if !authority.sees_organization() {
        Err(Denied::Hidden)
    } else if !authority.administers() {
        Err(Denied::NotAuthorized)
    } else {
        Ok(())
    }
}

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

/// Removes a verified member from a scope. Leaving an organization also leaves its teams.
#[tracing::instrument(skip_all)]
pub async fn remove_member(
    db: &Db,
    actor_id: &str,
    requested: &MembershipScope,
    user_id: &str,
) -> Result<Scope, RemoveMemberError> {
    let (scope, changes) = remove_member_tx(db, actor_id, requested, user_id).await?;
    events::announce(db, &changes);
    Ok(scope)
}

async fn remove_member_tx(
    db: &Db,
    actor_id: &str,
    requested: &MembershipScope,
    user_id: &str,
) -> Result<(Scope, Vec<Change>), RemoveMemberError> {
    let mut conn = db.get().await?;
    let (actor_id, requested, user_id) = (actor_id.to_owned(), requested.clone(), user_id.to_owned());
    conn.transaction(|tx| {
        Box::pin(async move {
            let scope = scope::resolve(tx, &requested).await?.ok_or(RemoveMemberError::NotFound)?;
            scope::lock(tx, &scope).await?;
            let authority = Authority::load(tx, Some(&actor_id), &scope).await?;
            check(&authority).map_err(|denied| match denied {
                Denied::Hidden => RemoveMemberError::NotFound,
                Denied::NotAuthorized => RemoveMemberError::NotAuthorized,
            })?;
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
            if !store::delete_membership(tx, scope.id(), &user_id, Status::Verified).await? {
                return Err(RemoveMemberError::NotFound);
            }
            let mut changes = vec![events::append(tx, &scope, EventKind::Removed, &user_id).await?];
            if !scope.is_team() {
                let teams = store::delete_team_memberships_in(tx, &scope.organization_id, &user_id).await?;
                for (team_id, status) in teams {
                    let team =
                        Scope { organization_id: scope.organization_id.clone(), team_id: Some(team_id) };
                    // A pending team invitation goes with the organization: for that list it is a
                    // cancellation (its token then finds no pending membership and stops working).
                    let kind = if status == Status::Unverified {
                        EventKind::InvitationCancelled
                    } else {
                        EventKind::Removed
                    };
                    changes.push(events::append(tx, &team, kind, &user_id).await?);
                }
            }
            let entry = NewEntry {
                code: AuditCode::MemberRemoved,
                organization_id: &scope.organization_id,
                team_id: scope.team_id.as_deref(),
                actor_id: Some(&actor_id),
                target_id: Some(&user_id),
            };
            roster_audit::record(tx, entry).await?;
            Ok((scope, changes))
        })
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_between_1_and_100_characters() {
        assert_eq!(clean_name("  Acme  "), Ok("Acme".to_owned()));
        assert!(clean_name("   ").is_err());
        assert!(clean_name(&"é".repeat(100)).is_ok());
        assert!(clean_name(&"é".repeat(101)).is_err());
    }
}
