//! Reading a member list: who may ("Locate the invited user in the organization members
//! list"), and one page of it, with each row's actions.

use roster_db::{Conn, Db, DbError, from_diesel_error};

use crate::authority::{self, AccessError};
use crate::members::{self, ActionRules, MemberConnection};
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
) -> Result<MemberConnection, ListError> {
    let mut conn = db.get().await?;
    let scope = scope::resolve(&mut conn.conn(), requested).await?.ok_or(ListError::Forbidden)?;
    read(&mut conn, actor_id, scope, page).await
}

/// A page of the list of a scope already found (an `Organization`'s or a `Team`'s own list).
pub async fn of_scope(
    db: &Db,
    actor_id: Option<&str>,
    scope: Scope,
    page: PageRequest,
) -> Result<MemberConnection, ListError> {
    let mut conn = db.get().await?;
    read(&mut conn, actor_id, scope, page).await
}

async fn read(
    conn: &mut roster_db::Checkout,
    actor_id: Option<&str>,
    scope: Scope,
    page: PageRequest,
) -> Result<MemberConnection, ListError> {
    let rules = {
        let mut reader: Conn<'_> = conn.conn();
        let authority = authority::read_members(&mut reader, actor_id, &scope).await?;
        ActionRules::load(&mut reader, authority, &scope).await?
    };
    // The page, its count and its event position come from one snapshot, so they agree.
    let PageRequest { size, after, status } = page;
    Ok(conn
        .snapshot(|tx| {
            Box::pin(async move { members::page(tx, &scope, &rules, status, after.as_deref(), size).await })
        })
        .await?)
}
