//! Choosing a new password with a reset link.

use roster_core::ClientAddr;
use roster_db::Db;
use roster_db::limit;

use crate::password;
use crate::service::{self, NewSession};
use crate::settings::IdentitySettings;
use crate::store;
use crate::tokens::{self, Purpose};
use crate::verify_email::TokenError;

/// Uses a reset token: the account gets the new password, its email is verified (the link
/// proved the mailbox), every session it had is revoked (whoever knew the old password is
/// signed out everywhere), and a new session is returned. The token works once, for an
/// hour. No connection is held while the password is hashed.
#[tracing::instrument(skip_all)]
pub async fn reset_password(
    db: &Db,
    settings: &IdentitySettings,
    client: ClientAddr,
    token: &str,
    password_input: &str,
) -> Result<NewSession, TokenError> {
    password::check(password_input)
        .map_err(|message| TokenError::InvalidArgument { field: "password", message })?;
    let digest = roster_core::token::digest(token.trim());
    {
        let mut conn = db.get().await?;
        let mut conn = conn.conn();
        limit::reserve(&mut conn, &settings.token_attempts_per_address, &client.limit_key())
            .await?
            .map_err(TokenError::RateLimited)?;
        // Checked before hashing, so a dead link costs no hash; used only below, in the
        // transaction, where one of two concurrent resets wins.
        tokens::peek(&mut conn, &digest, Purpose::ResetPassword, roster_db::now())
            .await?
            .ok_or(TokenError::Invalid)?;
    }
    let password_hash = password::hash(password_input.to_owned()).await?;
    let ttl = settings.session_ttl;
    let mut conn = db.get().await?;
    let (session, revoked) = conn
        .transaction(|tx| {
            Box::pin(async move {
                let now = roster_db::now();
                let user_id = tokens::consume(tx, &digest, Purpose::ResetPassword, now)
                    .await?
                    .ok_or(TokenError::Invalid)?;
                let user = store::reset_password(tx, &user_id, &password_hash, now)
                    .await?
                    .ok_or(TokenError::Invalid)?;
                let revoked = service::revoke_sessions(tx, &user.id, None).await?;
                let token = service::create_session(tx, &user.id, ttl).await?;
                Ok::<_, TokenError>((NewSession { user, token }, revoked))
            })
        })
        .await?;
    service::announce_revoked(db, &revoked);
    Ok(session)
}
