//! Queries on `users` and `sessions`. They take a borrowed connection and never open
//! transactions; services decide the transaction boundaries.

use chrono::NaiveDateTime;
use roster_db::prelude::*;
use roster_db::schema::{sessions, users};
use roster_db::{Conn, db_run};

/// A row of `users`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct UserRow {
    /// `usr_…`
    pub id: String,
    /// As given, trimmed.
    pub email: String,
    /// Unique: the canonical form of `email` ([`crate::email`]) for accounts created since
    /// canonical forms; older rows keep the lower-cased `email` they were created with.
    pub email_key: String,
    /// The name shown to others; null until the user sets one.
    pub display_name: Option<String>,
    /// The argon2id PHC string; null for an invited user who has not accepted yet.
    pub password_hash: Option<String>,
    /// When the account was created.
    pub created_at: NaiveDateTime,
    /// When the owner proved the mailbox (a verification link, an invitation, a reset);
    /// null until then.
    pub email_verified_at: Option<NaiveDateTime>,
    /// The canonical form of `email`, unique: what look-ups compare. Null for a row the server
    /// has not canonicalised yet (created before canonical forms, until the next start or
    /// `roster migrate`) and for a row whose canonical form an older account holds.
    pub email_canonical: Option<String>,
    /// For a row whose canonical form an older account holds: that form. The operator resolves
    /// it (`roster migrate` lists them); until then sign-up refuses the address.
    pub email_conflict: Option<String>,
}

/// A row of `sessions`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sessions)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct SessionRow {
    /// `ses_…`
    pub id: String,
    /// Whose session.
    pub user_id: String,
    /// SHA-256 of the bearer token.
    pub token_digest: String,
    /// When it was created.
    pub created_at: NaiveDateTime,
    /// After this instant the token is refused.
    pub expires_at: NaiveDateTime,
    /// Set by sign-out; a revoked token is refused.
    pub revoked_at: Option<NaiveDateTime>,
}

/// Inserts a user. Fails with a unique violation when the email is taken.
pub async fn insert_user(conn: &mut Conn<'_>, user: &UserRow) -> QueryResult<()> {
    db_run!(conn, |c| diesel::insert_into(users::table).values(user).execute(c).await)?;
    Ok(())
}

/// The rows whose email has the canonical form `key`: by `email_canonical`, or, for a row not
/// canonicalised yet (written by an older replica during a rolling upgrade, until the next
/// fill), by its `email_key`, which was the same for every ASCII address. Every look-up by
/// email goes through it.
#[diesel::dsl::auto_type]
pub(crate) fn has_email<'a>(key: &'a str) -> _ {
    users::email_canonical.eq(key).or(users::email_canonical
        .is_null()
        .and(users::email_conflict.is_null())
        .and(users::email_key.eq(key))
        .nullable())
}

/// The user whose email has this canonical form ([`crate::email::key`]), if any.
pub async fn user_by_email_key(conn: &mut Conn<'_>, key: &str) -> QueryResult<Option<UserRow>> {
    db_run!(conn, |c| {
        users::table.filter(has_email(key)).select(UserRow::as_select()).first(c).await.optional()
    })
}

/// Whether accounts created before canonical forms collide on this one (see
/// [`UserRow::email_conflict`]): sign-up refuses such an address until the operator resolves it.
pub async fn email_in_conflict(conn: &mut Conn<'_>, key: &str) -> QueryResult<bool> {
    let found: Option<String> = db_run!(conn, |c| {
        users::table.filter(users::email_conflict.eq(key)).select(users::id).first(c).await.optional()
    })?;
    Ok(found.is_some())
}

/// The users with these ids, in no particular order; unknown ids are skipped. One query
/// whatever the count, for loaders and lists.
pub async fn users_by_ids(conn: &mut Conn<'_>, ids: &[String]) -> QueryResult<Vec<UserRow>> {
    db_run!(conn, |c| {
        users::table.filter(users::id.eq_any(ids)).select(UserRow::as_select()).load(c).await
    })
}

