//! Settings: defaults, then the environment, then flags (clap resolves the last two).
//!
//! Every limit Roster enforces is a flag and an environment variable, and a row of the
//! README's settings table. The server-wide ones are declared here; each module declares its
//! own in its crate (`IdentityArgs`, `InvitationArgs`, `OrganizationArgs`, `LiveArgs`), and
//! `SettingsArgs` flattens them, so one `--help` lists them all and `check_unique_names`
//! refuses two claiming one name. The defaults fit every query in the README, the demo and
//! GraphiQL's introspection.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use clap::{Args, ValueEnum};
use roster_db::{DatabaseUrl, PoolOptions};

use crate::client::TrustedProxies;
use crate::guard::SchemaLimits;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// How traces are encoded for the OTLP collector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OtlpProtocol {
    /// Protocol buffers over HTTP (OTLP's default).
    #[value(name = "http/protobuf")]
    HttpProtobuf,
    /// JSON over HTTP.
    #[value(name = "http/json")]
    HttpJson,
}

/// Where `/metrics` is served (`ROSTER_METRICS_LISTEN`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricsListen {
    /// On an address of its own, never on the main one.
    Address {
        /// The address.
        addr: SocketAddr,
        /// Whether failing to bind it stops startup: true when an operator chose it; the
        /// default only warns, so a second server on one laptop still starts.
        required: bool,
    },
    /// On the main address, beside the API, for an operator who said so.
    Main,
    /// Nowhere.
    Off,
}

impl MetricsListen {
    /// The default: loopback port 9100, not required.
    pub const DEFAULT: MetricsListen = MetricsListen::Address {
        addr: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 9100),
        required: false,
    };
}

impl std::str::FromStr for MetricsListen {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value.trim() {
            "main" => Ok(MetricsListen::Main),
            "off" => Ok(MetricsListen::Off),
            addr => addr
                .parse()
                .map(|addr| MetricsListen::Address { addr, required: true })
                .map_err(|_| format!("`{addr}` is not an address (HOST:PORT), `main` or `off`")),
        }
    }
}

/// What logging and tracing need, before anything else starts.
#[derive(Debug, Clone)]
pub struct TelemetrySettings {
    /// The log line format.
    pub log_format: LogFormat,
    /// The OTLP collector's base URL, when traces are on.
    pub otlp_endpoint: Option<String>,
    /// The OTLP encoding.
    pub otlp_protocol: OtlpProtocol,
}

/// The settings every subcommand shares. Each flag can also come from the environment.
#[derive(Debug, Clone, Args)]
pub struct SettingsArgs {
    /// Address to listen on.
    #[arg(long, env = "ROSTER_LISTEN", default_value = "127.0.0.1:8000", global = true)]
    pub listen: SocketAddr,

    /// The database: sqlite://PATH (the folder is created if missing) or
    /// postgres://USER:PASSWORD@HOST:PORT/DB, where `sslmode` (disable, prefer, require,
    /// verify-ca, verify-full; default prefer) and `sslrootcert=PATH` work as in libpq.
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
    /// When unset, the links emails would carry are logged at info level instead.
    #[arg(long, env = "SMTP_URL", global = true, hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// The From address of emails.
    #[arg(long, env = "ROSTER_MAIL_FROM", default_value = "Roster <roster@localhost>", global = true)]
    pub mail_from: String,

    /// The product's name, as emails say it.
    #[arg(long, env = "ROSTER_PRODUCT_NAME", default_value = "Roster", global = true)]
    pub product_name: String,

    /// Log line format (the filter comes from RUST_LOG, default "info").
    #[arg(long, env = "ROSTER_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,

    /// Where /metrics is served: an address of its own (default 127.0.0.1:9100, loopback,
    /// because mail counters tell which emails have accounts), `main` to serve it on the main
    /// address too, or `off`. An address that was set and cannot be bound stops startup; the
    /// default only warns.
    #[arg(long, env = "ROSTER_METRICS_LISTEN", global = true)]
    pub metrics_listen: Option<MetricsListen>,

