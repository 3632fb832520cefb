//! Verifying an email: the link mailed after sign-up proves the mailbox.
//!
//! It proves the mailbox, not the account: anyone can sign up with someone else's address, and
//! the real owner's click must not hand that squatter a verified account. So, as when an
//! invitation is accepted (`proof.rs`), the link verifies only for someone who also proves the
//! account (signed in as it, or giving its password, under the sign-in limits), or who
//! reclaims it by choosing a new password: every other session is revoked. A link opened with
//! neither is not used up, so a mail scanner that follows it, even running the page's
//! script, changes nothing.

use roster_core::{Actor, ClientAddr};
use roster_db::limit::{self, Refused};
use roster_db::{Db, DbError, from_diesel_error};

use crate::password::{self, HashError};
use crate::service::{self, NewSession, begin_password_attempt};
use crate::settings::IdentitySettings;
use crate::store::{self, UserRow};
use crate::tokens::{self, Purpose};

/// Why a mailed token did nothing.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// Unknown, used, superseded or expired: one case on purpose.
    #[error("invalid token")]
    Invalid,
    /// Too many attempts from this address lately (guessing tokens).
    #[error("rate limited")]
    RateLimited(Refused),
    /// An argument is invalid (a new password that is too short).
    #[error("invalid {field}: {message}")]
    InvalidArgument {
        /// The argument's name in the schema.
        field: &'static str,
        /// Why.
        message: &'static str,
    },
    /// Storage failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// Hashing failed.
    #[error(transparent)]
    Hash(#[from] crate::password::HashError),
}
from_diesel_error!(TokenError);

/// What the opener of a verification link gives beside its token.
#[derive(Debug, Clone, Copy, Default)]
pub struct Credentials<'a> {
    /// The account's password.
    pub password: Option<&'a str>,
    /// A new password: the mailbox's owner reclaims the account.
    pub new_password: Option<&'a str>,
}

/// What a verification did.
#[derive(Debug)]
pub enum Verified {
    /// The email is verified; nothing else changed.
    Verified(UserRow),
    /// The email is verified, the password replaced, every earlier session revoked, and this
    /// is a new one.
    Reclaimed(NewSession),
}

/// Why a verification link did nothing. Except for `Invalid`, the token is still live.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// Unknown, used, superseded or expired: one case on purpose.
    #[error("invalid token")]
    Invalid,
    /// Neither signed in as the account, nor its password or a new one given.
    #[error("password required")]
    PasswordRequired,
    /// The password given is not the account's.
    #[error("invalid credentials")]
    InvalidCredentials,
    /// Too many attempts from this address (guessing tokens), or too many wrong passwords for
    /// this account or from this address.
    #[error("rate limited")]
    RateLimited(Refused),
    /// The new password is too short or too long.
    #[error("invalid {field}: {message}")]
    InvalidArgument {
        /// The argument's name in the schema.
        field: &'static str,
        /// Why.
        message: &'static str,
    },
    /// Storage failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// Hashing failed.
    #[error(transparent)]
    Hash(#[from] HashError),
}
from_diesel_error!(VerifyError);

/// How the opener proved the account.
enum Proven {
    /// Signed in as it, or gave its password.
    Account,
    /// Chose a new password (hashed): the account is reclaimed.
    Reclaim(String),
}

/// Uses a verification token: the account's email is verified, for an opener who proves the
/// account (`actor` signed in as it, or `credentials.password`) or reclaims it
/// (`credentials.new_password`, which wins over the others). Works without a session, so the
/// link can be opened on any device. The token is used up only when the email is verified.
/// No connection is held while a password is hashed or checked.
#[tracing::instrument(skip_all)]
pub async fn verify_email(
    db: &Db,
    settings: &IdentitySettings,
    actor: &Actor,
    client: ClientAddr,
    token: &str,
    credentials: Credentials<'_>,
) -> Result<Verified, VerifyError> {
    if let Some(new_password) = credentials.new_password {
        password::check(new_password)
            .map_err(|message| VerifyError::InvalidArgument { field: "newPassword", message })?;
    }
    let digest = roster_core::token::digest(token.trim());
    let user = {
        let mut checkout = db.get().await?;
        let mut conn = checkout.conn();
        limit::reserve(&mut conn, &settings.token_attempts_per_address, &client.limit_key())
            .await?
            .map_err(VerifyError::RateLimited)?;
        // Read, not used: the token is used in the transaction below, once the account is
        // proven, where one of two concurrent uses wins.
        let user_id = tokens::peek(&mut conn, &digest, Purpose::VerifyEmail, roster_db::now())
            .await?
            .ok_or(VerifyError::Invalid)?;
        let user = store::users_by_ids(&mut conn, &[user_id]).await?.pop().ok_or(VerifyError::Invalid)?;
        // Back to the pool before a password is hashed or checked.
        checkout.release();
        user
    };
    let proven = match (credentials.new_password, credentials.password) {
        (Some(new_password), _) => Proven::Reclaim(password::hash(new_password.to_owned()).await?),
        _ if actor.user_id() == Some(user.id.as_str()) => Proven::Account,
        (None, Some(given)) => {
            let attempt = {
                let mut conn = db.get().await?;
                let attempt = begin_password_attempt(
                    &mut conn.conn(),
                    settings,
                    client,
                    &crate::email::key(&user.email),
                )
                .await?
                .map_err(VerifyError::RateLimited)?;
                conn.release();
                attempt
            };
            if !password::verify(given.to_owned(), user.password_hash.clone()).await {
                return Err(VerifyError::InvalidCredentials);
            }
            let mut conn = db.get().await?;
            attempt.succeeded(&mut conn.conn(), settings).await?;
            Proven::Account
        }
        (None, None) => return Err(VerifyError::PasswordRequired),
    };
    let ttl = settings.session_ttl;
    let mut conn = db.get().await?;
    let (verified, revoked) = conn
        .transaction(|tx| {
            Box::pin(async move {
                let now = roster_db::now();
                let user_id = tokens::consume(tx, &digest, Purpose::VerifyEmail, now)
                    .await?
                    .filter(|id| *id == user.id)
                    .ok_or(VerifyError::Invalid)?;
                match proven {
                    Proven::Account => {
                        store::mark_verified(tx, &user_id, now).await?;
                        let user = store::users_by_ids(tx, std::slice::from_ref(&user_id))
                            .await?
                            .pop()
                            .ok_or(VerifyError::Invalid)?;
                        Ok::<_, VerifyError>((Verified::Verified(user), Vec::new()))
                    }
                    Proven::Reclaim(password_hash) => {
                        // The name goes with the squatter: the owner never chose it.
                        store::clear_display_name(tx, &user_id).await?;
                        let user = store::reset_password(tx, &user_id, &password_hash, now)
                            .await?
                            .ok_or(VerifyError::Invalid)?;
                        // Whoever registered the address, or knew the old password, is signed
                        // out for good.
                        let revoked = service::revoke_sessions(tx, &user.id, None).await?;
                        let token = service::create_session(tx, &user.id, ttl).await?;
                        Ok((Verified::Reclaimed(NewSession { user, token }), revoked))
                    }
                }
            })
        })
        .await?;
    service::announce_revoked(db, &revoked);
    Ok(verified)
}
