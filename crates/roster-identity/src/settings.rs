//! What identity is allowed to do: sign-up, session lifetime, limits, and the links it mails.

use std::sync::Arc;
use std::time::Duration;

use roster_db::limit::Limit;
use tokio::sync::Notify;

/// Identity settings, shared by the resolvers through the GraphQL context.
#[derive(Debug, Clone)]
pub struct IdentitySettings {
    /// Whether anyone may `signUp`. When false, accounts come only from invitations.
    pub signup_open: bool,
    /// How long a session token stays valid.
    pub session_ttl: Duration,
    /// Password attempts per email (`ROSTER_SIGNIN_ATTEMPTS` per 15 minutes).
    pub sign_in_per_email: Limit,
    /// Password attempts per client address, with the same count and window.
    pub sign_in_per_address: Limit,
    /// Once an email's own limit is used up: one attempt per (email, client address) per
    /// window, so the owner is not locked out and an attacker's addresses each get one guess
    /// per window, not one per drained bucket.
    pub sign_in_fallback: Limit,
    /// `signUp` calls per client address (an IPv6 client's /64) per hour.
    pub signups_per_address: Limit,
    /// `requestPasswordReset` calls per email per hour, from all addresses together.
    pub reset_requests_per_email: Limit,
    /// `sendVerificationEmail` calls per email per hour. A budget of its own: whoever signed
    /// up with an address (perhaps not its owner) must not spend the owner's reset budget.
    pub verification_requests_per_email: Limit,
    /// Once an email's reset budget is spent: one request per (email, client address) per
    /// hour, so strangers who spent it cannot keep the owner from a reset link.
    pub reset_fallback: Limit,
    /// `requestPasswordReset` calls per client address per hour.
    pub reset_requests_per_address: Limit,
    /// `verifyEmail` and `resetPassword` attempts per client address per minute (guessing
    /// tokens is what this limits).
    pub token_attempts_per_address: Limit,
    /// The operator's product name, as mails say it.
    pub product_name: String,
    /// The verification link, with `{token}` where the token goes.
    pub verify_email_url: String,
    /// The password reset link, with `{token}` where the token goes.
    pub reset_password_url: String,
    /// Woken after a commit that queued an email, so the mail sender goes at once.
    pub wake_sender: Arc<Notify>,
}

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);

impl IdentitySettings {
    /// The sign-in limits for `attempts` per 15 minutes (0 turns them off): per email, per
    /// client address, and the fallback per (email, address).
    pub fn sign_in_limits(attempts: u32) -> (Limit, Limit, Limit) {
        let window = Duration::from_secs(15 * 60);
        (
            Limit::new("sign-in/email", attempts, window),
            Limit::new("sign-in/address", attempts, window),
            Limit::new("sign-in/email+address", attempts.min(1), window),
        )
    }

    /// Sets the limits from their counts (0 turns one off): sign-in attempts per 15 minutes,
    /// reset requests per hour, token attempts per minute.
    #[must_use]
    pub fn with_limits(mut self, sign_in_attempts: u32, reset_requests: u32, token_attempts: u32) -> Self {
        (self.sign_in_per_email, self.sign_in_per_address, self.sign_in_fallback) =
            Self::sign_in_limits(sign_in_attempts);
        self.verification_requests_per_email = Limit::new("verify/email", reset_requests, HOUR);
        self = self.with_reset_requests_per_email(reset_requests.saturating_mul(4));
        self.reset_requests_per_address = Limit::new("reset/address", reset_requests, HOUR);
        self.token_attempts_per_address = Limit::new("token/address", token_attempts, MINUTE);
        self
    }

    /// Sets the reset requests allowed per email per hour, from all addresses (0: no limit).
    #[must_use]
    pub fn with_reset_requests_per_email(mut self, requests: u32) -> Self {
        self.reset_requests_per_email = Limit::new("reset/email", requests, HOUR);
        // The fallback is on whenever the budget is: off, it would let every request through.
        self.reset_fallback = Limit::new("reset/email+address", requests.min(1), HOUR);
        self
    }

    /// Sets the sign-ups allowed per client address per hour (0: no limit).
    #[must_use]
    pub fn with_signups_per_hour(mut self, signups: u32) -> Self {
        self.signups_per_address = Limit::new("sign-up/address", signups, HOUR);
        self
    }

    /// The verification link for `token`.
    pub fn verify_email_link(&self, token: &str) -> String {
        self.verify_email_url.replace("{token}", token)
    }

    /// The password reset link for `token`.
    pub fn reset_password_link(&self, token: &str) -> String {
        self.reset_password_url.replace("{token}", token)
    }
}

impl Default for IdentitySettings {
    fn default() -> Self {
        IdentitySettings {
            signup_open: true,
            session_ttl: Duration::from_secs(720 * 3600),
            sign_in_per_email: Limit::new("sign-in/email", 0, MINUTE),
            sign_in_per_address: Limit::new("sign-in/address", 0, MINUTE),
            sign_in_fallback: Limit::new("sign-in/email+address", 0, MINUTE),
            signups_per_address: Limit::new("sign-up/address", 20, HOUR),
            reset_requests_per_email: Limit::new("reset/email", 0, HOUR),
            reset_requests_per_address: Limit::new("reset/address", 0, HOUR),
            reset_fallback: Limit::new("reset/email+address", 0, HOUR),
            verification_requests_per_email: Limit::new("verify/email", 0, HOUR),
            token_attempts_per_address: Limit::new("token/address", 0, MINUTE),
            product_name: "Roster".into(),
            verify_email_url: "http://127.0.0.1:8000/console/verify-email?token={token}".into(),
            reset_password_url: "http://127.0.0.1:8000/console/reset-password?token={token}".into(),
            wake_sender: Arc::new(Notify::new()),
        }
        .with_limits(10, 5, 20)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reset_fallback_is_on_whenever_the_email_budget_is() {
        // Per-address requests unlimited, a per-email budget of two: once spent, the fallback
        // must still refuse a second request from one address, not let every one through.
        let settings = IdentitySettings::default().with_limits(10, 0, 20).with_reset_requests_per_email(2);
        assert!(settings.reset_requests_per_email.is_on());
        assert!(settings.reset_fallback.is_on());
        let off = IdentitySettings::default().with_reset_requests_per_email(0);
        assert!(!off.reset_requests_per_email.is_on());
    }
}
