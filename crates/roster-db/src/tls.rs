//! TLS for PostgreSQL connections (rustls + ring), honouring libpq's `sslmode` and
//! `sslrootcert` URL parameters.

use std::future::Future;
use std::io;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use diesel::{ConnectionError, ConnectionResult};
use diesel_async::AsyncPgConnection;
use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_postgres::tls::{ChannelBinding, MakeTlsConnect, TlsConnect};

// ---------------------------------------------------------------------------------------------
// URL handling
// ---------------------------------------------------------------------------------------------

/// libpq's `sslmode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    /// Plain TCP.
    Disable,
    /// TLS when the server offers it, else plain. No certificate check. The default.
    Prefer,
    /// TLS, no certificate check.
    Require,
    /// TLS, chain checked against the roots, host name not checked.
    VerifyCa,
    /// TLS, chain and host name (DNS or IP SAN) checked.
    VerifyFull,
}

/// Where the trust anchors come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RootCerts {
    /// The Mozilla roots bundled in `webpki-roots` (no `sslrootcert`, or `sslrootcert=system`).
    WebPki,
    /// A PEM file of one or more CA certificates.
    File(PathBuf),
}

/// A `postgres://` URL split into what tokio-postgres understands and the TLS settings it
/// does not. No `Debug`: `driver_url` holds the password.
pub struct PgUrl {
    /// The URL with `sslrootcert` removed and `sslmode` rewritten to one tokio-postgres
    /// accepts (`disable`, `prefer` or `require`).
    pub driver_url: String,
    /// The effective mode.
    pub mode: SslMode,
    /// The roots (used by `verify-ca` and `verify-full` only).
    pub roots: RootCerts,
}

impl PgUrl {
    /// Parses the `sslmode` and `sslrootcert` query parameters of a `postgres://` URL.
    pub fn parse(url: &str) -> Result<Self, String> {
        let (base, query) = match url.split_once('?') {
            Some((base, query)) => (base, query),
            None => (url, ""),
        };
        let mut mode = None;
        let mut root_file: Option<String> = None;
        let mut kept: Vec<String> = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (raw_key, raw_value) = pair.split_once('=').unwrap_or((pair, ""));
            // tokio-postgres percent-decodes keys and values too.
            let key = decode(raw_key)?;
            match &*key {
                "sslmode" => {
                    mode = Some(match &*decode(raw_value)? {
                        "disable" => SslMode::Disable,
                        // libpq's `allow` tries plain first; tokio-postgres has no such mode and
                        // `prefer` is the stricter neighbour.
                        "allow" | "prefer" => SslMode::Prefer,
                        "require" => SslMode::Require,
                        "verify-ca" => SslMode::VerifyCa,
                        "verify-full" => SslMode::VerifyFull,
                        other => return Err(format!("unknown sslmode `{other}`")),
                    });
                }
                "sslrootcert" => root_file = Some(decode(raw_value)?.into_owned()),
                _ => kept.push(pair.to_owned()),
            }
        }
        let system = root_file.as_deref() == Some("system");
        let mode = match (mode, &root_file) {
            // libpq (16+): `sslrootcert=system` defaults to verify-full and forbids weaker modes.
            (None, _) if system => SslMode::VerifyFull,
            (Some(m), _) if system && m != SslMode::VerifyFull => {
                return Err("sslrootcert=system requires sslmode=verify-full".into());
            }
            // libpq: `require` with a root certificate behaves like `verify-ca`.
            (Some(SslMode::Require), Some(_)) => SslMode::VerifyCa,
            (Some(m), _) => m,
            (None, _) => SslMode::Prefer,
        };
        let roots = match root_file {
            Some(path) if !system => RootCerts::File(PathBuf::from(path)),
            _ => RootCerts::WebPki,
        };
        kept.push(
            match mode {
                SslMode::Disable => "sslmode=disable",
                SslMode::Prefer => "sslmode=prefer",
                SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => "sslmode=require",
            }
            .to_owned(),
        );
        Ok(PgUrl { driver_url: format!("{base}?{}", kept.join("&")), mode, roots })
    }
}

fn decode(s: &str) -> Result<std::borrow::Cow<'_, str>, String> {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .map_err(|_| "the URL has a parameter that is not valid UTF-8".to_owned())
}

// ---------------------------------------------------------------------------------------------
// rustls configuration (ring, explicitly: no process-wide provider needed)
// ---------------------------------------------------------------------------------------------

