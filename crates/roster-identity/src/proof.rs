//! Proving an account when an invitation is accepted.
//!
//! An invitation token proves the mailbox, not the account. So an invitee whose account has
//! no password yet chooses one (and a display name) here. An invitee whose account has one
//! and a verified email proves the account: signed in as it, or giving its password, under
//! the sign-in limits; a token alone never replaces a verified account's password.
//!
//! An account whose email was never verified proves nothing about who owns the address:
//! anyone can sign up with someone else's. The invitation's token does prove it, so the
//! invitee chooses a password and display name as for a new account and takes the account
//! over (the squatter's sessions are revoked when it is accepted).

use roster_core::{Actor, ClientAddr};
use roster_db::limit::Refused;
use roster_db::{Db, DbError, from_diesel_error};

use crate::password::{self, HashError};
use crate::service::{IdentitySettings, begin_password_attempt, clean_display_name};
use crate::store::UserRow;

/// What the invitee proved.
#[derive(Debug)]
pub enum Proof {
    /// The account is theirs (signed in as it, or its password given).
    Existing,
    /// A new account's first password (hashed) and display name, to set when accepting.
    NewAccount {
        /// The argon2id hash.
        password_hash: String,
        /// The trimmed display name.
        display_name: String,
    },
    /// An unverified account's new password (hashed) and display name: the mailbox's owner
    /// takes it over when accepting.
    Takeover {
        /// The argon2id hash.
        password_hash: String,
        /// The trimmed display name.
        display_name: String,
    },
}

/// Why the invitee proved nothing.
#[derive(Debug, thiserror::Error)]
pub enum ProofError {
    /// A new account's password or display name is missing or invalid.
    #[error("invalid {field}: {message}")]
    InvalidArgument {
        /// The argument's name in the schema.
        field: &'static str,
        /// Why.
        message: &'static str,
    },
    /// The account has a password, and the request neither was signed in as it nor gave it.
    #[error("invalid credentials")]
    InvalidCredentials,
    /// Too many wrong passwords for this account, or from this address, lately.
    #[error("rate limited")]
    RateLimited(Refused),
    /// Storage failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// Hashing failed.
    #[error(transparent)]
    Hash(#[from] HashError),
}
from_diesel_error!(ProofError);

/// Checks that `actor` (from `client`) may accept an invitation for `invitee`. No connection
/// is held while a password is hashed or checked.
pub async fn prove_account(
    db: &Db,
    settings: &IdentitySettings,
    actor: &Actor,
    client: ClientAddr,
    invitee: &UserRow,
    password_input: Option<&str>,
    display_name: Option<&str>,
) -> Result<Proof, ProofError> {
    match &invitee.password_hash {
        Some(_) if actor.user_id() == Some(invitee.id.as_str()) => Ok(Proof::Existing),
        Some(_) if invitee.email_verified_at.is_none() => {
            let (password_hash, display_name) = choose_credentials(password_input, display_name).await?;
            Ok(Proof::Takeover { password_hash, display_name })
        }
        Some(hash) => {
            let attempt = {
                let mut conn = db.get().await?;
                // Counted on the canonical form, as sign-in counts it: one budget per account.
                let key = crate::email::key(&invitee.email);
                let attempt = begin_password_attempt(&mut conn.conn(), settings, client, &key)
                    .await?
                    .map_err(ProofError::RateLimited)?;
                conn.release();
                attempt
            };
            let given = password_input.unwrap_or_default().to_owned();
            if !password::verify(given, Some(hash.clone())).await {
                return Err(ProofError::InvalidCredentials);
            }
            let mut conn = db.get().await?;
            attempt.succeeded(&mut conn.conn(), settings).await?;
            Ok(Proof::Existing)
        }
        None => {
            let (password_hash, display_name) = choose_credentials(password_input, display_name).await?;
            Ok(Proof::NewAccount { password_hash, display_name })
        }
    }
}

/// A new password (hashed) and display name, both required.
async fn choose_credentials(
    password_input: Option<&str>,
    display_name: Option<&str>,
) -> Result<(String, String), ProofError> {
    let given = password_input.ok_or(ProofError::InvalidArgument {
        field: "password",
        message: "Choose a password to create your account.",
    })?;
    password::check(given).map_err(|message| ProofError::InvalidArgument { field: "password", message })?;
    let display_name = clean_display_name(display_name)
        .map_err(|message| ProofError::InvalidArgument { field: "displayName", message })?
        .ok_or(ProofError::InvalidArgument {
            field: "displayName",
            message: "Give the name to show to others.",
        })?;
    let password_hash = password::hash(given.to_owned()).await?;
    Ok((password_hash, display_name))
}
