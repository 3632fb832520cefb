//! PostgreSQL over TLS: `sslmode` and `sslrootcert` on the pool and the LISTEN connection,
//! against a cluster of the test's own that accepts TLS connections only, with certificates
//! made here with openssl.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use roster_db::DatabaseUrl;
use roster_server::{Application, Settings};
use roster_tests::cluster::Cluster;

fn openssl(dir: &Path, args: &[&str]) {
    let output = Command::new("openssl").args(args).current_dir(dir).output().expect("openssl runs");
    assert!(output.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&output.stderr));
}

/// A CA, a second CA that signed nothing, and a server certificate from the first for
/// 127.0.0.1 and localhost, in `dir`.
fn make_certificates(dir: &Path) {
    for ca in ["ca", "other-ca"] {
        openssl(
            dir,
            &[
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-keyout",
                &format!("{ca}.key"),
                "-out",
                &format!("{ca}.crt"),
                "-days",
                "2",
                "-subj",
                &format!("/CN=Roster test {ca}"),
            ],
        );
    }
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=localhost",
        ],
    );
    std::fs::write(
        dir.join("server.ext"),
        "basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n",
    )
    .expect("written");
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.crt",
            "-days",
            "2",
            "-extfile",
            "server.ext",
        ],
    );
}

/// A cluster that refuses anything but TLS from 127.0.0.1.
fn tls_cluster() -> (Cluster, tempfile::TempDir) {
    let certs = tempfile::tempdir().expect("a folder");
    make_certificates(certs.path());
    let cluster = Cluster::start(
        |data| {
            for file in ["server.crt", "server.key"] {
                std::fs::copy(certs.path().join(file), data.join(file)).expect("copied");
            }
            std::fs::write(
                data.join("pg_hba.conf"),
                "local all all trust\nhostssl all all 127.0.0.1/32 trust\nhostnossl all all 127.0.0.1/32 reject\n",
            )
            .expect("written");
            let key = data.join("server.key");
            let _ = Command::new("chmod").arg("600").arg(&key).status();
        },
        "-c ssl=on -c ssl_cert_file=server.crt -c ssl_key_file=server.key",
    );
    (cluster, certs)
}

async fn start(url: String) -> Result<Application, String> {
    let url = DatabaseUrl::parse(&url).map_err(|e| e.to_string())?;
    Application::build(Settings::for_tests(url)).await.map_err(|e| e.to_string())
}

/// Whether every connection the app holds to the cluster is encrypted, the listener among
/// them; returns how many there are.
async fn encrypted_connections(url: &str) -> (i64, i64) {
    use roster_db::diesel::QueryableByName;
    use roster_db::diesel::sql_types::BigInt;
    use roster_db::diesel_async::RunQueryDsl as _;
    #[derive(QueryableByName)]
    struct Counts {
        #[diesel(sql_type = BigInt)]
        encrypted: i64,
        #[diesel(sql_type = BigInt)]
        plain: i64,
    }
    let connector = roster_db::tls::PgConnector::new(url).expect("a connector");
    let mut conn = connector.connect().await.expect("a connection");
    let counts: Vec<Counts> = roster_db::diesel::sql_query(
        "SELECT count(*) FILTER (WHERE s.ssl) AS encrypted, count(*) FILTER (WHERE NOT s.ssl) AS plain
         FROM pg_stat_activity a JOIN pg_stat_ssl s ON s.pid = a.pid
         WHERE a.client_addr IS NOT NULL AND a.pid <> pg_backend_pid()",
    )
    .load(&mut conn)
    .await
    .expect("the counts");
    <[Counts]>::first(&counts).map_or((0, 0), |c| (c.encrypted, c.plain))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roster_connects_over_tls_and_verifies_the_server_when_asked() {
    let (cluster, certs) = tls_cluster();
    let ca = certs.path().join("ca.crt");
    let other = certs.path().join("other-ca.crt");

    // require: encrypted, the certificate is not checked. The pool and the listener both
    // connect (the hub's listener shows up in pg_stat_activity within moments).
    let app = start(cluster.url("?sslmode=require")).await.expect("require connects");
    let _pooled = app.db().get().await.expect("a pooled connection");
    let mut listening = false;
    for _ in 0..50 {
        let (encrypted, plain) = encrypted_connections(&cluster.url("?sslmode=require")).await;
        assert_eq!(plain, 0, "nothing in plain text");
        if encrypted >= 2 {
            listening = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(listening, "the pool and the listener are both encrypted");
    drop(app);

    // The default (prefer) uses TLS when offered; this server offers nothing else.
    start(cluster.url("")).await.expect("the default connects over TLS");
    let refused = start(cluster.url("?sslmode=disable")).await.err().unwrap_or_default();
    assert!(refused.contains("no pg_hba.conf entry") || refused.contains("rejects"), "{refused}");

    // verify-full with the right CA, by IP and by name.
    let query = format!("?sslmode=verify-full&sslrootcert={}", ca.display());
    start(cluster.url(&query)).await.expect("verify-full with the CA connects");
    let by_name = format!("postgres://postgres@localhost:{}/postgres{query}", cluster.port);
    start(by_name).await.expect("verify-full by host name connects");

    // verify-full with a CA that did not sign the server's certificate: startup fails, and
    // says why.
    let wrong = format!("?sslmode=verify-full&sslrootcert={}", other.display());
    let error = start(cluster.url(&wrong)).await.err().expect("refused");
    assert!(error.contains("certificate") && error.contains("sslrootcert"), "{error}");
    let missing = start(cluster.url("?sslmode=verify-full&sslrootcert=/nonexistent/ca.crt")).await.err();
    assert!(missing.is_some_and(|e| e.contains("/nonexistent/ca.crt")));
}
