//! Reading a member list: who may ("Locate the invited user in the organization members
//! list"), and one page of it, with each row's actions.

use roster_db::{Db, DbError, from_diesel_error};

use roster_core::id::IdKind;

use crate::authority::{self, AccessError, Known};
pub use crate::members::Wants;
use crate::members::{self, MemberConnection};
use crate::role::Status;
use crate::scope::{self, MembershipScope, Scope};

/// Which page to read.
#[derive(Debug, Clone, Default)]
pub struct PageRequest {
    /// Members per page.
    pub size: usize,
    /// Continue after this membership id (a decoded cursor).
    pub after: Option<String>,
    /// Only members with this status.
    pub status: Option<Status>,
    /// What the client selected beyond the members themselves.
    pub wants: Wants,
}

/// Why a list was not read.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    /// The scope does not exist, or the viewer may not read its list: one answer for both.
    #[error("forbidden")]
    Forbidden,
    /// Storage failed.
    #[error(transparent)]
    Db(#[from] DbError),
}
from_diesel_error!(ListError);

impl From<AccessError> for ListError {
    fn from(err: AccessError) -> Self {
        match err {
            AccessError::Hidden | AccessError::NotAuthorized => ListError::Forbidden,
            AccessError::Db(e) => ListError::Db(e),
        }
    }
}

/// A page of the list of the scope the client named.
pub async fn of_requested(
    db: &Db,
    actor_id: Option<&str>,
    requested: &MembershipScope,
    page: PageRequest,
    known: Option<&Known>,
) -> Result<MemberConnection, ListError> {
    let mut conn = db.get().await?;
    let scope = match requested {
        // No query to find an organization: only its verified members may read its list,
        // and the authority query finds nobody in one that does not exist, the same answer.
        MembershipScope::OrganizationId(id) if IdKind::Organization.matches(id) => {
            Scope { organization_id: id.to_string(), team_id: None }
        }
        _ => scope::resolve(&mut conn.conn(), requested).await?.ok_or(ListError::Forbidden)?,
    };
    read(&mut conn, actor_id, scope, page, known).await
}

/// A page of the list of a scope already found (an `Organization`'s or a `Team`'s own list).
pub async fn of_scope(
    db: &Db,
    actor_id: Option<&str>,
    scope: Scope,
    page: PageRequest,
    known: Option<&Known>,
) -> Result<MemberConnection, ListError> {
    let mut conn = db.get().await?;
    read(&mut conn, actor_id, scope, page, known).await
}

async fn read(
    conn: &mut roster_db::Checkout,
    actor_id: Option<&str>,
    scope: Scope,
    page: PageRequest,
    known: Option<&Known>,
) -> Result<MemberConnection, ListError> {
    let PageRequest { size, after, status, wants } = page;
    let mut conn = conn.conn();
    let authority = authority::read_members(&mut conn, actor_id, &scope, known).await?;
    Ok(members::page(&mut conn, &scope, authority, status, after.as_deref(), size, wants).await?)
}
