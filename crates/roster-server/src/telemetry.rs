//! Logs and traces.
//!
//! Logs go to stderr, as text or JSON (`ROSTER_LOG_FORMAT`), filtered by `RUST_LOG`
//! (default `info`). Every line written while a request is served carries its spans: the
//! request's (with its `request_id`) and the GraphQL operation's (with its name).
//!
//! With `OTEL_EXPORTER_OTLP_ENDPOINT` set, the same spans go to an OpenTelemetry collector
//! over OTLP/HTTP: the request, the GraphQL operation inside it, and each database
//! transaction inside that. An incoming W3C `traceparent` makes the request part of the
//! caller's trace.

use std::io::IsTerminal as _;

use axum::http::HeaderMap;
use opentelemetry::propagation::Extractor;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{WithExportConfig as _, WithHttpConfig as _};
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{EnvFilter, Layer as _};

use crate::settings::{LogFormat, OtlpProtocol, TelemetrySettings};

/// Keeps the trace exporter alive; [`Telemetry::shutdown`] sends what is still buffered.
#[must_use]
pub struct Telemetry {
    provider: Option<SdkTracerProvider>,
}

impl Telemetry {
    /// Flushes and stops the trace exporter, if there is one.
    pub fn shutdown(self) {
        if let Some(provider) = self.provider
            && let Err(e) = provider.shutdown()
        {
            tracing::warn!(error = %e, "traces: the exporter did not shut down cleanly");
        }
    }
}

/// Why tracing could not start.
#[derive(Debug, thiserror::Error)]
#[error("OTEL_EXPORTER_OTLP_ENDPOINT: {0}")]
pub struct TelemetryError(String);

/// Installs the global subscriber (a second call, as in tests, keeps the first) and, when
/// an OTLP endpoint is set, the trace exporter. Needs a Tokio runtime when traces are on.
pub fn init(settings: &TelemetrySettings) -> Result<Telemetry, TelemetryError> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // Colours only for a person at a terminal: in a file or a log collector, escape codes
    // are noise that breaks searching.
    let ansi = std::io::stderr().is_terminal();
    let logs = match settings.log_format {
        LogFormat::Text => {
            tracing_subscriber::fmt::layer().with_writer(std::io::stderr).with_ansi(ansi).boxed()
        }
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .json()
            .with_current_span(true)
            .with_span_list(true)
            .with_writer(std::io::stderr)
            .boxed(),
    };
    let provider = settings
        .otlp_endpoint
        .as_deref()
        .map(|endpoint| provider(endpoint, settings.otlp_protocol))
        .transpose()?;
    let traces = provider
        .as_ref()
        .map(|provider| tracing_opentelemetry::layer().with_tracer(provider.tracer("roster")));
    if provider.is_some() {
        opentelemetry::global::set_text_map_propagator(
            opentelemetry_sdk::propagation::TraceContextPropagator::new(),
        );
    }
    let _ = tracing_subscriber::registry().with(filter).with(logs).with(traces).try_init();
    Ok(Telemetry { provider })
}

/// The trace pipeline: spans batched on the Tokio runtime, exported to `endpoint`/v1/traces.
fn provider(endpoint: &str, protocol: OtlpProtocol) -> Result<SdkTracerProvider, TelemetryError> {
    // Plain HTTP only: collectors run beside the server (an agent on the host, a sidecar)
    // and forward over TLS themselves. Refused at startup rather than failing every export.
    if !endpoint.starts_with("http://") {
        return Err(TelemetryError(format!(
            "`{endpoint}`: only http:// endpoints are supported; send traces to a collector agent beside the server"
        )));
    }
    let client = reqwest::Client::builder().build().map_err(|e| TelemetryError(e.to_string()))?;
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_http_client(client)
        .with_protocol(match protocol {
            OtlpProtocol::HttpProtobuf => opentelemetry_otlp::Protocol::HttpBinary,
            OtlpProtocol::HttpJson => opentelemetry_otlp::Protocol::HttpJson,
        })
        .with_endpoint(format!("{}/v1/traces", endpoint.trim_end_matches('/')))
        .build()
        .map_err(|e| TelemetryError(e.to_string()))?;
    let processor = opentelemetry_sdk::trace::span_processor_with_async_runtime::BatchSpanProcessor::builder(
        exporter,
        opentelemetry_sdk::runtime::Tokio,
    )
    .build();
    // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES are honoured; the name defaults to roster.
    let mut resource = opentelemetry_sdk::Resource::builder();
    let named_by_env = std::env::var_os("OTEL_SERVICE_NAME").is_some()
        || std::env::var("OTEL_RESOURCE_ATTRIBUTES").is_ok_and(|a| a.contains("service.name="));
    if !named_by_env {
        resource = resource.with_service_name("roster");
    }
    Ok(SdkTracerProvider::builder().with_span_processor(processor).with_resource(resource.build()).build())
}

/// Makes `span` a child of the caller's trace when the request carries a W3C `traceparent`.
pub fn continue_trace(span: &tracing::Span, headers: &HeaderMap) {
    if headers.contains_key("traceparent") {
        let parent = opentelemetry::global::get_text_map_propagator(|p| p.extract(&Headers(headers)));
        let _ = span.set_parent(parent);
    }
}

/// Request headers, as the propagator reads them.
struct Headers<'a>(&'a HeaderMap);

impl Extractor for Headers<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|value| value.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(|name| name.as_str()).collect()
    }
}