    /// Send traces over OTLP/HTTP to this collector (such as http://127.0.0.1:4318); unset: no traces.
    #[arg(long, env = "OTEL_EXPORTER_OTLP_ENDPOINT", global = true)]
    pub otlp_endpoint: Option<String>,

    /// OTLP encoding: http/protobuf or http/json.
    #[arg(long, env = "OTEL_EXPORTER_OTLP_PROTOCOL", value_enum, default_value_t = OtlpProtocol::HttpProtobuf, global = true)]
    pub otlp_protocol: OtlpProtocol,

    // --- HTTP ---
    /// Largest request body accepted, in bytes; a larger one gets 413 (also when sent chunked).
    #[arg(long, env = "ROSTER_MAX_BODY_BYTES", default_value_t = 262_144, global = true)]
    pub max_body_bytes: usize,

    /// Browser origins allowed to call the API from another origin (CORS), comma-separated,
    /// such as https://app.example.com. Unset: no CORS headers at all.
    #[arg(long, env = "ROSTER_CORS_ORIGINS", value_delimiter = ',', global = true)]
    pub cors_origins: Vec<String>,

    /// Seconds a request may take before it is answered 408.
    #[arg(long, env = "ROSTER_REQUEST_TIMEOUT_SECS", default_value_t = 30, global = true)]
    pub request_timeout_secs: u64,

    /// Seconds a connection may take to send a complete request head (also between requests
    /// on a kept-alive connection) before it is closed.
    #[arg(long, env = "ROSTER_HEADER_TIMEOUT_SECS", default_value_t = 10, global = true)]
    pub header_timeout_secs: u64,

    /// Proxies whose X-Forwarded-For is believed, comma-separated IPs or CIDR ranges (such
    /// as 10.0.0.0/8). Unset: the client address is the socket's peer.
    #[arg(long, env = "ROSTER_TRUSTED_PROXIES", value_delimiter = ',', global = true)]
    pub trusted_proxies: Vec<String>,

    /// Whether GraphiQL is served at `/`. When false, `/` is 404.
    #[arg(long, env = "ROSTER_GRAPHIQL", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub graphiql: bool,

    /// Serve the members console at /console/ (the default email links open its pages).
    #[arg(long, env = "ROSTER_CONSOLE", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub console: bool,

    // --- GraphQL ---
    /// Whether schema introspection is answered. When false it is refused with
    /// INTROSPECTION_DISABLED and error messages carry no "Did you mean" suggestions.
    #[arg(long, env = "ROSTER_INTROSPECTION", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub introspection: bool,

    /// Most aliases one document may use; more is refused before execution (TOO_MANY_ALIASES).
    #[arg(long, env = "ROSTER_MAX_ALIASES", default_value_t = 15, global = true)]
    pub max_aliases: usize,

    /// Deepest selection nesting a document may use (QUERY_TOO_DEEP).
    #[arg(long, env = "ROSTER_MAX_DEPTH", default_value_t = 24, global = true)]
    pub max_depth: usize,

    /// Largest cost a document may have (QUERY_TOO_COMPLEX): every field costs 1, a list
    /// costs 50 for its query plus its fields once per item of the page it asks for.
    #[arg(long, env = "ROSTER_MAX_COMPLEXITY", default_value_t = 5_000, global = true)]
    pub max_complexity: usize,

    // --- Websockets ---
    /// Seconds a websocket may wait before sending connection_init; then it closes with 4408.
    #[arg(long, env = "ROSTER_WS_INIT_TIMEOUT_SECS", default_value_t = 3, global = true)]
    pub ws_init_timeout_secs: u64,

    /// Most subscriptions one websocket may run at once; the next one gets an error.
    #[arg(long, env = "ROSTER_WS_MAX_SUBSCRIPTIONS", default_value_t = 50, global = true)]
    pub ws_max_subscriptions: usize,

