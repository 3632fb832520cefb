//! Sign-up, sign-in, sign-out, and turning a bearer token into an [`Actor`].

use std::time::Duration;

use roster_core::id::{IdKind, new_id};
use roster_core::{Actor, ClientAddr};
use roster_db::limit::{self, Refused};
use roster_db::{Conn, Db, DbError, from_diesel_error, is_unique_violation};

use crate::email;
use crate::password::{self, HashError};
pub use crate::settings::IdentitySettings;
use crate::store::{self, SessionRow, UserRow};
use crate::tokens::Purpose;

/// A session just created: the user and the token to hand to them once.
#[derive(Debug)]
pub struct NewSession {
    /// The signed-in user.
    pub user: UserRow,
    /// The bearer token. Only its digest is stored.
    pub token: String,
}

/// Why `signUp` did not create an account.
#[derive(Debug, thiserror::Error)]
pub enum SignUpError {
    /// Sign-up is closed by configuration.
    #[error("sign-up is closed")]
    Closed,
    /// An argument is invalid.
    #[error("invalid {field}: {message}")]
    Invalid {
        /// The argument's name in the schema.
        field: &'static str,
        /// Why.
        message: &'static str,
    },
    /// The email belongs to an account already.
    #[error("email taken")]
    EmailTaken,
    /// Too many sign-ups from this client address lately.
    #[error("rate limited")]
    RateLimited(Refused),
    /// Storage failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// Hashing failed.
    #[error(transparent)]
    Hash(#[from] HashError),
}
from_diesel_error!(SignUpError);

/// Why `signIn` did not sign in.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// Unknown email or wrong password: deliberately one case.
    #[error("invalid credentials")]
    InvalidCredentials,
    /// Too many failures for this email, or from this address, lately.
    #[error("too many attempts")]
    RateLimited(Refused),
    /// Storage failed.
    #[error(transparent)]
    Db(#[from] DbError),
}
from_diesel_error!(SignInError);

/// The longest display name accepted.
pub const MAX_DISPLAY_NAME: usize = 100;

/// Trims a display name; `Err` when it is longer than allowed or holds a control or
/// text-direction character ([`roster_core::name::check_characters`]). Empty means "none".
pub fn clean_display_name(name: Option<&str>) -> Result<Option<String>, &'static str> {
    let Some(name) = name.map(str::trim).filter(|n| !n.is_empty()) else {
        return Ok(None);
    };
    roster_core::name::check_characters(name)?;
    if name.chars().count() > MAX_DISPLAY_NAME {
        return Err("The display name must be at most 100 characters long.");
    }
    Ok(Some(name.to_owned()))
}

/// Creates an account and signs it in. Counted against the sign-ups allowed from `client`
/// before the password is hashed, so neither mail nor hashing can be had in bulk.
#[tracing::instrument(skip_all)]
pub async fn sign_up(
    db: &Db,
    settings: &IdentitySettings,
    client: ClientAddr,
    email_input: &str,
    password_input: &str,
    display_name: Option<&str>,
) -> Result<NewSession, SignUpError> {
    if !settings.signup_open {
        return Err(SignUpError::Closed);
    }
    let email =
        email::check(email_input).map_err(|message| SignUpError::Invalid { field: "email", message })?;
    password::check(password_input).map_err(|message| SignUpError::Invalid { field: "password", message })?;
    let display_name = clean_display_name(display_name)
        .map_err(|message| SignUpError::Invalid { field: "displayName", message })?;
    if settings.signups_per_address.is_on() {
        let mut checkout = db.get().await?;
        limit::reserve(&mut checkout.conn(), &settings.signups_per_address, &client.limit_key())
            .await?
            .map_err(SignUpError::RateLimited)?;
        // Hashing takes tens of milliseconds: the connection goes back to the pool meanwhile.
        checkout.release();
    }
    let password_hash = password::hash(password_input.to_owned()).await?;

    let user = UserRow {
        id: new_id(IdKind::User),
        email: email.display,
        email_key: email.key.clone(),
        display_name,
        password_hash: Some(password_hash),
        created_at: roster_db::now(),
        email_verified_at: None,
        email_canonical: Some(email.key),
        email_conflict: None,
    };
    let mut conn = db.get().await?;
    let ttl = settings.session_ttl;
    let session = conn
        .transaction(|tx| {
            Box::pin(async move {
                // Someone invited but never signed up has an account without a password (an
                // invitation made it, and it stays when the invitation is cancelled). Signing up
                // takes it over, so a cancelled invitation never blocks an address, and sign-up
                // does not reveal who was invited.
                // The account stays unverified until its owner follows the mailed link (or an
                // invitation's): until then an invitation to this address may take it over, so
                // registering someone else's address first gains nothing.
                // Older accounts that collide on this canonical form wait for the operator
                // (`roster migrate` lists them): taking either over could be the wrong one.
                if store::email_in_conflict(tx, &user.email_key).await? {
                    return Err(SignUpError::EmailTaken);
                }
                let user = match store::claim_passwordless(tx, &user).await? {
                    Some(claimed) => claimed,
                    None => {
                        // The unique index decides races between two sign-ups of one email.
                        match store::insert_user(tx, &user).await {
                            Err(e) if is_unique_violation(&e) => return Err(SignUpError::EmailTaken),
                            other => other?,
                        }
                        user
                    }
                };
                crate::mail::queue(tx, &user, Purpose::VerifyEmail).await?;
                let token = create_session(tx, &user.id, ttl).await?;
                Ok(NewSession { user, token })
            })
        })
        .await?;
    settings.wake_sender.notify_one();
    Ok(session)
}

