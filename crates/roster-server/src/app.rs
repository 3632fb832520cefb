//! Building and running the application.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_graphql::SchemaBuilder;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderName, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use roster_core::port::{self, Port};
use roster_db::{Db, DbError};
use roster_identity::IdentitySettings;
use roster_identity::mail::TokenMail;
use roster_invitations::InvitationSettings;
use roster_invitations::mail::InvitationMail;
use roster_live::live::{LiveHub, LiveSettings};
use roster_mail::{Composers, DuplicateComposer, Mailer, MailerError, Sender};
use roster_organizations::OrganizationSettings;
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use tracing::Instrument as _;

use crate::schema::{Mutation, Query, Subscription, schema};
use crate::settings::{MetricsListen, Settings};
use crate::state::AppState;

/// Why the application could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// The database could not be opened or migrated.
    #[error("database: {0}")]
    Db(#[from] DbError),
    /// The mail settings do not work.
    #[error(transparent)]
    Mail(#[from] MailerError),
    /// The modules do not fit together: two composers for one kind of mail.
    #[error("composition: {0}")]
    Composition(#[from] DuplicateComposer),
    /// The modules do not fit together: what some module reads from the schema's data is not
    /// there.
    #[error("composition: no module offers {0}")]
    MissingPorts(String),
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

/// How each kind of queued mail is rendered: every module that queues mail brings its
/// composer, and the one sender delivers them all. Two composers for one kind stop startup.
pub fn composers(
    identity: &IdentitySettings,
    invitations: &InvitationSettings,
) -> Result<Composers, DuplicateComposer> {
    Composers::default()
        .with(InvitationMail::new(invitations.clone()))?
        .with(TokenMail::verify_email(identity.clone()))?
        .with(TokenMail::reset_password(identity.clone()))
}

/// The identity and invitation settings from the server's, sharing one wake-up for the one
/// mail sender, whichever module queued the mail.
pub fn module_settings(settings: &Settings) -> (IdentitySettings, InvitationSettings, Arc<Notify>) {
    let limits = settings.limits;
    let wake_sender = Arc::new(Notify::new());
    let public_url = settings.public_url.as_str();
    let identity = IdentitySettings {
        signup_open: settings.signup_open,
        session_ttl: settings.session_ttl,
        product_name: settings.product_name.clone(),
        verify_email_url: settings.links.verify_email(public_url),
        reset_password_url: settings.links.reset_password(public_url),
        wake_sender: wake_sender.clone(),
        ..IdentitySettings::default()
    }
    .with_limits(limits.signin_attempts, limits.reset_requests_per_hour, limits.accept_attempts_per_minute)
    .with_reset_requests_per_email(limits.reset_requests_per_email_per_hour)
    .with_signups_per_hour(limits.signups_per_hour);
    let invitations = InvitationSettings {
        ttl: settings.invitation_ttl,
        public_url: settings.public_url.clone(),
        invitation_url: settings.links.invitation(public_url),
        product_name: settings.product_name.clone(),
        claim: settings.mail_claim,
        wake_sender: wake_sender.clone(),
        ..InvitationSettings::default()
    }
    .with_limits(
        limits.invites_per_day,
        limits.invites_per_inviter_per_day,
        limits.resends_per_hour,
        limits.accept_attempts_per_minute,
    )
    .with_unverified_allowance(limits.unverified_invites_per_day);
    (identity, invitations, wake_sender)
}

/// A built application: migrated database, schema, bound listener. Tests build it on port 0.
pub struct Application {
    listener: TcpListener,
    /// `/metrics` on an address of its own (`ROSTER_METRICS_LISTEN`), when set.
    metrics_listener: Option<TcpListener>,
    router: Router,
    state: AppState,
    shutdown_tx: watch::Sender<bool>,
    identity: IdentitySettings,
    invitations: InvitationSettings,
}

impl Application {
    /// Opens the pool, applies migrations, builds the schema and binds the listener.
    pub async fn build(settings: Settings) -> Result<Application, StartupError> {
        // Installed first, so that everything the application counts is recorded.
        crate::metrics::recorder();
        let db = Db::connect(&settings.database_url, &settings.pool)?;
        let applied = db.migrate().await?;
        if !applied.is_empty() {
            tracing::info!(count = applied.len(), "applied migrations: {}", applied.join(", "));
        }
        for conflict in roster_identity::canonical_emails::fill(&db).await? {
            tracing::warn!(%conflict, "accounts share one canonical email; `roster migrate` lists them");
        }
        let (identity, invitations, wake_sender) = module_settings(&settings);
        let mailer =
            Mailer::new(settings.smtp_url.as_deref(), &settings.mail_from, invitations.smtp_timeout())?;
        let sender = Sender {
            db: db.clone(),
            mailer,
            composers: composers(&identity, &invitations)?,
            claim: settings.mail_claim,
            wake: wake_sender,
        };
        let hub = LiveHub::new(
            db.clone(),
            LiveSettings {
                retention: settings.event_retention,
                listen_url: settings.listen_database_url.clone(),
                heartbeat: settings.live_heartbeat,
                ..LiveSettings::default()
            },
        );
        // Organization and team changes end pending invitations through this port; the
        // invitations crate, above them, implements it.
        let pending =
            roster_organizations::pending::Invitations(Arc::new(roster_invitations::ending::EndPending));
        let offered = Offered::new(schema(&settings.schema))
            .data(db.clone())
            .data(pending)
            .data(identity.clone())
            .data(invitations.clone())
            .data(
                OrganizationSettings {
                    creation_open: settings.org_creation_open,
                    ..OrganizationSettings::default()
                }
                .with_limits(settings.limits.org_creations_per_day),
            )
            .data(hub.clone());
        let missing = port::missing(&crate::schema::needs(), &offered.ports(crate::auth::per_request()));
        if !missing.is_empty() {
            return Err(StartupError::MissingPorts(missing.join(", ")));
        }
        let schema = offered.builder.finish();

        let listener =
            bind(settings.listen).map_err(|source| StartupError::Bind { addr: settings.listen, source })?;
        let metrics_listener = match settings.metrics_listen {
            MetricsListen::Address { addr, required } => match bind(addr) {
                Ok(listener) => Some(listener),
                Err(source) if required => return Err(StartupError::Bind { addr, source }),
                Err(error) => {
                    tracing::warn!(%addr, %error, "/metrics is not served: its default address is taken; set ROSTER_METRICS_LISTEN");
                    None
                }
            },
            MetricsListen::Main | MetricsListen::Off => None,
        };
        let metrics_on_main = settings.metrics_listen == MetricsListen::Main;
        let (shutdown_tx, shutdown) = watch::channel(false);
        // The live hub and the mail sender run beside the server and stop with it.
        tokio::spawn(hub.clone().run(shutdown.clone()));
        tokio::spawn(sender.run(shutdown.clone()));
        tokio::spawn(maintenance(db.clone(), shutdown.clone()));
        let state = AppState {
            fanout: Arc::new(crate::fanout::Fanout::new(schema.clone())),
            schema,
            db,
            hub,
            shutdown,
            open_sockets: Arc::new(()),
            http: Arc::new(settings.http),
            ws: Arc::new(settings.ws),
        };
        let router = router(state.clone(), metrics_on_main);
        Ok(Application { listener, metrics_listener, router, state, shutdown_tx, identity, invitations })
    }

    /// The bound address (with the real port when the settings asked for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// The address `/metrics` is served on when it has one of its own.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_listener.as_ref().and_then(|l| l.local_addr().ok())
    }

    /// The live hub (subscriptions).
    pub fn hub(&self) -> &LiveHub {
        &self.state.hub
    }

    /// The database the application uses.
    pub fn db(&self) -> &Db {
        &self.state.db
    }

    /// The identity settings the application runs with.
    pub fn identity_settings(&self) -> &IdentitySettings {
        &self.identity
    }

    /// The invitation settings the application runs with (its mail sender wakes on them).
    pub fn invitation_settings(&self) -> &InvitationSettings {
        &self.invitations
    }

    /// Serves until `stop` resolves, then shuts down gracefully: the listener closes, in-flight
    /// requests finish, and open websockets get a close frame (1001, going away).
    pub async fn run_until_stopped(
        self,
        stop: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let Application { listener, metrics_listener, router, state, shutdown_tx, .. } = self;
        let mut watcher = state.shutdown.clone();
        let stopping = async move {
            stop.await;
            tracing::info!("shutting down");
            let _ = shutdown_tx.send(true);
        };
        tokio::spawn(stopping);
        let graceful = async move {
            let _ = watcher.wait_for(|stopping| *stopping).await;
        };
        if let Some(metrics_listener) = metrics_listener {
            let metrics =
                Router::new().route("/metrics", get(crate::metrics::scrape)).with_state(state.clone());
            let mut watcher = state.shutdown.clone();
            let stopped = async move {
                let _ = watcher.wait_for(|stopping| *stopping).await;
            };
            tokio::spawn(crate::serve::serve(metrics_listener, metrics, state.http.header_timeout, stopped));
        }
        crate::serve::serve(listener, router, state.http.header_timeout, graceful).await;
        // Upgraded websocket connections are not tracked by axum; give them a moment to
        // send their close frames.
        let deadline = Instant::now() + Duration::from_secs(5);
        while Arc::strong_count(&state.open_sockets) > 1 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        tracing::info!("stopped");
        Ok(())
    }
}

/// Housekeeping every replica does now and then: rate-limit rows that count nothing any more
/// are deleted, so the table holds only keys active within their window.
async fn maintenance(db: Db, mut shutdown: watch::Receiver<bool>) {
    let mut every = tokio::time::interval(Duration::from_secs(600));
    let stopping = async move {
        let _ = shutdown.wait_for(|stopping| *stopping).await;
    };
    tokio::pin!(stopping);
    loop {
        tokio::select! {
            _ = every.tick() => {
                let pruned = async {
                    let mut conn = db.get().await?;
                    Ok::<_, DbError>(roster_db::limit::prune(&mut conn.conn()).await?)
                }
                .await;
                match pruned {
                    Ok(0) => {}
                    Ok(count) => tracing::debug!(count, "pruned spent rate-limit rows"),
                    Err(e) => tracing::warn!(error = %e, "pruning rate-limit rows failed; will retry"),
                }
                // Rows an older replica wrote during a rolling upgrade, and rows whose
                // conflict an operator resolved, get their canonical email form.
                if let Err(e) = roster_identity::canonical_emails::fill(&db).await {
                    tracing::warn!(error = %e, "filling canonical email forms failed; will retry");
                }
            }
            () = &mut stopping => return,
        }
    }
}

/// The schema being built, and the ports its data offers so far.
struct Offered {
    builder: SchemaBuilder<Query, Mutation, Subscription>,
    offered: Vec<Port>,
}

impl Offered {
    fn new(builder: SchemaBuilder<Query, Mutation, Subscription>) -> Offered {
        Offered { builder, offered: Vec::new() }
    }

    /// Adds `value` to the schema's data, and its type to what is offered.
    fn data<T: std::any::Any + Send + Sync>(mut self, value: T) -> Offered {
        self.offered.push(Port::of::<T>());
        self.builder = self.builder.data(value);
        self
    }

    /// What the schema's data offers, with what every request adds.
    fn ports(&self, per_request: Vec<Port>) -> Vec<Port> {
        [self.offered.clone(), per_request].concat()
    }
}

/// Binds the listener with a deep accept queue: thousands of clients reconnecting at once (a
/// deploy, a network blip) should queue, not be reset. The kernel caps it at somaxconn.
fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket =
        if addr.is_ipv4() { tokio::net::TcpSocket::new_v4()? } else { tokio::net::TcpSocket::new_v6()? };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(4096)
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

/// The main router. `with_metrics`: whether `/metrics` is served here (it is, unless it has
/// an address of its own).
fn router(state: AppState, with_metrics: bool) -> Router {
    let http = state.http.clone();
    let mut router = crate::assets::routes(http.graphiql, http.console)
        .route("/graphql", get(crate::http::get).post(crate::http::post))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz));
    if with_metrics {
        router = router.route("/metrics", get(crate::metrics::scrape));
    }
    let mut router = router
        .layer(middleware::from_fn_with_state(http.request_timeout, time_limit))
        .layer(DefaultBodyLimit::max(http.max_body_bytes))
        .layer(middleware::from_fn(crate::metrics::count_http));
    if !http.cors_origins.is_empty() {
        // Bearer tokens travel in a header, never in cookies, so credentials stay off and a
        // page on an allowed origin can send no more than its own users' tokens.
        router = router.layer(
            CorsLayer::new()
                .allow_origin(AllowOrigin::list(http.cors_origins.iter().cloned()))
                .allow_methods([Method::GET, Method::POST])
                .allow_headers([
                    header::AUTHORIZATION,
                    header::CONTENT_TYPE,
                    HeaderName::from_static(crate::request_id::HEADER),
                    HeaderName::from_static("traceparent"),
                    HeaderName::from_static("tracestate"),
                ])
                // So a browser app can show the id in its error reports.
                .expose_headers([HeaderName::from_static(crate::request_id::HEADER)])
                .max_age(Duration::from_secs(600)),
        );
    }
    // Outermost first: an unusable caller id is dropped, one is made where missing, the
    // response echoes it, and the request's span (which every log line of the request
    // carries) records it.
    let request_id = HeaderName::from_static(crate::request_id::HEADER);
    router
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_request(())
                .on_response(log_response)
                .on_failure(()),
        )
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, crate::request_id::MakeUlid))
        .layer(middleware::from_fn(crate::request_id::sanitise))
        .with_state(state)
}