/// The rustls client configuration for `mode`.
pub fn client_config(mode: SslMode, roots: &RootCerts) -> Result<ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier: Arc<dyn ServerCertVerifier> = match mode {
        SslMode::Disable | SslMode::Prefer | SslMode::Require => {
            Arc::new(NoCertificateCheck(provider.clone()))
        }
        SslMode::VerifyCa | SslMode::VerifyFull => {
            let store = Arc::new(load_roots(roots)?);
            let webpki = WebPkiServerVerifier::builder_with_provider(store, provider.clone())
                .build()
                .map_err(|e| format!("cannot build the certificate verifier: {e}"))?;
            if mode == SslMode::VerifyFull { webpki } else { Arc::new(SkipHostName(webpki)) }
        }
    };
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    // What libpq 17 sends; needed for sslnegotiation=direct, ignored by older servers.
    config.alpn_protocols = vec![b"postgresql".to_vec()];
    Ok(config)
}

fn load_roots(roots: &RootCerts) -> Result<RootCertStore, String> {
    match roots {
        RootCerts::WebPki => Ok(RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() }),
        RootCerts::File(path) => {
            let shown = path.display();
            let mut store = RootCertStore::empty();
            let certs = CertificateDer::pem_file_iter(path)
                .map_err(|e| format!("cannot read sslrootcert {shown}: {e}"))?;
            for cert in certs {
                let cert = cert.map_err(|e| format!("bad PEM in sslrootcert {shown}: {e}"))?;
                store.add(cert).map_err(|e| format!("bad certificate in sslrootcert {shown}: {e}"))?;
            }
            if store.is_empty() {
                return Err(format!("sslrootcert {shown} holds no certificate"));
            }
            Ok(store)
        }
    }
}

/// `prefer` / `require`: accept any certificate. The handshake signatures are still checked
/// (proves the server holds the key of the certificate it sent; cheap).
#[derive(Debug)]
struct NoCertificateCheck(Arc<CryptoProvider>);

impl ServerCertVerifier for NoCertificateCheck {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// `verify-ca`: the full webpki check, but a name mismatch is accepted. In rustls 0.23.46
/// `WebPkiServerVerifier::verify_server_cert` checks the chain (and expiry, revocation) first
/// and the name last, so a name error means everything else passed.
#[derive(Debug)]
struct SkipHostName(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for SkipHostName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self.0.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

// ---------------------------------------------------------------------------------------------
// tokio-postgres glue: MakeTlsConnect over tokio-rustls
// ---------------------------------------------------------------------------------------------

/// A `tokio_postgres::tls::MakeTlsConnect` over rustls. Cheap to clone.
#[derive(Clone)]
pub struct MakeRustlsConnect {
    config: Arc<ClientConfig>,
}

impl MakeRustlsConnect {
    /// A connector with this configuration.
    pub fn new(config: ClientConfig) -> Self {
        Self { config: Arc::new(config) }
    }
}

impl<S> MakeTlsConnect<S> for MakeRustlsConnect
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = RustlsStream<S>;
    type TlsConnect = RustlsConnect;
    type Error = io::Error;

    // Called for every host, including Unix sockets (with ""), before tokio-postgres knows
    // whether TLS will be used, so it must not fail; the name is checked in `connect`.
    fn make_tls_connect(&mut self, hostname: &str) -> io::Result<RustlsConnect> {
        Ok(RustlsConnect {
            hostname: hostname.to_owned(),
            connector: tokio_rustls::TlsConnector::from(Arc::clone(&self.config)),
        })
    }
}

/// One pending TLS handshake.
pub struct RustlsConnect {
    hostname: String,
    connector: tokio_rustls::TlsConnector,
}

impl<S> TlsConnect<S> for RustlsConnect
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = RustlsStream<S>;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<RustlsStream<S>>> + Send>>;

    fn connect(self, stream: S) -> Self::Future {
        Box::pin(async move {
            // "127.0.0.1" / "::1" become ServerName::IpAddress (checked against IP SANs, no SNI).
            let name = ServerName::try_from(self.hostname)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
            let stream = self.connector.connect(name, stream).await?;
            Ok(RustlsStream { inner: stream })
        })
    }
}

/// A TLS session to the server.
pub struct RustlsStream<S> {
    inner: tokio_rustls::client::TlsStream<S>,
}