    /// Largest websocket message accepted, in bytes; a larger one closes the socket with 1009.
    #[arg(long, env = "ROSTER_WS_MAX_MESSAGE_BYTES", default_value_t = 65_536, global = true)]
    pub ws_max_message_bytes: usize,

    /// Seconds between the server's websocket pings; a peer silent for two intervals is dropped.
    #[arg(long, env = "ROSTER_WS_KEEPALIVE_SECS", default_value_t = 15, global = true)]
    pub ws_keepalive_secs: u64,

    // --- Modules ---
    // Each module declares its own flags (its abuse limits among them) beside the code that
    // reads them; `check_unique_names` refuses two arguments with one name.
    /// Identity's settings.
    #[command(flatten)]
    pub identity: roster_identity::settings::IdentityArgs,

    /// Invitations' settings.
    #[command(flatten)]
    pub invitations: roster_invitations::settings::InvitationArgs,

    /// Organizations' settings.
    #[command(flatten)]
    pub organizations: roster_organizations::settings::OrganizationArgs,

    /// Live delivery's settings.
    #[command(flatten)]
    pub live: roster_live::settings::LiveArgs,
}

/// Checked settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Where to listen. Port 0 picks a free port (tests do this).
    pub listen: SocketAddr,
    /// Where `/metrics` is served.
    pub metrics_listen: MetricsListen,
    /// The database.
    pub database_url: DatabaseUrl,
    /// Where to LISTEN, when not on `database_url` (PostgreSQL).
    pub listen_database_url: Option<String>,
    /// Pool size and timeouts.
    pub pool: PoolOptions,
    /// Base of links in emails, without a trailing slash.
    pub public_url: String,
    /// Outgoing mail server, if any.
    pub smtp_url: Option<String>,
    /// The From address of invitation emails.
    pub mail_from: String,
    /// How long a mail sender's claim on an email lasts (SMTP conversations are cut off at a
    /// half of it). Not a flag: two minutes suits every server; tests shorten it.
    pub mail_claim: Duration,
    /// How long an invitation link works after it is sent.
    pub invitation_ttl: Duration,
    /// How long member-list events are kept for resuming.
    pub event_retention: Duration,
    /// The LISTEN connection's heartbeat interval.
    pub live_heartbeat: Duration,
    /// Whether anyone may sign up.
    pub signup_open: bool,
    /// Whether signed-in users may create organizations.
    pub org_creation_open: bool,
    /// How long a session stays valid.
    pub session_ttl: Duration,
    /// The product's name, as emails say it.
    pub product_name: String,
    /// Link templates in emails (each with `{token}`); `None` points at the console's pages.
    pub links: LinkTemplates,
    /// HTTP limits and switches.
    pub http: HttpSettings,
    /// What a GraphQL document may ask for.
    pub schema: SchemaLimits,
    /// Websocket limits.
    pub ws: WsSettings,
    /// Abuse limits.
    pub limits: AbuseLimits,
}

/// The links mailed to people, each with `{token}` where the token goes. `None` is the
/// members console's own page under the public URL.
#[derive(Debug, Clone, Default)]
pub struct LinkTemplates {
    /// Accepting an invitation.
    pub invitation: Option<String>,
    /// Verifying an email.
    pub verify_email: Option<String>,
    /// Resetting a password.
    pub reset_password: Option<String>,
}

impl LinkTemplates {
    /// The invitation link template under `public_url`.
    pub fn invitation(&self, public_url: &str) -> String {
        self.invitation.clone().unwrap_or_else(|| format!("{public_url}/console/accept?token={{token}}"))
    }

    /// The verification link template under `public_url`.
    pub fn verify_email(&self, public_url: &str) -> String {
        self.verify_email
            .clone()
            .unwrap_or_else(|| format!("{public_url}/console/verify-email?token={{token}}"))
    }

    /// The password reset link template under `public_url`.
    pub fn reset_password(&self, public_url: &str) -> String {
        self.reset_password
            .clone()
            .unwrap_or_else(|| format!("{public_url}/console/reset-password?token={{token}}"))
    }
}

