//! Sending the verification link again, for a signed-in user whose email is not verified.

use roster_core::Actor;
use roster_db::limit::{self, Refused};
use roster_db::{Db, DbError, from_diesel_error};

use crate::settings::IdentitySettings;
use crate::store::{self, UserRow};
use crate::tokens::Purpose;

/// Why no link was sent.
#[derive(Debug, thiserror::Error)]
pub enum SendVerificationError {
    /// Not signed in.
    #[error("not signed in")]
    NotAuthenticated,
    /// Too many links lately for this account.
    #[error("rate limited")]
    RateLimited(Refused),
    /// Storage failed.
    #[error(transparent)]
    Db(#[from] DbError),
}
from_diesel_error!(SendVerificationError);

/// Queues a new verification link to the signed-in user (the older links stop working).
/// An account already verified gets no mail; the answer says it is verified.
#[tracing::instrument(skip_all)]
pub async fn send_verification_email(
    db: &Db,
    settings: &IdentitySettings,
    actor: &Actor,
) -> Result<UserRow, SendVerificationError> {
    let user_id = actor.user_id().ok_or(SendVerificationError::NotAuthenticated)?.to_owned();
    let per_email = settings.verification_requests_per_email;
    let mut conn = db.get().await?;
    let user = conn
        .transaction(|tx| {
            Box::pin(async move {
                let user = store::users_by_ids(tx, std::slice::from_ref(&user_id))
                    .await?
                    .pop()
                    .ok_or(SendVerificationError::NotAuthenticated)?;
                if user.email_verified_at.is_some() {
                    return Ok::<_, SendVerificationError>(user);
                }
                // Per address, on a budget of its own: the account may not be the address's
                // owner, and must not spend the owner's reset budget.
                limit::reserve(tx, &per_email, &crate::email::key(&user.email))
                    .await?
                    .map_err(SendVerificationError::RateLimited)?;
                crate::mail::queue(tx, &user, Purpose::VerifyEmail).await?;
                Ok(user)
            })
        })
        .await?;
    settings.wake_sender.notify_one();
    Ok(user)
}
