//! Creating an organization: the creator becomes its first, verified admin.

use roster_audit::{AuditCode, NewEntry};
use roster_core::ClientAddr;
use roster_core::id::{IdKind, new_id};
use roster_db::limit::{self, Refused};
use roster_db::{Conn, Db, DbError, from_diesel_error};

use crate::settings::OrganizationSettings;

use crate::events::{self, EventKind};
use crate::role::{Role, Status};
use crate::scope::Scope;
use crate::store::{self, MembershipRow, OrganizationRow};

/// The longest organization or team name, in characters.
pub const MAX_NAME: usize = 100;

/// Trims a name and checks it: 1 to 100 characters, none of them a control or text-direction
/// character ([`roster_core::name::check_characters`]). Team names use it too.
pub fn clean_name(name: &str) -> Result<String, &'static str> {
    let name = name.trim();
    roster_core::name::check_characters(name)?;
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
    /// The creator, or their address, has created as many organizations as a day allows.
    #[error("rate limited")]
    RateLimited(Refused),
    /// Storage failed.
    #[error(transparent)]
    Db(#[from] DbError),
}
from_diesel_error!(CreateOrganizationError);

/// Creates an organization with `actor_id` as its first, verified admin, in one transaction
/// with its audit entry and the list's JOINED event. `quota` is the caller's limits and
/// address, counted in the same transaction (a refused or failed creation counts nothing);
/// `None` for the server's own callers (the demo seeder).
#[tracing::instrument(skip_all)]
pub async fn create_organization(
    db: &Db,
    actor_id: &str,
    name: &str,
    quota: Option<(&OrganizationSettings, ClientAddr)>,
) -> Result<OrganizationRow, CreateOrganizationError> {
    let quota = quota.map(|(settings, client)| {
        (settings.creations_per_user, settings.creations_per_address, client.limit_key())
    });
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
                if let Some((per_user, per_address, address)) = &quota {
                    limit::reserve(tx, per_user, &membership.user_id)
                        .await?
                        .map_err(CreateOrganizationError::RateLimited)?;
                    limit::reserve(tx, per_address, address)
                        .await?
                        .map_err(CreateOrganizationError::RateLimited)?;
                }
                store::insert_organization(tx, &organization).await?;
                store::insert_membership(tx, &membership).await?;
                let scope = Scope { organization_id: organization.id.clone(), team_id: None };
                let change =
                    events::append(tx, &scope, EventKind::Joined, &membership.user_id, Some(&membership))
                        .await?;
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

/// Inserts an organization with no members yet, and its audit entry without an actor, in
/// the caller's transaction: the operator's `roster admin create-organization`, which invites
/// its first admin in the same transaction.
pub async fn insert_unowned(
    tx: &mut Conn<'_>,
    name: &str,
) -> Result<OrganizationRow, CreateOrganizationError> {
    let name = clean_name(name).map_err(CreateOrganizationError::Invalid)?;
    let organization = OrganizationRow {
        id: new_id(IdKind::Organization),
        name,
        created_at: roster_db::now(),
        event_seq: 0,
    };
    store::insert_organization(tx, &organization).await?;
    let entry = NewEntry {
        code: AuditCode::OrganizationCreated,
        organization_id: &organization.id,
        team_id: None,
        actor_id: None,
        target_id: None,
    };
    roster_audit::record(tx, entry).await?;
    Ok(organization)
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
        assert!(clean_name("Ac\0me").is_err() && clean_name("Acme\u{202E}").is_err());
    }
}
