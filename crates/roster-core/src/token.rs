//! Bearer tokens and invitation tokens.
//!
//! A token is 32 random bytes (256 bits) from the operating system's generator, written as
//! URL-safe base64 so it can travel in a header or a link unchanged. Only the SHA-256 digest
//! is ever stored: a leaked database does not leak usable tokens, and a lookup by digest is an
//! ordinary indexed equality.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::TryRngCore as _;
use sha2::{Digest as _, Sha256};

/// A newly minted token: the secret to hand out once, and the digest to store.
#[derive(Debug)]
pub struct NewToken {
    /// The secret. Give it to the client and forget it.
    pub secret: String,
    /// `digest(secret)`, the only form that is stored.
    pub digest: String,
}

/// Mints a token with 256 random bits.
pub fn mint() -> NewToken {
    let mut bytes = [0u8; 32];
    // The OS generator failing means the machine cannot produce secrets at all; there is no
    // safe fallback, so this is one of the few places a panic is the honest answer.
    rand::rngs::OsRng
        .try_fill_bytes(&mut bytes)
        .unwrap_or_else(|e| panic!("the operating system's random generator failed: {e}"));
    let secret = URL_SAFE_NO_PAD.encode(bytes);
    let digest = digest(&secret);
    NewToken { secret, digest }
}

/// The stored form of a token: lower-case hex SHA-256.
pub fn digest(secret: &str) -> String {
    let hash = Sha256::digest(secret.as_bytes());
    let mut out = String::with_capacity(64);
    for byte in hash {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_stored_as_digests() {
        let a = mint();
        let b = mint();
        assert_ne!(a.secret, b.secret);
        // 32 bytes of base64 without padding.
        assert_eq!(a.secret.len(), 43);
        assert_eq!(a.digest.len(), 64);
        assert_eq!(a.digest, digest(&a.secret));
        assert_ne!(a.digest, a.secret);
    }
}
