//! What invitations are allowed to do: link lifetime, limits, and the mail sender's claim.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use clap::Args;
use roster_db::limit::Limit;
use tokio::sync::Notify;

/// Invitation settings, shared through the GraphQL context.
#[derive(Debug, Clone)]
pub struct InvitationSettings {
    /// How long a link works after it is sent.
    pub ttl: Duration,
    /// Base of the server's own pages, without a trailing slash.
    pub public_url: String,
    /// The accept link, with `{token}` where the token goes.
    pub invitation_url: String,
    /// The operator's product name, as mails say it.
    pub product_name: String,
    /// Invitations per organization (its teams included) per day.
    pub invites_per_organization: Limit,
    /// Invitations per inviter per day.
    pub invites_per_inviter: Limit,
    /// Invitations and resends per day of an inviter whose own email is not verified yet: an
    /// account anyone could have made in a second must not relay mail in bulk. Verified
    /// inviters are not counted here.
    pub invites_per_unverified_inviter: Limit,
    /// Resends per invitee and scope per hour.
    pub resends: Limit,
    /// `acceptInvitation` attempts per client address per minute.
    pub accepts_per_address: Limit,
    /// Woken after a commit that queued an email, so the sender goes at once.
    pub wake_sender: Arc<Notify>,
    /// How long a sender's claim on an email lasts; SMTP conversations are cut off well
    /// before it ends, so a claim never lapses while its email is being sent.
    pub claim: Duration,
}

const DAY: Duration = Duration::from_secs(24 * 3600);
const HOUR: Duration = Duration::from_secs(3600);
const MINUTE: Duration = Duration::from_secs(60);

impl InvitationSettings {
    /// The limits, from their counts (0 turns one off).
    pub fn with_limits(
        mut self,
        invites_per_day: u32,
        invites_per_inviter_per_day: u32,
        resends_per_hour: u32,
        accepts_per_minute: u32,
    ) -> Self {
        self.invites_per_organization = Limit::new("invite/organization", invites_per_day, DAY);
        self.invites_per_inviter = Limit::new("invite/inviter", invites_per_inviter_per_day, DAY);
        self.resends = Limit::new("resend/invitee", resends_per_hour, HOUR);
        self.accepts_per_address = Limit::new("accept/address", accepts_per_minute, MINUTE);
        self
    }
}

impl Default for InvitationSettings {
    fn default() -> Self {
        Self {
            ttl: Duration::from_secs(7 * 24 * 3600),
            public_url: "http://127.0.0.1:8000".into(),
            invitation_url: "http://127.0.0.1:8000/console/accept?token={token}".into(),
            product_name: "Roster".into(),
            invites_per_organization: Limit::new("invite/organization", 500, DAY),
            invites_per_inviter: Limit::new("invite/inviter", 200, DAY),
            invites_per_unverified_inviter: Limit::new("invite/unverified-inviter", 10, DAY),
            resends: Limit::new("resend/invitee", 5, HOUR),
            accepts_per_address: Limit::new("accept/address", 20, MINUTE),
            wake_sender: Arc::new(Notify::new()),
            claim: Duration::from_secs(120),
        }
    }
}

impl InvitationSettings {
    /// Sets the daily invitations of an unverified inviter (0: no limit beyond the others).
    #[must_use]
    pub fn with_unverified_allowance(mut self, per_day: u32) -> Self {
        self.invites_per_unverified_inviter = Limit::new("invite/unverified-inviter", per_day, DAY);
        self
    }

    /// The accept link for `token`.
    pub fn invitation_link(&self, token: &str) -> String {
        self.invitation_url.replace("{token}", token)
    }

    /// The longest an SMTP conversation may take: half a claim, so a claim never lapses while
    /// its email is being sent.
    pub fn smtp_timeout(&self) -> Duration {
        (self.claim / 2).min(Duration::from_secs(30))
    }

    /// The link lifetime as a time delta.
    pub fn ttl(&self) -> TimeDelta {
        TimeDelta::from_std(self.ttl).unwrap_or(TimeDelta::days(7))
    }
}

/// Invitations' flags: how long links work, the link mailed, and the invitation abuse limits.
///
/// The server flattens this into its settings, so each flag is in `roster --help`. A flag
/// added here needs `global = true` (settings follow any subcommand), a row in the README's
/// settings table (a test compares them), and a name no other module claims (startup
/// refuses one claimed twice).
#[derive(Debug, Clone, Args)]
pub struct InvitationArgs {
    /// Hours an invitation link works after it is sent.
    #[arg(long, env = "ROSTER_INVITATION_TTL_HOURS", default_value_t = 7 * 24, global = true)]
    pub invitation_ttl_hours: u64,

    /// The invitation link in emails, with {token}. Default: <public URL>/console/accept?token={token}.
    #[arg(long, env = "ROSTER_INVITATION_URL", global = true)]
    pub invitation_url: Option<String>,

    /// acceptInvitation attempts per minute and client address, each field counted (0: no limit).
    #[arg(long, env = "ROSTER_ACCEPT_ATTEMPTS_PER_MINUTE", default_value_t = 20, global = true)]
    pub accept_attempts_per_minute: u32,

    /// Invitations an organization may send per day, its teams included (0: no limit).
    #[arg(long, env = "ROSTER_INVITES_PER_DAY", default_value_t = 500, global = true)]
    pub invites_per_day: u32,

    /// Invitations one person may send per day, across organizations (0: no limit).
    #[arg(long, env = "ROSTER_INVITES_PER_INVITER_PER_DAY", default_value_t = 200, global = true)]
    pub invites_per_inviter_per_day: u32,

    /// Resends per hour of one person's invitation to one organization or team (0: no limit).
    #[arg(long, env = "ROSTER_RESENDS_PER_HOUR", default_value_t = 5, global = true)]
    pub resends_per_hour: u32,

    /// Invitations and resends per day from an account whose email is not verified yet (0: no limit beyond the others).
    #[arg(long, env = "ROSTER_UNVERIFIED_INVITES_PER_DAY", default_value_t = 10, global = true)]
    pub unverified_invites_per_day: u32,
}