// No SCRAM channel binding (`channel_binding=require` fails loudly): with `verify-full`
// the certificate check already binds the session to the server.
impl<S: AsyncRead + AsyncWrite + Unpin> tokio_postgres::tls::TlsStream for RustlsStream<S> {
    fn channel_binding(&self) -> ChannelBinding {
        ChannelBinding::none()
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for RustlsStream<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for RustlsStream<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

// ---------------------------------------------------------------------------------------------
// diesel-async glue
// ---------------------------------------------------------------------------------------------

/// Everything needed to open a connection; built once per URL (the CA file is read once).
#[derive(Clone)]
pub struct PgConnector {
    config: tokio_postgres::Config,
    tls: Option<MakeRustlsConnect>,
    mode: SslMode,
}

impl PgConnector {
    /// Parses the URL and prepares the TLS configuration.
    pub fn new(url: &str) -> Result<Self, String> {
        let url = PgUrl::parse(url)?;
        let mut config: tokio_postgres::Config =
            url.driver_url.parse().map_err(|e| format!("invalid DATABASE_URL: {}", chain(&e)))?;
        // A peer that vanished without closing (a NAT forgot the connection, a host died)
        // is noticed within half a minute instead of the kernel's two hours, unless the URL
        // says otherwise.
        if !url.driver_url.contains("keepalives") {
            config
                .keepalives_idle(std::time::Duration::from_secs(10))
                .keepalives_interval(std::time::Duration::from_secs(5))
                .keepalives_retries(3);
        }
        // libpq ignores sslmode on Unix sockets; tokio-postgres would send SSLRequest there and
        // fail `require` ("server does not support TLS").
        #[cfg(unix)]
        {
            use tokio_postgres::config::Host;
            let hosts = config.get_hosts();
            if !hosts.is_empty() && hosts.iter().all(|h| matches!(h, Host::Unix(_))) {
                config.ssl_mode(tokio_postgres::config::SslMode::Disable);
            }
        }
        let tls = match url.mode {
            SslMode::Disable => None,
            mode => Some(MakeRustlsConnect::new(client_config(mode, &url.roots)?)),
        };
        Ok(Self { config, tls, mode: url.mode })
    }

    /// The effective mode.
    pub fn mode(&self) -> SslMode {
        self.mode
    }

    /// Opens a connection. `try_from_client_and_connection` spawns the connection task itself
    /// (with `tokio::spawn`, so a Tokio runtime must be current) and wires up
    /// `notifications_stream`; do not spawn or poll `connection` yourself.
    pub async fn connect(&self) -> ConnectionResult<AsyncPgConnection> {
        let bad = |e: tokio_postgres::Error| {
            let mut text = chain(&e);
            if text.contains("certificate") {
                text.push_str(
                    " (the server's certificate was refused: check sslrootcert, or the host name for verify-full)",
                );
            }
            ConnectionError::BadConnection(text)
        };
        match &self.tls {
            None => {
                let (client, connection) = self.config.connect(tokio_postgres::NoTls).await.map_err(bad)?;
                AsyncPgConnection::try_from_client_and_connection(client, connection).await
            }
            Some(tls) => {
                let (client, connection) = self.config.connect(tls.clone()).await.map_err(bad)?;
                AsyncPgConnection::try_from_client_and_connection(client, connection).await
            }
        }
    }
}

// tokio-postgres' `Display` omits the cause ("error performing TLS handshake"): add it.
use roster_core::error::cause_chain as chain;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_url() {
        let u = PgUrl::parse(
            "postgres://u:p@h:5/db?sslmode=verify-full&sslrootcert=%2Ftmp%2Fca.pem&application_name=x",
        )
        .expect("parses");
        assert_eq!(u.mode, SslMode::VerifyFull);
        assert_eq!(u.roots, RootCerts::File("/tmp/ca.pem".into()));
        assert_eq!(u.driver_url, "postgres://u:p@h:5/db?application_name=x&sslmode=require");
        assert!(u.driver_url.parse::<tokio_postgres::Config>().is_ok());

        let u = PgUrl::parse("postgres://h/db").expect("parses");
        assert_eq!((u.mode, u.driver_url.as_str()), (SslMode::Prefer, "postgres://h/db?sslmode=prefer"));
        let u = PgUrl::parse("postgres://h/db?sslmode=require&sslrootcert=ca.pem").expect("parses");
        assert_eq!(u.mode, SslMode::VerifyCa);
        let u = PgUrl::parse("postgres://h/db?sslrootcert=system").expect("parses");
        assert_eq!((u.mode, u.roots), (SslMode::VerifyFull, RootCerts::WebPki));
        assert!(PgUrl::parse("postgres://h/db?sslrootcert=system&sslmode=require").is_err());
        assert!(PgUrl::parse("postgres://h/db?sslmode=bogus").is_err());
        // tokio-postgres itself rejects these:
        assert!("postgres://h/db?sslmode=verify-full".parse::<tokio_postgres::Config>().is_err());
        assert!("postgres://h/db?sslrootcert=x".parse::<tokio_postgres::Config>().is_err());
    }
}