/// Inserts a session.
pub async fn insert_session(conn: &mut Conn<'_>, session: &SessionRow) -> QueryResult<()> {
    db_run!(conn, |c| diesel::insert_into(sessions::table).values(session).execute(c).await)?;
    Ok(())
}

/// The live session with this token digest and its user: not revoked and not expired at `now`.
pub async fn live_session(
    conn: &mut Conn<'_>,
    digest: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<SessionRow>> {
    db_run!(conn, |c| {
        sessions::table
            .filter(sessions::token_digest.eq(digest))
            .filter(sessions::revoked_at.is_null())
            .filter(sessions::expires_at.gt(now))
            .select(SessionRow::as_select())
            .first(c)
            .await
            .optional()
    })
}

/// Whether the session with this id is still live at `now`. Long-lived connections
/// (subscriptions) ask this to notice a sign-out.
pub async fn session_is_live(conn: &mut Conn<'_>, session_id: &str, now: NaiveDateTime) -> QueryResult<bool> {
    let found: Option<String> = db_run!(conn, |c| {
        sessions::table
            .find(session_id)
            .filter(sessions::revoked_at.is_null())
            .filter(sessions::expires_at.gt(now))
            .select(sessions::id)
            .first(c)
            .await
            .optional()
    })?;
    Ok(found.is_some())
}

/// Revokes a session. Returns how many rows changed (0 when it was already revoked).
pub async fn revoke_session(conn: &mut Conn<'_>, session_id: &str, now: NaiveDateTime) -> QueryResult<usize> {
    db_run!(conn, |c| {
        diesel::update(sessions::table.find(session_id).filter(sessions::revoked_at.is_null()))
            .set(sessions::revoked_at.eq(Some(now)))
            .execute(c)
            .await
    })
}

/// Inserts a user unless one with the same email key exists (an invitation creating an
/// account races another). Returns whether it was inserted. `ON CONFLICT DO NOTHING` keeps
/// a PostgreSQL transaction usable where a failed insert would abort it.
pub async fn insert_user_if_absent(conn: &mut Conn<'_>, user: &UserRow) -> QueryResult<bool> {
    let inserted = db_run!(conn, |c| {
        diesel::insert_into(users::table).values(user).on_conflict_do_nothing().execute(c).await
    })?;
    Ok(inserted == 1)
}

/// The account with this email, created without a password when there is none: whom an
/// invitation is for. Safe against a concurrent creation of the same account.
pub async fn invitee(
    conn: &mut Conn<'_>,
    email: &crate::email::Email,
    now: NaiveDateTime,
) -> QueryResult<UserRow> {
    let candidate = UserRow {
        id: roster_core::id::new_id(roster_core::id::IdKind::User),
        email: email.display.clone(),
        email_key: email.key.clone(),
        display_name: None,
        password_hash: None,
        created_at: now,
        email_verified_at: None,
        email_canonical: Some(email.key.clone()),
        email_conflict: None,
    };
    if insert_user_if_absent(conn, &candidate).await? {
        return Ok(candidate);
    }
    user_by_email_key(conn, &email.key).await?.ok_or(diesel::result::Error::NotFound)
}

/// Gives the account with `new`'s canonical email, if it has no password yet, `new`'s
/// password hash and display name. The stored address is kept as it was: mail goes where the
/// invitation went, never to a new spelling. Returns the updated account, or `None` when
/// there is no such account or it already has a password (the condition makes races safe).
pub async fn claim_passwordless(conn: &mut Conn<'_>, new: &UserRow) -> QueryResult<Option<UserRow>> {
    db_run!(conn, |c| {
        diesel::update(users::table.filter(has_email(&new.email_key)).filter(users::password_hash.is_null()))
            .set((users::password_hash.eq(&new.password_hash), users::display_name.eq(&new.display_name)))
            .returning(UserRow::as_returning())
            .get_result(c)
            .await
            .optional()
    })
}

/// Sets the password of an account that has none yet (an invitee accepting), and its
/// display name. Returns false when the account already had a password, so a token can
/// never replace an existing password.
pub async fn set_first_password(
    conn: &mut Conn<'_>,
    user_id: &str,
    password_hash: &str,
    display_name: &str,
) -> QueryResult<bool> {
    let changed = db_run!(conn, |c| {
        diesel::update(users::table.find(user_id).filter(users::password_hash.is_null()))
            .set((users::password_hash.eq(password_hash), users::display_name.eq(display_name)))
            .execute(c)
            .await
    })?;
    Ok(changed == 1)
}

/// Whether the account's email is verified (false for no such account).
pub async fn is_verified(conn: &mut Conn<'_>, user_id: &str) -> QueryResult<bool> {
    let verified_at: Option<Option<NaiveDateTime>> = db_run!(conn, |c| {
        users::table.find(user_id).select(users::email_verified_at).first(c).await.optional()
    })?;
    Ok(matches!(verified_at, Some(Some(_))))
}

/// Marks the account's email verified, if it was not.
pub async fn mark_verified(conn: &mut Conn<'_>, user_id: &str, now: NaiveDateTime) -> QueryResult<()> {
    db_run!(conn, |c| {
        diesel::update(users::table.find(user_id).filter(users::email_verified_at.is_null()))
            .set(users::email_verified_at.eq(Some(now)))
            .execute(c)
            .await
    })?;
    Ok(())
}

/// Replaces the account's password (a reset: the mailbox was proven) and marks its email
/// verified.
pub async fn reset_password(
    conn: &mut Conn<'_>,
    user_id: &str,
    password_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<UserRow>> {
    mark_verified(conn, user_id, now).await?;
    db_run!(conn, |c| {
        diesel::update(users::table.find(user_id))
            .set(users::password_hash.eq(Some(password_hash)))
            .returning(UserRow::as_returning())
            .get_result(c)
            .await
            .optional()
    })
}

/// Removes the account's display name: after a reclaim, the name whoever squatted the address
/// chose (perhaps a lookalike link) must not stay on the owner's account.
pub async fn clear_display_name(conn: &mut Conn<'_>, user_id: &str) -> QueryResult<()> {
    db_run!(conn, |c| {
        diesel::update(users::table.find(user_id))
            .set(users::display_name.eq(None::<String>))
            .execute(c)
            .await
    })?;
    Ok(())
}

/// Takes over an account whose email was never verified, for whoever proved the mailbox (an
/// invitation's token): a new password and display name, and the email verified. Returns
/// false when the email was verified meanwhile, so a verified account is never taken over.
pub async fn take_over_unverified(
    conn: &mut Conn<'_>,
    user_id: &str,
    password_hash: &str,
    display_name: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let changed = db_run!(conn, |c| {
        diesel::update(users::table.find(user_id).filter(users::email_verified_at.is_null()))
            .set((
                users::password_hash.eq(Some(password_hash)),
                users::display_name.eq(Some(display_name)),
                users::email_verified_at.eq(Some(now)),
            ))
            .execute(c)
            .await
    })?;
    Ok(changed == 1)
}

/// Revokes every live session of the account, except `keep`. Returns the revoked ids, so
/// they can be announced.
pub async fn revoke_sessions_of(
    conn: &mut Conn<'_>,
    user_id: &str,
    keep: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<Vec<String>> {
    let keep = keep.unwrap_or("");
    db_run!(conn, |c| {
        diesel::update(
            sessions::table
                .filter(sessions::user_id.eq(user_id))
                .filter(sessions::revoked_at.is_null())
                .filter(sessions::id.ne(keep)),
        )
        .set(sessions::revoked_at.eq(Some(now)))
        .returning(sessions::id)
        .get_results(c)
        .await
    })
}