/// A link template as given: blank means the default; otherwise it must hold `{token}`.
fn link_template(name: &'static str, given: Option<&String>) -> Result<Option<String>, SettingsError> {
    match given.map(|t| t.trim()) {
        None | Some("") => Ok(None),
        Some(template) if template.contains("{token}") => Ok(Some(template.to_owned())),
        Some(_) => Err(SettingsError::LinkTemplate(name)),
    }
}

/// HTTP limits and switches.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// Largest request body, in bytes.
    pub max_body_bytes: usize,
    /// Allowed browser origins; empty means no CORS headers.
    pub cors_origins: Vec<axum::http::HeaderValue>,
    /// Longest a request may take.
    pub request_timeout: Duration,
    /// Longest a connection may take to send a request head.
    pub header_timeout: Duration,
    /// Peers whose X-Forwarded-For is believed.
    pub trusted_proxies: TrustedProxies,
    /// Whether GraphiQL is served.
    pub graphiql: bool,
    /// Whether the members console is served.
    pub console: bool,
}

/// Websocket limits.
#[derive(Debug, Clone)]
pub struct WsSettings {
    /// How long a socket may wait before `connection_init`.
    pub init_timeout: Duration,
    /// Most subscriptions at once per socket.
    pub max_subscriptions: usize,
    /// Largest message, in bytes.
    pub max_message_bytes: usize,
    /// Interval of the server's pings.
    pub keepalive: Duration,
}

/// Abuse limits: how many of each attempt, per what, per which window.
#[derive(Debug, Clone, Copy)]
pub struct AbuseLimits {
    /// Sign-in attempts per 15 minutes, per email and per client address.
    pub signin_attempts: u32,
    /// acceptInvitation attempts per minute per client address.
    pub accept_attempts_per_minute: u32,
    /// Invitations per organization per day.
    pub invites_per_day: u32,
    /// Invitations per inviter per day.
    pub invites_per_inviter_per_day: u32,
    /// Resends per invitee and scope per hour.
    pub resends_per_hour: u32,
    /// Password reset requests per client address per hour.
    pub reset_requests_per_hour: u32,
    /// Password reset requests per email per hour, from all addresses.
    pub reset_requests_per_email_per_hour: u32,
    /// Sign-ups per client address per hour.
    pub signups_per_hour: u32,
    /// Organizations created per user, and per client address, per day.
    pub org_creations_per_day: u32,
    /// Invitations and resends per day from an inviter whose email is unverified.
    pub unverified_invites_per_day: u32,
}

impl Default for AbuseLimits {
    fn default() -> Self {
        Self {
            signin_attempts: 10,
            accept_attempts_per_minute: 20,
            invites_per_day: 500,
            invites_per_inviter_per_day: 200,
            resends_per_hour: 5,
            reset_requests_per_hour: 5,
            reset_requests_per_email_per_hour: 20,
            signups_per_hour: 20,
            org_creations_per_day: 10,
            unverified_invites_per_day: 10,
        }
    }
}

impl Default for WsSettings {
    fn default() -> Self {
        Self {
            init_timeout: Duration::from_secs(3),
            max_subscriptions: 50,
            max_message_bytes: 65_536,
            keepalive: Duration::from_secs(15),
        }
    }
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            max_body_bytes: 262_144,
            cors_origins: Vec::new(),
            request_timeout: Duration::from_secs(30),
            header_timeout: Duration::from_secs(10),
            trusted_proxies: TrustedProxies::default(),
            graphiql: true,
            console: true,
        }
    }
}

