//! What identity is allowed to do: sign-up, session lifetime, limits, and the links it mails.

use std::sync::Arc;
use std::time::Duration;

use clap::{ArgAction, Args};
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

/// Identity's flags: who may sign up, how long sessions last, its abuse limits and mailed links.
///
/// The server flattens this into its settings, so each flag is in `roster --help`. A flag
/// added here needs `global = true` (settings follow any subcommand), a row in the README's
/// settings table (a test compares them), and a name no other module claims (startup
/// refuses one claimed twice).
#[derive(Debug, Clone, Args)]
pub struct IdentityArgs {
    /// Whether anyone may sign up. When false, accounts come only from invitations.
    #[arg(long, env = "ROSTER_SIGNUP_OPEN", default_value_t = true, action = ArgAction::Set, global = true)]
    pub signup_open: bool,

    /// Hours a session (a bearer token from signUp, signIn, acceptInvitation or resetPassword) stays valid.
    #[arg(long, env = "ROSTER_SESSION_TTL_HOURS", default_value_t = 720, global = true)]
    pub session_ttl_hours: u64,

    /// The email verification link, with {token}. Default: <public URL>/console/verify-email?token={token}.
    #[arg(long, env = "ROSTER_VERIFY_EMAIL_URL", global = true)]
    pub verify_email_url: Option<String>,

    /// The password reset link, with {token}. Default: <public URL>/console/reset-password?token={token}.
    #[arg(long, env = "ROSTER_RESET_PASSWORD_URL", global = true)]
    pub reset_password_url: Option<String>,

    /// Sign-in attempts per 15 minutes, per email and per client address (0: no limit).
    #[arg(long, env = "ROSTER_SIGNIN_ATTEMPTS", default_value_t = 10, global = true)]
    pub signin_attempts: u32,

    /// requestPasswordReset calls per hour per client address, and sendVerificationEmail calls per hour per email (0: no limit).
    #[arg(long, env = "ROSTER_RESET_REQUESTS_PER_HOUR", default_value_t = 5, global = true)]
    pub reset_requests_per_hour: u32,

    /// requestPasswordReset calls per hour for one email, from all addresses together; once spent, each address may still ask once an hour, so strangers cannot block the owner (0: no limit).
    #[arg(long, env = "ROSTER_RESET_REQUESTS_PER_EMAIL_PER_HOUR", default_value_t = 20, global = true)]
    pub reset_requests_per_email_per_hour: u32,

    /// signUp calls per hour per client address (an IPv6 client's /64) (0: no limit).
    #[arg(long, env = "ROSTER_SIGNUPS_PER_HOUR", default_value_t = 20, global = true)]
    pub signups_per_hour: u32,
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
