//! Single-use tokens mailed to a user: email verification and password reset.
//!
//! As with invitations, a row is written with a placeholder digest that no token hashes to;
//! the mail sender mints the real token when the mail goes out and stores only its digest
//! (`install`), so no usable token is ever at rest. Using one (`consume`) is a conditional
//! update: a token works once, until it expires, and only the newest of its kind does.

use chrono::{NaiveDateTime, TimeDelta};
use roster_core::id::{IdKind, new_id};
use roster_db::prelude::*;
use roster_db::schema::user_tokens;
use roster_db::{Conn, db_run};

/// What a token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Proving the mailbox after signing up.
    VerifyEmail,
    /// Choosing a new password.
    ResetPassword,
}

impl Purpose {
    /// The stored form, which is also the outbox kind of its mail.
    pub const fn as_str(self) -> &'static str {
        match self {
            Purpose::VerifyEmail => "VERIFY_EMAIL",
            Purpose::ResetPassword => "RESET_PASSWORD",
        }
    }

    /// How long a link works after it is sent: a day to verify, an hour to reset.
    pub fn lifetime(self) -> TimeDelta {
        match self {
            Purpose::VerifyEmail => TimeDelta::hours(24),
            Purpose::ResetPassword => TimeDelta::hours(1),
        }
    }
}

/// A row of `user_tokens`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = user_tokens)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct UserTokenRow {
    /// `tok_…`
    pub id: String,
    /// Whose.
    pub user_id: String,
    /// `Purpose::as_str`.
    pub purpose: String,
    /// SHA-256 of the token (a placeholder until its mail goes out).
    pub token_digest: String,
    /// When it was made.
    pub created_at: NaiveDateTime,
    /// When it stops working.
    pub expires_at: NaiveDateTime,
    /// When it was used (or retired by a newer one).
    pub used_at: Option<NaiveDateTime>,
}

/// A new token row for `user_id`, with a placeholder digest.
pub fn placeholder(user_id: &str, purpose: Purpose, now: NaiveDateTime) -> UserTokenRow {
    UserTokenRow {
        id: new_id(IdKind::UserToken),
        user_id: user_id.to_owned(),
        purpose: purpose.as_str().to_owned(),
        token_digest: roster_core::token::mint().digest,
        created_at: now,
        expires_at: now + purpose.lifetime(),
        used_at: None,
    }
}

/// Inserts a token row, retiring the user's earlier unused ones of the same purpose: only
/// the newest link works.
pub async fn insert(conn: &mut Conn<'_>, row: &UserTokenRow) -> QueryResult<()> {
    retire(conn, &row.user_id, &row.purpose, row.created_at).await?;
    db_run!(conn, |c| diesel::insert_into(user_tokens::table).values(row).execute(c).await)?;
    Ok(())
}

async fn retire(conn: &mut Conn<'_>, user_id: &str, purpose: &str, now: NaiveDateTime) -> QueryResult<usize> {
    db_run!(conn, |c| {
        diesel::update(
            user_tokens::table
                .filter(user_tokens::user_id.eq(user_id))
                .filter(user_tokens::purpose.eq(purpose))
                .filter(user_tokens::used_at.is_null()),
        )
        .set(user_tokens::used_at.eq(Some(now)))
        .execute(c)
        .await
    })
}

/// The token row `id`, while it is unused and unexpired.
pub async fn live_by_id(
    conn: &mut Conn<'_>,
    id: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<UserTokenRow>> {
    db_run!(conn, |c| {
        user_tokens::table
            .find(id)
            .filter(user_tokens::used_at.is_null())
            .filter(user_tokens::expires_at.gt(now))
            .select(UserTokenRow::as_select())
            .first(c)
            .await
            .optional()
    })
}

/// Installs a freshly minted token's digest on a live row and restarts its lifetime.
/// Returns false when the row was used or retired meanwhile.
pub async fn install(
    conn: &mut Conn<'_>,
    id: &str,
    digest: &str,
    expires_at: NaiveDateTime,
) -> QueryResult<bool> {
    let changed = db_run!(conn, |c| {
        diesel::update(user_tokens::table.find(id).filter(user_tokens::used_at.is_null()))
            .set((user_tokens::token_digest.eq(digest), user_tokens::expires_at.eq(expires_at)))
            .execute(c)
            .await
    })?;
    Ok(changed == 1)
}

/// The user a live token of `purpose` belongs to, without using it.
pub async fn peek(
    conn: &mut Conn<'_>,
    digest: &str,
    purpose: Purpose,
    now: NaiveDateTime,
) -> QueryResult<Option<String>> {
    db_run!(conn, |c| {
        user_tokens::table
            .filter(user_tokens::token_digest.eq(digest))
            .filter(user_tokens::purpose.eq(purpose.as_str()))
            .filter(user_tokens::used_at.is_null())
            .filter(user_tokens::expires_at.gt(now))
            .select(user_tokens::user_id)
            .first(c)
            .await
            .optional()
    })
}

/// Uses a live token of `purpose`: returns its user, or `None` when it is unknown, used,
/// retired or expired. Of concurrent uses, one wins.
pub async fn consume(
    conn: &mut Conn<'_>,
    digest: &str,
    purpose: Purpose,
    now: NaiveDateTime,
) -> QueryResult<Option<String>> {
    db_run!(conn, |c| {
        diesel::update(
            user_tokens::table
                .filter(user_tokens::token_digest.eq(digest))
                .filter(user_tokens::purpose.eq(purpose.as_str()))
                .filter(user_tokens::used_at.is_null())
                .filter(user_tokens::expires_at.gt(now)),
        )
        .set(user_tokens::used_at.eq(Some(now)))
        .returning(user_tokens::user_id)
        .get_result(c)
        .await
        .optional()
    })
}
