//! Renaming an organization: for its admins.

use roster_audit::AuditCode;
use roster_db::{Db, DbError, from_diesel_error};

use crate::access_refusals;
use crate::authority;
use crate::create_organization::clean_name;
use crate::scope::{self, MembershipScope};
use crate::store::{self, OrganizationRow};

/// Why `renameOrganization` renamed nothing.
#[derive(Debug, thiserror::Error)]
pub enum RenameOrganizationError {
    /// No such organization (or not visible).
    #[error("not found")]
    NotFound,
    /// The actor is not one of its admins.
    #[error("not authorized")]
    NotAuthorized,
    /// The name is empty or too long.
    #[error("invalid name: {0}")]
    Invalid(&'static str),
    /// Storage failed.
    #[error(transparent)]
    Db(#[from] DbError),
}
from_diesel_error!(RenameOrganizationError);
access_refusals!(RenameOrganizationError);

/// Renames an organization, with an audit entry ("Admin renamed organization").
#[tracing::instrument(skip_all)]
pub async fn rename_organization(
    db: &Db,
    actor_id: &str,
    organization_id: &str,
    name: &str,
) -> Result<OrganizationRow, RenameOrganizationError> {
    let name = clean_name(name).map_err(RenameOrganizationError::Invalid)?;
    let mut conn = db.get().await?;
    let (actor_id, requested) =
        (actor_id.to_owned(), MembershipScope::OrganizationId(organization_id.into()));
    conn.transaction(|tx| {
        Box::pin(async move {
            let (scope, _) = authority::administer(tx, &actor_id, &requested).await?;
            let row = store::rename_organization(tx, &scope.organization_id, &name)
                .await?
                .ok_or(RenameOrganizationError::NotFound)?;
            scope::audit(tx, &scope, AuditCode::OrganizationRenamed, Some(&actor_id), None).await?;
            Ok(row)
        })
    })
    .await
}
