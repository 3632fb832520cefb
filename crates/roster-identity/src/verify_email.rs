//! Verifying an email: the link mailed after sign-up proves the mailbox.

use roster_core::ClientAddr;
use roster_db::limit::{self, Refused};
use roster_db::{Db, DbError, from_diesel_error};

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

/// Uses a verification token: the account's email is verified. Works without a session, so
/// the link can be opened on any device.
#[tracing::instrument(skip_all)]
pub async fn verify_email(
    db: &Db,
    settings: &IdentitySettings,
    client: ClientAddr,
    token: &str,
) -> Result<UserRow, TokenError> {
    let digest = roster_core::token::digest(token.trim());
    let mut conn = db.get().await?;
    limit::reserve(&mut conn.conn(), &settings.token_attempts_per_address, &client.to_string())
        .await?
        .map_err(TokenError::RateLimited)?;
    conn.transaction(|tx| {
        Box::pin(async move {
            let now = roster_db::now();
            let user_id =
                tokens::consume(tx, &digest, Purpose::VerifyEmail, now).await?.ok_or(TokenError::Invalid)?;
            store::mark_verified(tx, &user_id, now).await?;
            store::users_by_ids(tx, std::slice::from_ref(&user_id)).await?.pop().ok_or(TokenError::Invalid)
        })
    })
    .await
}