/// A setting that cannot work.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// See the message.
    #[error(transparent)]
    DatabaseUrl(#[from] roster_db::UrlError),
    /// ROSTER_LISTEN_DATABASE_URL is not a PostgreSQL URL.
    #[error("ROSTER_LISTEN_DATABASE_URL must be a postgres:// URL")]
    ListenUrl,
    /// An entry of ROSTER_CORS_ORIGINS is not an origin.
    #[error("ROSTER_CORS_ORIGINS: `{0}` is not an origin such as https://app.example.com")]
    CorsOrigin(String),
    /// A link template lacks `{token}`.
    #[error("{0} must contain {{token}}, where the link's token goes")]
    LinkTemplate(&'static str),
    /// An entry of ROSTER_TRUSTED_PROXIES is not an address or range.
    #[error("ROSTER_TRUSTED_PROXIES: `{0}` is not an IP address or CIDR range such as 10.0.0.0/8")]
    TrustedProxy(String),
    /// Two arguments claim one flag or environment variable, so one would shadow the other.
    #[error(
        "{name} is claimed twice, by {first} and by {second}: each flag and environment variable belongs to one setting"
    )]
    NameClaimedTwice {
        /// The flag (`--name`) or environment variable.
        name: String,
        /// The first claimant, as `Group.argument`.
        first: String,
        /// The second claimant.
        second: String,
    },
}

/// Refuses a command line on which two arguments share a long flag or an environment
/// variable, naming both (with the module's `Args` struct, for a flattened one).
///
/// Modules declare their flags apart, so nothing but this sees them side by side; clap's own
/// check of duplicates runs in debug builds only, and a release build would silently let one
/// argument shadow the other. A subcommand's arguments are checked against the global ones
/// they inherit.
pub fn check_unique_names(command: &clap::Command) -> Result<(), SettingsError> {
    check_names(command, &[])
}

/// `check_unique_names` for one command, given the global arguments of its ancestors.
fn check_names(command: &clap::Command, inherited: &[(String, String)]) -> Result<(), SettingsError> {
    // (name, claimant) of every flag and env var seen so far, inherited ones first.
    let mut seen: Vec<(String, String)> = inherited.to_vec();
    let mut globals = inherited.to_vec();
    for arg in command.get_arguments() {
        let claimant = claimant(command, arg);
        let names = arg
            .get_long()
            .map(|long| format!("--{long}"))
            .into_iter()
            .chain(arg.get_env().map(|env| env.to_string_lossy().into_owned()));
        for name in names {
            if let Some((_, first)) = seen.iter().find(|(seen, _)| *seen == name) {
                return Err(SettingsError::NameClaimedTwice { name, first: first.clone(), second: claimant });
            }
            if arg.is_global_set() {
                globals.push((name.clone(), claimant.clone()));
            }
            seen.push((name, claimant.clone()));
        }
    }
    command.get_subcommands().try_for_each(|sub| check_names(sub, &globals))
}

/// An argument as `Group.argument`, where the group is the `Args` struct that declares it.
fn claimant(command: &clap::Command, arg: &clap::Arg) -> String {
    let id = arg.get_id();
    match command.get_groups().find(|group| group.get_args().any(|member| member == id)) {
        Some(group) => format!("{}.{id}", group.get_id()),
        None => format!("{}.{id}", command.get_name()),
    }
}

