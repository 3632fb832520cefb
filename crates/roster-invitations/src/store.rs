//! Queries on `invitations` and `email_outbox`. They never open transactions.

use chrono::NaiveDateTime;
use roster_db::prelude::*;
use roster_db::schema::{email_outbox, invitations};
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

/// A row of `email_outbox`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = email_outbox)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct OutboxRow {
    /// `eml_…`
    pub id: String,
    /// The invitation to mail.
    pub invitation_id: String,
    /// The address.
    pub recipient: String,
    /// When it was queued.
    pub created_at: NaiveDateTime,
    /// Delivery attempts so far.
    pub attempts: i32,
    /// Not before this instant.
    pub next_attempt_at: NaiveDateTime,
    /// A sender is working on it until then.
    pub claimed_until: Option<NaiveDateTime>,
    /// Delivered.
    pub sent_at: Option<NaiveDateTime>,
    /// Not to be sent (the invitation died first).
    pub dropped_at: Option<NaiveDateTime>,
    /// The last delivery failure, or why the email was dropped, for operators.
    pub last_error: Option<String>,
    /// The claim a sender holds on it (random per claim).
    pub claim_id: Option<String>,
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

/// Drops the unsent mail of the pending invitation of (scope, user), with `reason`, before
/// the invitation is ended: a link that would not work is not mailed.
pub async fn drop_unsent(
    conn: &mut Conn<'_>,
    scope_id: &str,
    user_id: &str,
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let pending = invitations::table
        .filter(invitations::scope_id.eq(scope_id))
        .filter(invitations::user_id.eq(user_id))
        .filter(invitations::state.eq(State::Pending.as_str()))
        .select(invitations::id);
    db_run!(conn, |c| {
        diesel::update(
            email_outbox::table
                .filter(email_outbox::invitation_id.eq_any(pending))
                .filter(email_outbox::sent_at.is_null())
                .filter(email_outbox::dropped_at.is_null()),
        )
        .set((email_outbox::dropped_at.eq(Some(now)), email_outbox::last_error.eq(Some(reason))))
        .execute(c)
        .await
    })
}

/// Queues an email.
pub async fn enqueue(conn: &mut Conn<'_>, row: &OutboxRow) -> QueryResult<()> {
    db_run!(conn, |c| diesel::insert_into(email_outbox::table).values(row).execute(c).await)?;
    Ok(())
}

/// Emails due at `now`: not sent, not dropped, not claimed by a live sender.
pub async fn due(conn: &mut Conn<'_>, now: NaiveDateTime, limit: i64) -> QueryResult<Vec<OutboxRow>> {
    db_run!(conn, |c| {
        email_outbox::table
            .filter(email_outbox::sent_at.is_null())
            .filter(email_outbox::dropped_at.is_null())
            .filter(email_outbox::next_attempt_at.le(now))
            .filter(email_outbox::claimed_until.is_null().or(email_outbox::claimed_until.lt(now)))
            .order(email_outbox::next_attempt_at.asc())
            .limit(limit)
            .select(OutboxRow::as_select())
            .load(c)
            .await
    })
}

/// Claims an email for one sender until `until`, under the id `claim_id`. Returns false
/// when another sender (another replica) claimed it first: the conditional update decides,
/// on both backends.
pub async fn claim(
    conn: &mut Conn<'_>,
    id: &str,
    claim_id: &str,
    now: NaiveDateTime,
    until: NaiveDateTime,
) -> QueryResult<bool> {
    let changed = db_run!(conn, |c| {
        diesel::update(
            email_outbox::table
                .find(id)
                .filter(email_outbox::sent_at.is_null())
                .filter(email_outbox::dropped_at.is_null())
                .filter(email_outbox::claimed_until.is_null().or(email_outbox::claimed_until.lt(now))),
        )
        .set((
            email_outbox::claimed_until.eq(Some(until)),
            email_outbox::claim_id.eq(Some(claim_id)),
            email_outbox::attempts.eq(email_outbox::attempts + 1),
        ))
        .execute(c)
        .await
    })?;
    Ok(changed == 1)
}

/// Records the outcome of a delivery attempt, only while `claim_id` still holds the email.
/// Returns false when the claim was lost (it lapsed and another sender took over).
pub async fn finish(
    conn: &mut Conn<'_>,
    id: &str,
    claim_id: &str,
    outcome: Outcome<'_>,
) -> QueryResult<bool> {
    let now = roster_db::now();
    let released =
        (email_outbox::claimed_until.eq(None::<NaiveDateTime>), email_outbox::claim_id.eq(None::<String>));
    let changed = db_run!(conn, |c| {
        let row = email_outbox::table.find(id).filter(email_outbox::claim_id.eq(claim_id));
        match outcome {
            Outcome::Sent => {
                diesel::update(row).set((email_outbox::sent_at.eq(Some(now)), released)).execute(c).await
            }
            Outcome::Dropped { reason } => {
                diesel::update(row)
                    .set((
                        email_outbox::dropped_at.eq(Some(now)),
                        email_outbox::last_error.eq(Some(reason)),
                        released,
                    ))
                    .execute(c)
                    .await
            }
            Outcome::Retry { at, error } => {
                diesel::update(row)
                    .set((
                        email_outbox::next_attempt_at.eq(at),
                        email_outbox::last_error.eq(Some(error)),
                        released,
                    ))
                    .execute(c)
                    .await
            }
        }
    })?;
    Ok(changed == 1)
}

/// How a delivery attempt ended.
#[derive(Debug, Clone, Copy)]
pub enum Outcome<'a> {
    /// Delivered.
    Sent,
    /// Not to be sent: the invitation died before delivery, or delivery failed for good.
    Dropped {
        /// Why, for operators.
        reason: &'a str,
    },
    /// Failed; try again at `at`.
    Retry {
        /// When to try again.
        at: NaiveDateTime,
        /// Why it failed.
        error: &'a str,
    },
}
