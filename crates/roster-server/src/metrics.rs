//! `/metrics`, in the Prometheus text format.
//!
//! The module crates count what they do through the `metrics` facade (deliveries, refusals,
//! mail); this module installs the recorder, counts HTTP requests by route and status, and
//! reads the gauges that are state rather than events (the pool, the outbox) when scraped.
//! Every label value comes from a fixed set: route patterns, status codes, limit names,
//! operation names the schema validated, union member names and error codes.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::state::AppState;

/// Latency buckets, in seconds: from a cached read to a slow argon2 sign-in.
const BUCKETS: &[f64] = &[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// The process's recorder. One per process: every application in it (tests run several)
/// reports into it.
pub fn recorder() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        let builder = || {
            PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), BUCKETS)
                .unwrap_or_else(|_| PrometheusBuilder::new())
        };
        let handle = match builder().install_recorder() {
            Ok(handle) => handle,
            // Another recorder is installed (an embedding program's): render an empty one.
            Err(_) => builder().build_recorder().handle(),
        };
        describe();
        handle
    })
}

/// The HELP lines.
fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram};
    describe_counter!("roster_http_requests_total", "HTTP requests, by route pattern and status.");
    describe_histogram!("roster_http_request_duration_seconds", "HTTP request latency, by route pattern.");
    describe_counter!(
        "roster_graphql_operations_total",
        "GraphQL operations, by root field (operation), type and outcome (result union member or error code)."
    );
    describe_histogram!("roster_graphql_operation_duration_seconds", "GraphQL operation latency.");
    describe_gauge!("roster_live_subscriptions", "Member-list subscriptions open on this replica.");
    describe_counter!("roster_live_events_delivered_total", "Member-list events delivered to subscribers.");
    describe_counter!(
        "roster_live_renders_total",
        "Member-list events rendered: once per event and class of subscribers alike, however many subscribers the class has."
    );
    describe_counter!(
        "roster_live_subscribers_too_slow_total",
        "Subscriptions ended with SUBSCRIBER_TOO_SLOW (they resume from their cursor)."
    );
    describe_gauge!("roster_mail_outbox_backlog", "Emails queued and neither sent nor dropped.");
    describe_gauge!("roster_mail_outbox_oldest_age_seconds", "Age of the oldest queued email (0 when none).");
    describe_counter!("roster_mail_sent_total", "Emails the SMTP server accepted.");
    describe_counter!("roster_mail_failed_total", "Failed sends: retried later, or dropped for good.");
    describe_gauge!(
        "roster_db_pool_connections",
        "Database pool connections: open, in use, and the maximum."
    );
    describe_gauge!("roster_db_pool_waiting", "Requests waiting for a database connection.");
    describe_counter!("roster_db_pool_timeouts_total", "Waits for a database connection that timed out.");
    describe_counter!("roster_rate_limit_refusals_total", "Attempts refused by a rate limit, by limit.");
}

/// Counts each request under its route pattern (`/graphql`, not the path asked for, so
/// scanning random paths cannot grow the label set).
pub async fn count_http(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("roster_http_requests_total", "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("roster_http_request_duration_seconds", "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}

/// `GET /metrics`.
pub async fn scrape(State(state): State<AppState>) -> Response {
    let pool = state.db.pool_status();
    let connections = [("open", pool.open), ("in_use", pool.in_use), ("max", pool.max_size)];
    for (kind, count) in connections {
        metrics::gauge!("roster_db_pool_connections", "state" => kind).set(count as f64);
    }
    metrics::gauge!("roster_db_pool_waiting").set(pool.waiting as f64);
    metrics::counter!("roster_db_pool_timeouts_total").absolute(pool.timeouts as u64);
    // The outbox is read at scrape time, bounded so a slow database cannot hang the scrape;
    // without an answer the gauges keep their last values.
    let backlog = tokio::time::timeout(Duration::from_secs(2), async {
        let mut conn = state.db.get().await?;
        Ok::<_, roster_db::DbError>(roster_mail::store::backlog(&mut conn.conn()).await?)
    })
    .await;
    match backlog {
        Ok(Ok((count, oldest))) => {
            let age = oldest.map_or(0.0, |at| (roster_db::now() - at).as_seconds_f64().max(0.0));
            metrics::gauge!("roster_mail_outbox_backlog").set(count as f64);
            metrics::gauge!("roster_mail_outbox_oldest_age_seconds").set(age);
        }
        Ok(Err(e)) => tracing::debug!(error = %e, "metrics: cannot read the outbox"),
        Err(_) => tracing::debug!("metrics: reading the outbox timed out"),
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], recorder().render())
        .into_response()
}