impl SettingsArgs {
    /// The logging and tracing settings.
    pub fn telemetry(&self) -> TelemetrySettings {
        TelemetrySettings {
            log_format: self.log_format,
            otlp_endpoint: self.otlp_endpoint.clone().filter(|e| !e.trim().is_empty()),
            otlp_protocol: self.otlp_protocol,
        }
    }

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
            metrics_listen: self.metrics_listen.unwrap_or(MetricsListen::DEFAULT),
            database_url: DatabaseUrl::parse(&self.database_url)?,
            listen_database_url: match self.live.listen_database_url.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(url) => match DatabaseUrl::parse(url)? {
                    DatabaseUrl::Postgres(url) => Some(url),
                    DatabaseUrl::Sqlite(_) => return Err(SettingsError::ListenUrl),
                },
            },
            pool: PoolOptions {
                max_size: self.db_pool_size.max(1),
                timeout: Duration::from_secs(self.db_timeout_secs.max(1)),
            },
            public_url,
            smtp_url: self.smtp_url.clone().filter(|s| !s.trim().is_empty()),
            mail_from: self.mail_from.clone(),
            mail_claim: Duration::from_secs(120),
            invitation_ttl: hours(self.invitations.invitation_ttl_hours),
            event_retention: hours(self.live.event_retention_hours),
            live_heartbeat: seconds(self.live.listen_heartbeat_secs),
            signup_open: self.identity.signup_open,
            org_creation_open: self.organizations.org_creation_open,
            session_ttl: hours(self.identity.session_ttl_hours),
            product_name: self.product_name.trim().to_owned(),
            links: LinkTemplates {
                invitation: link_template("ROSTER_INVITATION_URL", self.invitations.invitation_url.as_ref())?,
                verify_email: link_template(
                    "ROSTER_VERIFY_EMAIL_URL",
                    self.identity.verify_email_url.as_ref(),
                )?,
                reset_password: link_template(
                    "ROSTER_RESET_PASSWORD_URL",
                    self.identity.reset_password_url.as_ref(),
                )?,
            },
            http: HttpSettings {
                max_body_bytes: self.max_body_bytes.max(1024),
                cors_origins: cors_origins(&self.cors_origins)?,
                request_timeout: seconds(self.request_timeout_secs),
                header_timeout: seconds(self.header_timeout_secs),
                trusted_proxies: TrustedProxies::parse(&self.trusted_proxies)
                    .map_err(SettingsError::TrustedProxy)?,
                graphiql: self.graphiql,
                console: self.console,
            },
            schema: SchemaLimits {
                introspection: self.introspection,
                max_aliases: self.max_aliases,
                max_depth: self.max_depth.max(1),
                max_complexity: self.max_complexity.max(1),
            },
            ws: WsSettings {
                init_timeout: seconds(self.ws_init_timeout_secs),
                max_subscriptions: self.ws_max_subscriptions,
                max_message_bytes: self.ws_max_message_bytes.max(1024),
                keepalive: seconds(self.ws_keepalive_secs),
            },
            limits: AbuseLimits {
                signin_attempts: self.identity.signin_attempts,
                accept_attempts_per_minute: self.invitations.accept_attempts_per_minute,
                invites_per_day: self.invitations.invites_per_day,
                invites_per_inviter_per_day: self.invitations.invites_per_inviter_per_day,
                resends_per_hour: self.invitations.resends_per_hour,
                reset_requests_per_hour: self.identity.reset_requests_per_hour,
                reset_requests_per_email_per_hour: self.identity.reset_requests_per_email_per_hour,
                signups_per_hour: self.identity.signups_per_hour,
                org_creations_per_day: self.organizations.org_creations_per_day,
                unverified_invites_per_day: self.invitations.unverified_invites_per_day,
            },
        })
    }
}

/// The allowlist as header values. Each entry must be a bare origin: a scheme, a host and
/// an optional port, nothing after it; a trailing slash is forgiven.
fn cors_origins(entries: &[String]) -> Result<Vec<axum::http::HeaderValue>, SettingsError> {
    entries
        .iter()
        .map(|entry| entry.trim().trim_end_matches('/'))
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            let bare = entry.split_once("://").is_some_and(|(scheme, rest)| {
                matches!(scheme, "http" | "https") && !rest.is_empty() && !rest.contains('/')
            });
            match axum::http::HeaderValue::from_str(entry) {
                Ok(value) if bare => Ok(value),
                _ => Err(SettingsError::CorsOrigin(entry.to_owned())),
            }
        })
        .collect()
}

