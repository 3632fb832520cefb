//! Password hashing with argon2id.
//!
//! Hashing is deliberately slow (tens of milliseconds), so it runs on tokio's blocking pool
//! and never stalls the threads that serve other requests. At most one hash per core runs at
//! a time: a flood of sign-ins then queues here instead of starving every other request of
//! CPU (the blocking pool alone would run hundreds at once).

use std::sync::LazyLock;

use tokio::sync::Semaphore;

/// One permit per core.
static HASHING: LazyLock<Semaphore> = LazyLock::new(|| {
    Semaphore::new(std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get))
});

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};

/// The shortest password accepted.
pub const MIN_LENGTH: usize = 8;
/// The longest password accepted: argon2 takes any length, but an unbounded one is a cheap
/// way to make the server burn CPU.
pub const MAX_LENGTH: usize = 1024;

/// Why a password is refused.
pub fn check(password: &str) -> Result<(), &'static str> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        Err("The password must be at least 8 characters long.")
    } else if password.len() > MAX_LENGTH {
        Err("The password must be at most 1024 bytes long.")
    } else {
        Ok(())
    }
}

/// Hashes a password into a PHC string (argon2id, a random salt, the crate's default cost).
pub async fn hash(password: String) -> Result<String, HashError> {
    let _permit = HASHING.acquire().await.map_err(|e| HashError(e.to_string()))?;
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| HashError(e.to_string()))
    })
    .await
    .map_err(|e| HashError(e.to_string()))?
}

/// Checks a password against a stored PHC string. `None` stands for "no such account" or
/// "account without a password": a dummy hash is verified instead, so the answer takes as
/// long as for a real account and timing does not tell which emails exist.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    let Ok(_permit) = HASHING.acquire().await else { return false };
    tokio::task::spawn_blocking(move || {
        let (phc, real) = match &stored {
            Some(phc) => (phc.as_str(), true),
            None => (DUMMY_HASH.as_str(), false),
        };
        let Ok(parsed) = PasswordHash::new(phc) else {
            return false;
        };
        let matches = Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok();
        matches && real
    })
    .await
    .unwrap_or(false)
}

// Computed once, with the same parameters as real hashes, so verifying it costs the same.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    Argon2::default()
        .hash_password(b"roster-dummy-password", &salt)
        .map(|hash| hash.to_string())
        .unwrap_or_default()
});

/// Hashing failed (it only can for absurd parameters, or a panicked worker).
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_and_verify_only_the_right_password() {
        let hash = hash("correct horse".into()).await.unwrap_or_default();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify("correct horse".into(), Some(hash.clone())).await);
        assert!(!verify("wrong horse!".into(), Some(hash)).await);
        // No account: even the dummy's own password is refused.
        assert!(!verify("roster-dummy-password".into(), None).await);
    }

    #[test]
    fn short_passwords_are_refused() {
        assert!(check("1234567").is_err());
        assert!(check("12345678").is_ok());
    }
}
