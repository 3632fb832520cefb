//! Settings: defaults, then the environment, then flags (clap resolves the last two).

use std::net::SocketAddr;
use std::time::Duration;

use clap::{Args, ValueEnum};
use roster_db::{DatabaseUrl, PoolOptions};

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// The settings every subcommand shares. Each flag can also come from the environment.
#[derive(Debug, Clone, Args)]
pub struct SettingsArgs {
    /// Address to listen on.
    #[arg(long, env = "ROSTER_LISTEN", default_value = "127.0.0.1:8000", global = true)]
    pub listen: SocketAddr,

    /// The database: sqlite://PATH (the folder is created if missing) or postgres://USER:PASSWORD@HOST:PORT/DB.
    #[arg(long, env = "DATABASE_URL", default_value = DatabaseUrl::DEFAULT, global = true, hide_env_values = true)]
    pub database_url: String,

    /// Most database connections open at once.
    #[arg(long, env = "ROSTER_DB_POOL_SIZE", default_value_t = 10, global = true)]
    pub db_pool_size: usize,

    /// Seconds to wait for a database connection before answering SERVICE_UNAVAILABLE.
    #[arg(long, env = "ROSTER_DB_TIMEOUT_SECS", default_value_t = 5, global = true)]
    pub db_timeout_secs: u64,

    /// Base of links in emails, such as https://roster.example.com. Defaults to http:// and the listen address.
    #[arg(long, env = "ROSTER_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    /// Outgoing mail server, in lettre's URL format (smtp://user:pass@host:587?tls=required).
    /// When unset, invitation links are logged at info level instead of mailed.
    #[arg(long, env = "SMTP_URL", global = true, hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// The From address of invitation emails.
    #[arg(long, env = "ROSTER_MAIL_FROM", default_value = "Roster <roster@localhost>", global = true)]
    pub mail_from: String,

    /// Hours an invitation link works after it is sent.
    #[arg(long, env = "ROSTER_INVITATION_TTL_HOURS", default_value_t = 7 * 24, global = true)]
    pub invitation_ttl_hours: u64,

    /// Hours member-list events are kept for resuming subscriptions; older cursors get CURSOR_EXPIRED.
    #[arg(long, env = "ROSTER_EVENT_RETENTION_HOURS", default_value_t = 7 * 24, global = true)]
    pub event_retention_hours: u64,

    /// Whether anyone may sign up. When false, accounts come only from invitations.
    #[arg(long, env = "ROSTER_SIGNUP_OPEN", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub signup_open: bool,

    /// Log line format (the filter comes from RUST_LOG, default "info").
    #[arg(long, env = "ROSTER_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
}

/// Checked settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Where to listen. Port 0 picks a free port (tests do this).
    pub listen: SocketAddr,
    /// The database.
    pub database_url: DatabaseUrl,
    /// Pool size and timeouts.
    pub pool: PoolOptions,
    /// Base of links in emails, without a trailing slash.
    pub public_url: String,
    /// Outgoing mail server, if any.
    pub smtp_url: Option<String>,
    /// The From address of invitation emails.
    pub mail_from: String,
    /// How long an invitation link works after it is sent.
    pub invitation_ttl: Duration,
    /// How long member-list events are kept for resuming.
    pub event_retention: Duration,
    /// Whether anyone may sign up.
    pub signup_open: bool,
}

/// A setting that cannot work.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// See the message.
    #[error(transparent)]
    DatabaseUrl(#[from] roster_db::UrlError),
}

impl SettingsArgs {
    /// Checks the raw arguments.
    pub fn settings(&self) -> Result<Settings, SettingsError> {
        let public_url = self
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.listen))
            .trim_end_matches('/')
            .to_owned();
        Ok(Settings {
            listen: self.listen,
            database_url: DatabaseUrl::parse(&self.database_url)?,
            pool: PoolOptions {
                max_size: self.db_pool_size.max(1),
                timeout: Duration::from_secs(self.db_timeout_secs.max(1)),
            },
            public_url,
            smtp_url: self.smtp_url.clone().filter(|s| !s.trim().is_empty()),
            mail_from: self.mail_from.clone(),
            invitation_ttl: hours(self.invitation_ttl_hours),
            event_retention: hours(self.event_retention_hours),
            signup_open: self.signup_open,
        })
    }
}

/// At least one hour and at most ten years, so no later date arithmetic can overflow.
fn hours(count: u64) -> Duration {
    Duration::from_secs(count.clamp(1, 10 * 366 * 24) * 3600)
}

impl Settings {
    /// Settings for a server on `database_url`, listening on a free loopback port, with
    /// everything else at its default. Tests start from this.
    pub fn for_tests(database_url: DatabaseUrl) -> Settings {
        Settings {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            database_url,
            pool: PoolOptions::default(),
            public_url: "http://127.0.0.1".into(),
            smtp_url: None,
            mail_from: "Roster <roster@localhost>".into(),
            invitation_ttl: Duration::from_secs(7 * 24 * 3600),
            event_retention: Duration::from_secs(7 * 24 * 3600),
            signup_open: true,
        }
    }
}