/// At least one second.
fn seconds(count: u64) -> Duration {
    Duration::from_secs(count.max(1))
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
            // Like the default, on a port of its own, which tests find by `metrics_addr`.
            metrics_listen: MetricsListen::Address {
                addr: SocketAddr::from(([127, 0, 0, 1], 0)),
                required: true,
            },
            database_url,
            listen_database_url: None,
            pool: PoolOptions::default(),
            public_url: "http://127.0.0.1".into(),
            smtp_url: None,
            mail_from: "Roster <roster@localhost>".into(),
            mail_claim: Duration::from_secs(120),
            invitation_ttl: Duration::from_secs(7 * 24 * 3600),
            event_retention: Duration::from_secs(7 * 24 * 3600),
            live_heartbeat: Duration::from_secs(10),
            signup_open: true,
            org_creation_open: true,
            session_ttl: Duration::from_secs(720 * 3600),
            product_name: "Roster".into(),
            links: LinkTemplates::default(),
            http: HttpSettings::default(),
            schema: SchemaLimits::default(),
            ws: WsSettings::default(),
            // Tests sign up many accounts, create many organizations and invite from
            // unverified accounts, all from one loopback address; the tests of those limits
            // (`tests/api/server/abuse_limits.rs`) turn them back on.
            limits: AbuseLimits {
                signups_per_hour: 0,
                org_creations_per_day: 0,
                unverified_invites_per_day: 0,
                ..AbuseLimits::default()
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roster_claims_each_name_once() {
        let command = <crate::cli::Cli as clap::CommandFactory>::command();
        assert!(check_unique_names(&command).is_ok(), "{:?}", check_unique_names(&command));
    }

    /// Two modules' flags, as a product composing its own module beside Roster's would.
    #[derive(Debug, clap::Args)]
    struct FirstArgs {
        #[arg(long, env = "ROSTER_INVITES_PER_DAY", global = true)]
        invites_per_day: Option<u32>,
    }

    #[derive(Debug, clap::Args)]
    struct SecondArgs {
        #[arg(long = "daily-invites", env = "ROSTER_INVITES_PER_DAY")]
        daily_invites: Option<u32>,
        #[arg(long = "invites-per-day")]
        per_day: Option<u32>,
    }

    #[test]
    fn two_modules_claiming_one_env_var_are_refused_by_name() {
        #[derive(Debug, clap::Parser)]
        struct Cli {
            #[command(flatten)]
            first: FirstArgs,
            #[command(flatten)]
            second: SecondArgs,
        }
        let error = check_unique_names(&<Cli as clap::CommandFactory>::command()).map_err(|e| e.to_string());
        let message = error.expect_err("one env var, two arguments");
        assert!(message.contains("ROSTER_INVITES_PER_DAY"), "{message}");
        assert!(message.contains("FirstArgs.invites_per_day"), "{message}");
        assert!(message.contains("SecondArgs.daily_invites"), "{message}");
    }

    #[test]
    fn a_long_flag_claimed_twice_is_refused_also_across_a_subcommand() {
        #[derive(Debug, clap::Parser)]
        struct Cli {
            #[command(subcommand)]
            command: Sub,
            #[command(flatten)]
            first: FirstArgs,
        }
        #[derive(Debug, clap::Subcommand)]
        enum Sub {
            Serve {
                #[arg(long = "invites-per-day")]
                limit: Option<u32>,
            },
        }
        let error = check_unique_names(&<Cli as clap::CommandFactory>::command()).map_err(|e| e.to_string());
        let message = error.expect_err("the subcommand's flag shadows a global one");
        assert!(message.contains("--invites-per-day"), "{message}");
        assert!(message.contains("FirstArgs.invites_per_day"), "{message}");
        assert!(message.contains("Serve.limit"), "{message}");
    }

    #[test]
    fn cors_origins_must_be_bare_origins() {
        let ok = cors_origins(&["https://app.example.com/".into(), " http://localhost:5173".into()]);
        let ok = ok.map(|v| v.len()).unwrap_or_default();
        assert_eq!(ok, 2);
        for bad in ["app.example.com", "https://app.example.com/path", "ftp://x.example", "*"] {
            assert!(cors_origins(&[bad.into()]).is_err(), "{bad} should be refused");
        }
    }
}
