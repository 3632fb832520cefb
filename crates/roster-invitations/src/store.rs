//! Queries on `invitations`. They never open transactions.

use chrono::NaiveDateTime;
use roster_db::prelude::*;
use roster_db::schema::invitations;
use roster_db::{Conn, db_run};

/// What became of an invitation token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Live: it can be accepted until it expires.
    Pending,
    /// Used.
    Accepted,
    /// Cancelled by an admin.
    Cancelled,
    /// Replaced by a resend.
    Superseded,
}

impl State {
    /// The stored form.
    pub const fn as_str(self) -> &'static str {
        match self {
            State::Pending => "PENDING",
            State::Accepted => "ACCEPTED",
            State::Cancelled => "CANCELLED",
            State::Superseded => "SUPERSEDED",
        }
    }
}

/// A row of `invitations`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = invitations)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct InvitationRow {
    /// `inv_…`
    pub id: String,
    /// The organization's or team's id.
    pub scope_id: String,
    /// The organization.
    pub organization_id: String,
    /// The team, for a team invitation.
    pub team_id: Option<String>,
    /// The invitee.
    pub user_id: String,
    /// Who invited (or resent).
    pub invited_by: Option<String>,
    /// SHA-256 of the token (a placeholder until the email is sent).
    pub token_digest: String,
    /// `State::as_str`.
    pub state: String,
    /// When this token row was created (the invite or the resend).
    pub created_at: NaiveDateTime,
    /// When the token stops working.
    pub expires_at: NaiveDateTime,
    /// When it was accepted, cancelled or superseded.
    pub resolved_at: Option<NaiveDateTime>,
}

/// Inserts an invitation.
pub async fn insert(conn: &mut Conn<'_>, row: &InvitationRow) -> QueryResult<()> {
    db_run!(conn, |c| diesel::insert_into(invitations::table).values(row).execute(c).await)?;
    Ok(())
}

/// The invitation whose token hashes to `digest`.
pub async fn by_digest(conn: &mut Conn<'_>, digest: &str) -> QueryResult<Option<InvitationRow>> {
    db_run!(conn, |c| {
        invitations::table
            .filter(invitations::token_digest.eq(digest))
            .select(InvitationRow::as_select())
            .first(c)
            .await
            .optional()
    })
}

/// The pending invitation of (scope, user), if any.
pub async fn pending(
    conn: &mut Conn<'_>,
    scope_id: &str,
    user_id: &str,
) -> QueryResult<Option<InvitationRow>> {
    db_run!(conn, |c| {
        invitations::table
            .filter(invitations::scope_id.eq(scope_id))
            .filter(invitations::user_id.eq(user_id))
            .filter(invitations::state.eq(State::Pending.as_str()))
            .select(InvitationRow::as_select())
            .first(c)
            .await
            .optional()
    })
}

/// An invitation by id.
pub async fn by_id(conn: &mut Conn<'_>, id: &str) -> QueryResult<Option<InvitationRow>> {
    db_run!(conn, |c| invitations::table
        .find(id)
        .select(InvitationRow::as_select())
        .first(c)
        .await
        .optional())
}

/// Moves the pending invitation of (scope, user), if any, to `state`. Returns how many rows
/// changed (0 or 1: the partial unique index allows one pending row).
pub async fn resolve_pending(
    conn: &mut Conn<'_>,
    scope_id: &str,
    user_id: &str,
    state: State,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    db_run!(conn, |c| {
        diesel::update(
            invitations::table
                .filter(invitations::scope_id.eq(scope_id))
                .filter(invitations::user_id.eq(user_id))
                .filter(invitations::state.eq(State::Pending.as_str())),
        )
        .set((invitations::state.eq(state.as_str()), invitations::resolved_at.eq(Some(now))))
        .execute(c)
        .await
    })
}

/// Marks one invitation accepted, only while it is pending and unexpired. Returns whether it
/// was: the single-use guarantee.
pub async fn accept(conn: &mut Conn<'_>, id: &str, now: NaiveDateTime) -> QueryResult<bool> {
    let changed = db_run!(conn, |c| {
        diesel::update(
            invitations::table
                .find(id)
                .filter(invitations::state.eq(State::Pending.as_str()))
                .filter(invitations::expires_at.gt(now)),
        )
        .set((invitations::state.eq(State::Accepted.as_str()), invitations::resolved_at.eq(Some(now))))
        .execute(c)
        .await
    })?;
    Ok(changed == 1)
}

/// Installs a freshly minted token's digest on a pending invitation and restarts its expiry.
/// Returns false when the invitation is no longer pending (cancelled or resent meanwhile).
pub async fn install_token(
    conn: &mut Conn<'_>,
    id: &str,
    digest: &str,
    expires_at: NaiveDateTime,
) -> QueryResult<bool> {
    let changed = db_run!(conn, |c| {
        diesel::update(invitations::table.find(id).filter(invitations::state.eq(State::Pending.as_str())))
            .set((invitations::token_digest.eq(digest), invitations::expires_at.eq(expires_at)))
            .execute(c)
            .await
    })?;
    Ok(changed == 1)
}

/// The ids of the pending invitations of (scope, user): what a cancellation ends.
pub async fn pending_ids(conn: &mut Conn<'_>, scope_id: &str, user_id: &str) -> QueryResult<Vec<String>> {
    db_run!(conn, |c| {
        invitations::table
            .filter(invitations::scope_id.eq(scope_id))
            .filter(invitations::user_id.eq(user_id))
            .filter(invitations::state.eq(State::Pending.as_str()))
            .select(invitations::id)
            .load(c)
            .await
    })
}
