//! Live delivery's flags: where to LISTEN, how often to prove it, how long events are kept.

use clap::Args;

/// Live delivery's flags.
///
/// The server flattens this into its settings, so each flag is in `roster --help`. A flag
/// added here needs `global = true` (settings follow any subcommand), a row in the README's
/// settings table (a test compares them), and a name no other module claims (startup
/// refuses one claimed twice).
#[derive(Debug, Clone, Args)]
pub struct LiveArgs {
    /// Where each replica LISTENs for other replicas' changes, when not on DATABASE_URL:
    /// needed when DATABASE_URL goes through a pooler in transaction mode (PgBouncer, say),
    /// which cannot LISTEN. PostgreSQL only.
    #[arg(long, env = "ROSTER_LISTEN_DATABASE_URL", global = true, hide_env_values = true)]
    pub listen_database_url: Option<String>,

    /// Seconds between the LISTEN connection's heartbeats; a listener that hears nothing for
    /// two intervals is replaced (PostgreSQL).
    #[arg(long, env = "ROSTER_LISTEN_HEARTBEAT_SECS", default_value_t = 10, global = true)]
    pub listen_heartbeat_secs: u64,

    /// Hours member-list events are kept for resuming subscriptions; older cursors get CURSOR_EXPIRED.
    #[arg(long, env = "ROSTER_EVENT_RETENTION_HOURS", default_value_t = 7 * 24, global = true)]
    pub event_retention_hours: u64,
}