/// The span of one HTTP request: its id, method and path, in the caller's trace when it
/// sent a `traceparent`.
fn request_span(request: &Request) -> tracing::Span {
    let request_id =
        request.headers().get(crate::request_id::HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
    let span = tracing::info_span!(
        "request",
        request_id,
        method = %request.method(),
        path = request.uri().path(),
    );
    crate::telemetry::continue_trace(&span, request.headers());
    span
}

/// A line per request is for debugging (RUST_LOG=debug): at info, on a busy replica,
/// logging would cost more than answering. Server errors are always worth a line.
fn log_response(response: &Response, latency: Duration, _span: &tracing::Span) {
    let (status, elapsed_ms) = (response.status().as_u16(), latency.as_millis() as u64);
    if response.status().is_server_error() {
        tracing::warn!(status, elapsed_ms, "request failed");
    } else {
        tracing::debug!(status, elapsed_ms, "request");
    }
}

/// Answers a request that takes longer than `limit` with 408 and a GraphQL-shaped error, so
/// clients read it like any other refusal.
///
/// The handler runs as a task of its own, aborted on timeout, so the answer goes out on
/// time: a SQLite query cannot be interrupted, and dropping its future waits for it to end
/// (diesel-async's choice, which keeps the connection consistent). Aborting rolls back a
/// transaction the handler had open.
async fn time_limit(State(limit): State<Duration>, request: Request, next: Next) -> Response {
    let request_id = crate::request_id::RequestId::from_headers(request.headers());
    // In the request's span, which a spawned task would otherwise leave behind.
    let mut handler = tokio::spawn(next.run(request).in_current_span());
    match tokio::time::timeout(limit, &mut handler).await {
        Ok(Ok(response)) => response,
        Ok(Err(e)) => {
            tracing::error!(error = %e, "request handler panicked");
            let mut error = async_graphql::ServerError::new("Internal server error.", None);
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("code", roster_core::ErrorCode::InternalServerError.as_str());
            crate::request_id::stamp(&mut error, request_id.as_ref());
            let body = serde_json::json!({ "errors": [error] });
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_TYPE, "application/json")],
                body.to_string(),
            )
                .into_response()
        }
        Err(_) => {
            handler.abort();
            crate::http::refusal(
                StatusCode::REQUEST_TIMEOUT,
                roster_core::ErrorCode::RequestTimeout,
                "The request took too long and was stopped.",
            )
        }
    }
}

