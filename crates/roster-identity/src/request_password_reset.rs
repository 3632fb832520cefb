//! Asking for a password reset link.

use roster_core::ClientAddr;
use roster_db::limit::{self, Refused};
use roster_db::{Db, DbError, from_diesel_error};

use crate::email;
use crate::settings::IdentitySettings;
use crate::tokens::Purpose;

/// Why no link was queued.
#[derive(Debug, thiserror::Error)]
pub enum RequestResetError {
    /// Not an email address (no account can have it).
    #[error("invalid email")]
    InvalidEmail,
    /// Too many requests for this email, or from this address, lately.
    #[error("rate limited")]
    RateLimited(Refused),
    /// Storage failed.
    #[error(transparent)]
    Db(#[from] DbError),
}
from_diesel_error!(RequestResetError);

/// Mails a reset link to the account with this email, if there is one. The answer, the
/// statements run and the limits counted are the same whether or not there is, so the
/// call tells nobody which emails have accounts.
#[tracing::instrument(skip_all)]
pub async fn request_password_reset(
    db: &Db,
    settings: &IdentitySettings,
    client: ClientAddr,
    email_input: &str,
) -> Result<(), RequestResetError> {
    let key = email::parse(email_input).ok_or(RequestResetError::InvalidEmail)?.key;
    let address = client.limit_key();
    let (per_address, per_email) = (settings.reset_requests_per_address, settings.reset_requests_per_email);
    let fallback = settings.reset_fallback;
    let mut conn = db.get().await?;
    conn.transaction(|tx| {
        Box::pin(async move {
            limit::reserve(tx, &per_address, &address).await?.map_err(RequestResetError::RateLimited)?;
            if let Err(refused) = limit::reserve(tx, &per_email, &key).await? {
                // Others spent this email's budget. Whoever has not asked for it from here
                // this hour still may, once: the owner is never kept from a link by strangers.
                let pair = format!("{key}\n{address}");
                limit::reserve(tx, &fallback, &pair)
                    .await?
                    .map_err(|_| RequestResetError::RateLimited(refused))?;
            }
            crate::mail::queue_by_email(tx, &key, Purpose::ResetPassword).await?;
            Ok::<_, RequestResetError>(())
        })
    })
    .await?;
    settings.wake_sender.notify_one();
    Ok(())
}