/// Signs in with an email and password.
#[tracing::instrument(skip_all)]
pub async fn sign_in(
    db: &Db,
    settings: &IdentitySettings,
    client: ClientAddr,
    email_input: &str,
    password_input: &str,
) -> Result<NewSession, SignInError> {
    let key = email::key(email_input);
    let mut checkout = db.get().await?;
    let (attempt, user) = {
        let mut conn = checkout.conn();
        let attempt = begin_password_attempt(&mut conn, settings, client, &key)
            .await?
            .map_err(SignInError::RateLimited)?;
        (attempt, store::user_by_email_key(&mut conn, &key).await?)
    };
    // The connection goes back to the pool: hashing takes tens of milliseconds, and a
    // connection held meanwhile would be one fewer for everyone else. Verify even when there
    // is no user (against a dummy hash) so both failures take as long.
    checkout.release();
    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    if !password::verify(password_input.to_owned(), stored).await {
        return Err(SignInError::InvalidCredentials);
    }
    let Some(user) = user else {
        return Err(SignInError::InvalidCredentials);
    };
    let mut conn = db.get().await?;
    let mut conn = conn.conn();
    attempt.succeeded(&mut conn, settings).await?;
    let token = create_session(&mut conn, &user.id, settings.session_ttl).await?;
    Ok(NewSession { user, token })
}

/// A password check that the sign-in limits let through. Only failures stay counted: report
/// a success with [`PasswordAttempt::succeeded`].
#[derive(Debug)]
#[must_use]
pub struct PasswordAttempt {
    email_key: String,
    address: String,
    /// The (email, address) key of the fallback, spent when `counted_on_email` is false.
    pair: String,
    counted_on_email: bool,
}

/// Reserves a password attempt for `email_key` from `client`, before the (slow) check.
///
/// Each attempt counts against the email and against the client's address (an IPv6 client's
/// /64). When the email's limit is used up (someone is guessing its password), an address
/// with nothing counted against it may still try, once per window for that email: the real
/// owner, signing in from their usual place, is not locked out by an attacker elsewhere,
/// and an attacker gains one guess per address they control per window, never one per
/// drained bucket. ARCHITECTURE.md explains the choice.
pub async fn begin_password_attempt(
    conn: &mut Conn<'_>,
    settings: &IdentitySettings,
    client: ClientAddr,
    email_key: &str,
) -> diesel::QueryResult<Result<PasswordAttempt, Refused>> {
    let address = client.limit_key();
    let pair = format!("{email_key}\n{address}");
    let attempt = |counted_on_email| PasswordAttempt {
        email_key: email_key.to_owned(),
        address: address.clone(),
        pair: pair.clone(),
        counted_on_email,
    };
    match limit::reserve(conn, &settings.sign_in_per_email, email_key).await? {
        Ok(()) => match limit::reserve(conn, &settings.sign_in_per_address, &address).await? {
            Ok(()) => Ok(Ok(attempt(true))),
            Err(refused) => {
                limit::release(conn, &settings.sign_in_per_email, email_key).await?;
                Ok(Err(refused))
            }
        },
        Err(refused) => {
            if limit::reserve(conn, &settings.sign_in_fallback, &pair).await?.is_err() {
                return Ok(Err(refused));
            }
            match limit::reserve_if_unused(conn, &settings.sign_in_per_address, &address).await? {
                Ok(()) => Ok(Ok(attempt(false))),
                Err(_) => {
                    // The address has failures of its own: no fallback, and none spent.
                    limit::release(conn, &settings.sign_in_fallback, &pair).await?;
                    Ok(Err(refused))
                }
            }
        }
    }
}

impl PasswordAttempt {
    /// The password was right: the attempt no longer counts.
    pub async fn succeeded(
        self,
        conn: &mut Conn<'_>,
        settings: &IdentitySettings,
    ) -> diesel::QueryResult<()> {
        if self.counted_on_email {
            limit::release(conn, &settings.sign_in_per_email, &self.email_key).await?;
        } else {
            limit::release(conn, &settings.sign_in_fallback, &self.pair).await?;
        }
        limit::release(conn, &settings.sign_in_per_address, &self.address).await
    }
}