/// 200 while the process runs.
async fn healthz() -> &'static str {
    "ok"
}

/// 200 only while the database answers. The check opens a connection of its own: a pool
/// that is busy serving requests says nothing about the database's health, and a replica
/// with a saturated pool must not be taken out of rotation for it.
async fn readyz(State(state): State<AppState>) -> Response {
    match tokio::time::timeout(Duration::from_secs(5), state.db.ping_directly()).await {
        Ok(Ok(())) => (StatusCode::OK, "ready").into_response(),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "not ready: database check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response(),
    }
}

#[cfg(test)]
mod composition_tests {
    use super::*;

    #[test]
    fn a_composition_without_a_port_some_module_reads_is_refused_by_name() {
        let needed = crate::schema::needs();
        // Everything the server offers but the pending-invitations port that organizations and
        // teams read when a change ends a pending membership.
        let offered = Offered::new(schema(&crate::guard::SchemaLimits::default()))
            .data(IdentitySettings::default())
            .data(InvitationSettings::default())
            .data(OrganizationSettings::default());
        let mut ports = offered.ports(crate::auth::per_request());
        ports.push(Port::of::<LiveHub>());
        let missing = port::missing(&needed, &ports);
        assert_eq!(missing.len(), 1, "{missing:?}");
        assert!(missing[0].ends_with("pending::Invitations"), "{missing:?}");
        ports.push(Port::of::<roster_organizations::pending::Invitations>());
        assert_eq!(port::missing(&needed, &ports), Vec::<&str>::new());
    }
}
