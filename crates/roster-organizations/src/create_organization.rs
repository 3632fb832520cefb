//! Creating an organization: the creator becomes its first, verified admin.

use roster_audit::{AuditCode, NewEntry};
use roster_core::ClientAddr;
use roster_core::id::{IdKind, new_id};
use roster_db::limit::{self, Refused};
use roster_db::{Conn, Db, DbError, from_diesel_error};

use crate::settings::OrganizationSettings;

use crate::membership::{self, Joiner};
use crate::role::Role;
use crate::scope::{LockedScope, Scope};
use crate::store::{self, OrganizationRow};

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
    let actor_id = actor_id.to_owned();
    membership::transaction(db, move |tx, changes| {
        Box::pin(async move {
            if let Some((per_user, per_address, address)) = &quota {
                limit::reserve(tx, per_user, &actor_id)
                    .await?
                    .map_err(CreateOrganizationError::RateLimited)?;
                limit::reserve(tx, per_address, address)
                    .await?
                    .map_err(CreateOrganizationError::RateLimited)?;
            }
            store::insert_organization(tx, &organization).await?;
            // Nobody else sees the organization before this transaction commits.
            let scope =
                LockedScope::assume(Scope { organization_id: organization.id.clone(), team_id: None });
            let creator =
                Joiner { user_id: &actor_id, role: Role::Admin, invited_at: None, invited_by: None, at: now };
            membership::join(tx, &scope, changes, creator, AuditCode::OrganizationCreated).await?;
            Ok::<_, CreateOrganizationError>(organization)
        })
    })
    .await
}

/// Inserts an organization with no members yet, and its audit entry without an actor, in
/// the caller's transaction: the operator's `roster admin create-organization`, which invites
/// its first admin in the same transaction, under the returned lock (nobody else sees the
/// organization before the commit).
pub async fn insert_unowned(
    tx: &mut Conn<'_>,
    name: &str,
) -> Result<(OrganizationRow, LockedScope), CreateOrganizationError> {
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
    let scope = LockedScope::assume(Scope { organization_id: organization.id.clone(), team_id: None });
    Ok((organization, scope))
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
