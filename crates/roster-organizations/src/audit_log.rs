//! Reading an organization's audit log ("All invitation cancellations are logged in the audit
//! log"): its admins only, newest first, its teams' entries included.

use roster_audit::AuditEntryConnection;
use roster_db::{Db, DbError, from_diesel_error};

use crate::authority::{self, AccessError};
use crate::scope::{self, MembershipScope};

/// Why the log was not read.
#[derive(Debug, thiserror::Error)]
pub enum AuditLogError {
    /// The organization does not exist, or the viewer is not its admin: one answer for both.
    #[error("forbidden")]
    Forbidden,
    /// Storage failed.
    #[error(transparent)]
    Db(#[from] DbError),
}
from_diesel_error!(AuditLogError);

impl From<AccessError> for AuditLogError {
    fn from(err: AccessError) -> Self {
        match err {
            AccessError::Hidden | AccessError::NotAuthorized => AuditLogError::Forbidden,
            AccessError::Db(e) => AuditLogError::Db(e),
        }
    }
}

/// One page of the log of `organization_id`, after the entry `after` (a decoded cursor).
pub async fn audit_log(
    db: &Db,
    actor_id: Option<&str>,
    organization_id: &str,
    after: Option<&str>,
    page_size: usize,
) -> Result<AuditEntryConnection, AuditLogError> {
    let mut conn = db.get().await?;
    let mut conn = conn.conn();
    let requested = MembershipScope::OrganizationId(organization_id.into());
    let scope = scope::resolve(&mut conn, &requested).await?.ok_or(AuditLogError::Forbidden)?;
    authority::read_audit_log(&mut conn, actor_id, &scope, None).await?;
    let limit = i64::try_from(page_size).unwrap_or(100) + 1;
    let records = roster_audit::store::page(&mut conn, &scope.organization_id, after, limit).await?;
    Ok(AuditEntryConnection::from_records(records, page_size))
}