/// The channel on which revoked session ids are announced, so that long-lived connections
/// (subscriptions) signed in with them end at once, on every replica.
pub const SESSIONS_CHANNEL: &str = "roster_sessions";

/// Revokes the actor's current session and announces it. Returns false when there was nothing
/// to revoke.
pub async fn sign_out(db: &Db, actor: &Actor) -> Result<bool, DbError> {
    let Actor::User { session_id, .. } = actor else { return Ok(false) };
    let mut conn = db.get().await?;
    let mut conn = conn.conn();
    let changed = store::revoke_session(&mut conn, session_id, roster_db::now()).await?;
    if changed > 0 {
        roster_db::notify::notify(&mut conn, SESSIONS_CHANNEL, session_id).await?;
        db.announce(SESSIONS_CHANNEL, session_id);
    }
    Ok(changed > 0)
}

/// Revokes every session of `user_id` but `keep`, in the caller's transaction, with the
/// NOTIFY that ends their sockets on other replicas. Pass the ids to [`announce_revoked`]
/// once it commits.
pub async fn revoke_sessions(
    tx: &mut Conn<'_>,
    user_id: &str,
    keep: Option<&str>,
) -> diesel::QueryResult<Vec<String>> {
    let revoked = store::revoke_sessions_of(tx, user_id, keep, roster_db::now()).await?;
    for session_id in &revoked {
        roster_db::notify::notify(tx, SESSIONS_CHANNEL, session_id).await?;
    }
    Ok(revoked)
}

/// Announces committed revocations to this process (see `Db::announce`).
pub fn announce_revoked(db: &Db, session_ids: &[String]) {
    for session_id in session_ids {
        db.announce(SESSIONS_CHANNEL, session_id);
    }
}

/// Creates a session for `user_id` and returns its bearer token. Runs on the caller's
/// connection so it can join a larger transaction (accepting an invitation, say).
pub async fn create_session(
    conn: &mut Conn<'_>,
    user_id: &str,
    ttl: Duration,
) -> diesel::QueryResult<String> {
    let token = roster_core::token::mint();
    let now = roster_db::now();
    let ttl = chrono::TimeDelta::from_std(ttl).unwrap_or(chrono::TimeDelta::days(30));
    let session = SessionRow {
        id: new_id(IdKind::Session),
        user_id: user_id.to_owned(),
        token_digest: token.digest,
        created_at: now,
        expires_at: now + ttl,
        revoked_at: None,
    };
    store::insert_session(conn, &session).await?;
    Ok(token.secret)
}

/// A live session: who it acts for and until when.
#[derive(Debug, Clone)]
pub struct LiveSession {
    /// The signed-in actor.
    pub actor: Actor,
    /// When the session expires (UTC).
    pub expires_at: chrono::NaiveDateTime,
}

impl LiveSession {
    /// How long the session stays valid from now (zero when it already expired).
    pub fn valid_for(&self) -> Duration {
        (self.expires_at - roster_db::now()).to_std().unwrap_or(Duration::ZERO)
    }
}

/// Resolves a bearer token. Unknown, revoked and expired tokens all give
/// [`Actor::Anonymous`]; only a storage failure is an error.
pub async fn authenticate(db: &Db, token: &str) -> Result<Actor, DbError> {
    Ok(authenticate_session(db, token).await?.map_or(Actor::Anonymous, |s| s.actor))
}

/// Resolves a bearer token into its live session; `None` for unknown, revoked and expired
/// tokens. Long-lived connections use the expiry to end on time.
pub async fn authenticate_session(db: &Db, token: &str) -> Result<Option<LiveSession>, DbError> {
    let digest = roster_core::token::digest(token.trim());
    let mut conn = db.get().await?;
    let session = store::live_session(&mut conn.conn(), &digest, roster_db::now()).await?;
    Ok(session.map(|s| LiveSession {
        actor: Actor::User { user_id: s.user_id, session_id: s.id },
        expires_at: s.expires_at,
    }))
}

/// The user with this id, if any.
pub async fn user(db: &Db, user_id: &str) -> Result<Option<UserRow>, DbError> {
    let mut conn = db.get().await?;
    Ok(store::users_by_ids(&mut conn.conn(), &[user_id.to_owned()]).await?.into_iter().next())
}

/// Whether the actor's session is still live (not signed out, not expired).
pub async fn session_is_live(db: &Db, actor: &Actor) -> Result<bool, DbError> {
    let Actor::User { session_id, .. } = actor else {
        return Ok(false);
    };
    let mut conn = db.get().await?;
    Ok(store::session_is_live(&mut conn.conn(), session_id, roster_db::now()).await?)
}
