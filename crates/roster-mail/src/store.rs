//! Queries on `email_outbox`. They never open transactions.

use chrono::NaiveDateTime;
use roster_core::id::{IdKind, new_id};
use roster_db::prelude::*;
use roster_db::schema::email_outbox;
use roster_db::{Conn, db_run};

/// A row of `email_outbox`: one email to send.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = email_outbox)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct OutboxRow {
    /// `eml_…`
    pub id: String,
    /// What kind of mail: the `Composer` that renders it.
    pub kind: String,
    /// The row the mail is about (an invitation, a user token).
    pub subject_id: String,
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
    /// Not to be sent: its subject died first, or delivery failed for good.
    pub dropped_at: Option<NaiveDateTime>,
    /// The last delivery failure, or why the email was dropped, for operators.
    pub last_error: Option<String>,
    /// The claim a sender holds on it (random per claim).
    pub claim_id: Option<String>,
}

impl OutboxRow {
    /// An email of `kind` about `subject_id` to `recipient`, due now.
    pub fn new(kind: &str, subject_id: &str, recipient: &str, now: NaiveDateTime) -> OutboxRow {
        OutboxRow {
            id: new_id(IdKind::Email),
            kind: kind.to_owned(),
            subject_id: subject_id.to_owned(),
            recipient: recipient.to_owned(),
            created_at: now,
            attempts: 0,
            next_attempt_at: now,
            claimed_until: None,
            sent_at: None,
            dropped_at: None,
            last_error: None,
            claim_id: None,
        }
    }
}

/// Queues an email. Call it in the transaction of the change that causes it.
pub async fn enqueue(conn: &mut Conn<'_>, row: &OutboxRow) -> QueryResult<()> {
    db_run!(conn, |c| diesel::insert_into(email_outbox::table).values(row).execute(c).await)?;
    Ok(())
}

/// Drops the unsent mail about these subjects, with `reason`: when a link would no longer
/// work, it is not mailed.
pub async fn drop_unsent(
    conn: &mut Conn<'_>,
    subject_ids: &[String],
    reason: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    if subject_ids.is_empty() {
        return Ok(0);
    }
    db_run!(conn, |c| {
        diesel::update(
            email_outbox::table
                .filter(email_outbox::subject_id.eq_any(subject_ids))
                .filter(email_outbox::sent_at.is_null())
                .filter(email_outbox::dropped_at.is_null()),
        )
        .set((email_outbox::dropped_at.eq(Some(now)), email_outbox::last_error.eq(Some(reason))))
        .execute(c)
        .await
    })
}

/// The unsent mail: how many emails are neither sent nor dropped, and when the oldest of
/// them was queued. What `/metrics` reports as the outbox backlog.
pub async fn backlog(conn: &mut Conn<'_>) -> QueryResult<(i64, Option<NaiveDateTime>)> {
    db_run!(conn, |c| {
        email_outbox::table
            .filter(email_outbox::sent_at.is_null())
            .filter(email_outbox::dropped_at.is_null())
            .select((diesel::dsl::count_star(), diesel::dsl::min(email_outbox::created_at)))
            .first(c)
            .await
    })
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

/// How a delivery attempt ended.
#[derive(Debug, Clone, Copy)]
pub enum Outcome<'a> {
    /// Delivered.
    Sent,
    /// Not to be sent: its subject died before delivery, or delivery failed for good.
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
