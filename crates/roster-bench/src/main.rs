#![doc = include_str!("../README.md")]

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;
use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::http::HeaderValue;

/// What each subscriber selects: the whole event, as a member list screen would.
const EVENT_FIELDS: &str = "cursor kind userId occurredAt member { status role invitedAt joinedAt user { id email displayName } invitedBy { id } availableActions }";

/// Benchmarks live member-list delivery against real roster processes.
#[derive(Debug, Parser)]
struct Args {
    /// Websocket subscribers to open.
    #[arg(long, default_value_t = 1000)]
    subscribers: usize,
    /// Invitations to send (each is one event delivered to every subscriber).
    #[arg(long, default_value_t = 50)]
    mutations: usize,
    /// Pause between invitations, in milliseconds (0: as fast as the server takes them).
    #[arg(long, default_value_t = 20)]
    pause_ms: u64,
    /// Server processes (replicas) to start; subscribers are spread over them. Two need PostgreSQL.
    #[arg(long, default_value_t = 1)]
    replicas: usize,
    /// The database: sqlite://PATH (default: a fresh temporary file) or postgres://….
    #[arg(long)]
    database_url: Option<String>,
    /// The roster binary to start.
    #[arg(long, default_value = "target/release/roster")]
    server: String,
    /// Subscriptions each websocket opens to the list (0: sockets that only initialise, to
    /// tell what a socket costs from what a subscription costs).
    #[arg(long, default_value_t = 1)]
    subscriptions_per_socket: usize,
    /// Websocket handshakes (connect, init, subscribe) in flight at once while connecting.
    #[arg(long, default_value_t = 64)]
    connect_concurrency: usize,
    /// First port to listen on (replicas use the following ones).
    #[arg(long, default_value_t = 18100)]
    port: u16,
    /// Instead of subscribers: this many clients invite and cancel as fast as the server
    /// takes them, for `--seconds`, and the mutations' throughput and latency are reported.
    /// Each invite and each cancel is one member-list event (one NOTIFY on PostgreSQL).
    #[arg(long, default_value_t = 0)]
    writers: usize,
    /// How long the writers run, in seconds.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Organizations the writers spread over (writer i writes to organization i mod N).
    /// Changes to one list take turns on its row lock; across lists only the database's
    /// commit rate (and NOTIFY's commit lock) binds.
    #[arg(long, default_value_t = 1)]
    organizations: usize,
}

struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap_or_default();
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = Args::parse();
    let dir = std::env::temp_dir().join(format!("roster-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let database_url =
        args.database_url.clone().unwrap_or_else(|| format!("sqlite://{}/bench.db", dir.display()));
    if args.replicas > 1 && !database_url.starts_with("postgres") {
        return Err("several replicas need a shared PostgreSQL database (--database-url postgres://…)".into());
    }

    let mut servers = Vec::new();
    for i in 0..args.replicas.max(1) {
        let port = args.port + u16::try_from(i)?;
        let child = Command::new(&args.server)
            .arg("serve")
            .env("DATABASE_URL", &database_url)
            .env("ROSTER_LISTEN", format!("127.0.0.1:{port}"))
            .env("ROSTER_DB_POOL_SIZE", "16")
            // The writers send far more invitations than a real organization would.
            .env("ROSTER_INVITES_PER_DAY", "0")
            .env("ROSTER_INVITES_PER_INVITER_PER_DAY", "0")
            .env("ROSTER_UNVERIFIED_INVITES_PER_DAY", "0")
            .env("ROSTER_SIGNUPS_PER_HOUR", "0")
            .env("ROSTER_ORG_CREATIONS_PER_DAY", "0")
            // Replicas on one host would share the default metrics port.
            .env("ROSTER_METRICS_LISTEN", "off")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()?;
        servers.push(Server { child, url: format!("127.0.0.1:{port}") });
    }
    let http = reqwest::Client::new();
    for server in &servers {
        wait_until_up(&http, &server.url).await?;
    }

    let first = &servers[0].url;
    let signed_up = graphql(&http, first, None, "mutation { signUp(email: \"bench@example.com\", password: \"bench-password\") { ... on SignUpSuccess { token } } }").await?;
    let token = signed_up["data"]["signUp"]["token"].as_str().ok_or("sign-up failed")?.to_owned();
    let created = graphql(&http, first, Some(&token), "mutation { createOrganization(name: \"Bench\") { ... on CreateOrganizationSuccess { organization { id } } } }").await?;
    let org = created["data"]["createOrganization"]["organization"]["id"]
        .as_str()
        .ok_or("no organization")?
        .to_owned();

    if args.writers > 0 {
        let mut orgs = vec![org.clone()];
        for i in 1..args.organizations.max(1) {
            let created = graphql(&http, first, Some(&token), &format!("mutation {{ createOrganization(name: \"Bench {i}\") {{ ... on CreateOrganizationSuccess {{ organization {{ id }} }} }} }}")).await?;
            orgs.push(
                created["data"]["createOrganization"]["organization"]["id"]
                    .as_str()
                    .ok_or("no organization")?
                    .to_owned(),
            );
        }
        return write_load(&http, first, &token, &orgs, args.writers, Duration::from_secs(args.seconds))
            .await;
    }

    tokio::time::sleep(Duration::from_millis(500)).await;
    let rss_before: Vec<u64> = servers.iter().map(Server::rss_kib).collect();

    // Open the subscribers, spread over the replicas.
    let (tx, mut rx) = mpsc::unbounded_channel::<f64>();
    let ready = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    // At most this many handshakes at once, as a fleet of real clients would arrive.
    let handshakes = Arc::new(tokio::sync::Semaphore::new(args.connect_concurrency.max(1)));
    for i in 0..args.subscribers {
        let url = servers[i % servers.len()].url.clone();
        let (token, org, tx, ready) = (token.clone(), org.clone(), tx.clone(), ready.clone());
        let permit = handshakes.clone().acquire_owned().await?;
        let per_socket = args.subscriptions_per_socket;
        tasks.push(tokio::spawn(async move {
            if let Err(e) = subscribe(&url, &token, &org, per_socket, tx, ready, permit).await {
                eprintln!("subscriber {i}: {e}");
            }
        }));
    }
    while ready.load(Ordering::Relaxed) < args.subscribers {
        if started.elapsed() > Duration::from_secs(120) {
            return Err(format!(
                "only {} of {} subscribers connected",
                ready.load(Ordering::Relaxed),
                args.subscribers
            )
            .into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let connect_secs = started.elapsed().as_secs_f64();
    // graphql-transport-ws has no "subscribed" message: give the servers a moment.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let rss_connected: Vec<u64> = servers.iter().map(Server::rss_kib).collect();

    // Drive the mutations through the first replica.
    let expected = args.subscribers * args.mutations * args.subscriptions_per_socket;
    let driving = Instant::now();
    for i in 0..args.mutations {
        let query = format!(
            "mutation {{ inviteUser(scope: {{organizationId: \"{org}\"}}, email: \"user{i}@bench.example\") {{ __typename }} }}"
        );
        let answer = graphql(&http, first, Some(&token), &query).await?;
        if answer["data"]["inviteUser"]["__typename"] != "InviteUserSuccess" {
            return Err(format!("invite failed: {answer}").into());
        }
        if args.pause_ms > 0 {
            tokio::time::sleep(Duration::from_millis(args.pause_ms)).await;
        }
    }
    let mut latencies = Vec::with_capacity(expected);
    let deadline = Instant::now() + Duration::from_secs(60);
    while latencies.len() < expected {
        match tokio::time::timeout_at(deadline.into(), rx.recv()).await {
            Ok(Some(ms)) => latencies.push(ms),
            _ => break,
        }
    }
    let elapsed = driving.elapsed().as_secs_f64();
    let rss_after: Vec<u64> = servers.iter().map(Server::rss_kib).collect();

    latencies.sort_by(f64::total_cmp);
    let pick = |q: f64| {
        latencies.get(((latencies.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(f64::NAN)
    };
    let grown: u64 = rss_after.iter().zip(&rss_before).map(|(a, b)| a.saturating_sub(*b)).sum();
    let grown_connected: u64 = rss_connected.iter().zip(&rss_before).map(|(a, b)| a.saturating_sub(*b)).sum();
    println!(
        "backend:               {}",
        if database_url.starts_with("postgres") { "postgres" } else { "sqlite" }
    );
    println!("replicas:              {}", servers.len());
    println!("subscribers:           {} (connected in {connect_secs:.1} s)", args.subscribers);
    println!("subscriptions/socket:  {}", args.subscriptions_per_socket);
    println!("mutations:             {}", args.mutations);
    println!("deliveries:            {} of {expected}", latencies.len());
    println!("latency p50:           {:.1} ms", pick(0.50));
    println!("latency p99:           {:.1} ms", pick(0.99));
    println!("latency max:           {:.1} ms", pick(1.0));
    println!("deliveries per second: {:.0}", latencies.len() as f64 / elapsed);
    println!("server RSS before:     {} KiB", rss_before.iter().sum::<u64>());
    println!(
        "server RSS connected:  {} KiB ({:.1} KiB per subscriber)",
        rss_connected.iter().sum::<u64>(),
        grown_connected as f64 / args.subscribers as f64
    );
    println!(
        "server RSS after:      {} KiB ({:.1} KiB per subscriber)",
        rss_after.iter().sum::<u64>(),
        grown as f64 / args.subscribers as f64
    );
    for task in tasks {
        task.abort();
    }
    let _ = std::fs::remove_dir_all(&dir);
    if latencies.len() < expected {
        return Err("some deliveries never arrived".into());
    }
    Ok(())
}

/// `writers` clients, each inviting a new address and cancelling the invitation, over and
/// over, for `length`; prints each mutation's throughput and latency.
async fn write_load(
    http: &reqwest::Client,
    url: &str,
    token: &str,
    orgs: &[String],
    writers: usize,
    length: Duration,
) -> Result<(), Box<dyn std::error::Error>> {
    let started = Instant::now();
    let deadline = started + length;
    let mut tasks = Vec::new();
    for writer in 0..writers {
        let org = orgs[writer % orgs.len()].clone();
        let (http, url, token) = (http.clone(), url.to_owned(), token.to_owned());
        tasks.push(tokio::spawn(async move {
            let (mut invites, mut cancels) = (Vec::new(), Vec::new());
            let mut i = 0;
            while Instant::now() < deadline {
                let email = format!("w{writer}-{i}@bench.example");
                let invite = format!(
                    "mutation {{ inviteUser(scope: {{organizationId: \"{org}\"}}, email: \"{email}\") {{ __typename ... on InviteUserSuccess {{ member {{ user {{ id }} }} }} }} }}"
                );
                let sent = Instant::now();
                let answer = graphql(&http, &url, Some(&token), &invite).await.map_err(|e| e.to_string())?;
                invites.push(sent.elapsed().as_secs_f64() * 1000.0);
                let user = answer["data"]["inviteUser"]["member"]["user"]["id"]
                    .as_str()
                    .ok_or_else(|| format!("invite failed: {answer}"))?
                    .to_owned();
                let cancel = format!(
                    "mutation {{ cancelInvitation(scope: {{organizationId: \"{org}\"}}, userId: \"{user}\") {{ __typename }} }}"
                );
                let sent = Instant::now();
                let answer = graphql(&http, &url, Some(&token), &cancel).await.map_err(|e| e.to_string())?;
                cancels.push(sent.elapsed().as_secs_f64() * 1000.0);
                if answer["data"]["cancelInvitation"]["__typename"] != "CancelInvitationSuccess" {
                    return Err(format!("cancel failed: {answer}"));
                }
                i += 1;
            }
            Ok::<_, String>((invites, cancels))
        }));
    }
    let (mut invites, mut cancels) = (Vec::new(), Vec::new());
    for task in tasks {
        let (i, c) = task.await??;
        invites.extend(i);
        cancels.extend(c);
    }
    let elapsed = started.elapsed().as_secs_f64();
    for (name, latencies) in [("inviteUser", &mut invites), ("cancelInvitation", &mut cancels)] {
        latencies.sort_by(f64::total_cmp);
        let pick = |q: f64| {
            latencies.get(((latencies.len() as f64 - 1.0) * q).round() as usize).copied().unwrap_or(f64::NAN)
        };
        println!(
            "{name:<17} {:>7} in {elapsed:.1} s = {:>6.0}/s   p50 {:>6.1} ms   p99 {:>6.1} ms",
            latencies.len(),
            latencies.len() as f64 / elapsed,
            pick(0.50),
            pick(0.99)
        );
    }
    println!(
        "member-list events (one NOTIFY each on PostgreSQL): {:.0}/s with {writers} writers over {} organizations",
        (invites.len() + cancels.len()) as f64 / elapsed,
        orgs.len()
    );
    Ok(())
}

async fn wait_until_up(http: &reqwest::Client, url: &str) -> Result<(), Box<dyn std::error::Error>> {
    for _ in 0..200 {
        if http.get(format!("http://{url}/readyz")).send().await.is_ok_and(|r| r.status().is_success()) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err(format!("the server at {url} did not come up").into())
}

async fn graphql(
    http: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    query: &str,
) -> Result<Value, Box<dyn std::error::Error>> {
    let mut request = http.post(format!("http://{url}/graphql")).header("content-type", "application/json");
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    Ok(request.body(json!({ "query": query }).to_string()).send().await?.json().await?)
}

async fn subscribe(
    url: &str,
    token: &str,
    org: &str,
    per_socket: usize,
    latencies: mpsc::UnboundedSender<f64>,
    ready: Arc<AtomicUsize>,
    handshake: tokio::sync::OwnedSemaphorePermit,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let mut handshake = Some(handshake);
    let mut request = format!("ws://{url}/graphql").into_client_request()?;
    request.headers_mut().insert("sec-websocket-protocol", HeaderValue::from_static("graphql-transport-ws"));
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await?;
    let init =
        json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } });
    socket.send(Message::Text(init.to_string().into())).await?;
    let query = format!(
        "subscription {{ memberListChanged(scope: {{organizationId: \"{org}\"}}) {{ {EVENT_FIELDS} }} }}"
    );
    let mut counted = false;
    while let Some(message) = socket.next().await {
        let Message::Text(text) = message? else { continue };
        let value: Value = serde_json::from_str(&text)?;
        match value["type"].as_str() {
            Some("connection_ack") => {
                for id in 1..=per_socket {
                    let subscribe =
                        json!({ "type": "subscribe", "id": id.to_string(), "payload": { "query": query } });
                    socket.send(Message::Text(subscribe.to_string().into())).await?;
                }
                if !counted {
                    counted = true;
                    // The server does its subscription work after this message; let it
                    // finish before the next client starts its handshake.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    ready.fetch_add(1, Ordering::Relaxed);
                    handshake.take();
                }
            }
            Some("next") => {
                let at =
                    value["payload"]["data"]["memberListChanged"]["occurredAt"].as_str().unwrap_or_default();
                if let Ok(at) = chrono::DateTime::parse_from_rfc3339(at) {
                    let ms = (chrono::Utc::now() - at.with_timezone(&chrono::Utc))
                        .num_microseconds()
                        .unwrap_or(0) as f64
                        / 1000.0;
                    let _ = latencies.send(ms);
                }
            }
            Some("ping") => socket.send(Message::Text(json!({ "type": "pong" }).to_string().into())).await?,
            Some("error" | "complete") => return Err(format!("subscription ended: {text}").into()),
            _ => {}
        }
    }
    Ok(())
}
