//! A capture SMTP server: speaks just enough SMTP for lettre, keeps every message, and can be
//! told to refuse mail (an outage) with a temporary error.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

/// One delivered message.
#[derive(Debug, Clone)]
pub struct Captured {
    /// The RCPT TO addresses.
    pub to: Vec<String>,
    /// The message as sent (headers and body).
    pub data: String,
}

impl Captured {
    /// The message with quoted-printable soft breaks and `=` escapes undone: enough to find
    /// links and words in it.
    pub fn text(&self) -> String {
        self.data.replace("=\r\n", "").replace("=3D", "=")
    }

    /// The token in the message's (first) link.
    pub fn token(&self) -> Option<String> {
        let text = self.text();
        let start = text.find("token=")? + "token=".len();
        let token: String = text[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        (!token.is_empty()).then_some(token)
    }
}

/// The capture server.
#[derive(Clone)]
pub struct SmtpCapture {
    /// Where it listens.
    pub addr: SocketAddr,
    messages: Arc<Mutex<Vec<Captured>>>,
    failing: Arc<AtomicBool>,
    refusing: Arc<AtomicBool>,
    refused: Arc<AtomicUsize>,
    failed: Arc<AtomicUsize>,
    delay_ms: Arc<AtomicU64>,
    arrived: Arc<Notify>,
}

impl SmtpCapture {
    /// Starts a capture server on a free loopback port.
    pub async fn start() -> SmtpCapture {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a port for SMTP");
        let capture = SmtpCapture {
            addr: listener.local_addr().expect("an address"),
            messages: Arc::default(),
            failing: Arc::default(),
            refusing: Arc::default(),
            refused: Arc::default(),
            failed: Arc::default(),
            delay_ms: Arc::default(),
            arrived: Arc::default(),
        };
        let server = capture.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let server = server.clone();
                tokio::spawn(async move {
                    let _ = server.session(stream).await;
                });
            }
        });
        capture
    }

    /// `smtp://ADDR` for lettre (plain SMTP, no TLS).
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// Makes the server refuse (true) or accept (false) mail.
    pub fn set_failing(&self, failing: bool) {
        self.failing.store(failing, Ordering::SeqCst);
    }

    /// How many mails were turned away for now (451) while failing, so far.
    pub fn failed(&self) -> usize {
        self.failed.load(Ordering::SeqCst)
    }

    /// Waits until at least `count` mails were turned away while failing: the sender has
    /// tried them and will not send them before its next attempt.
    pub async fn wait_for_failures(&self, count: usize) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while self.failed() < count {
            assert!(tokio::time::Instant::now() < deadline, "no attempt to send reached the capture server");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Makes the server refuse every recipient for good (550), or stop doing so.
    pub fn set_refusing(&self, refusing: bool) {
        self.refusing.store(refusing, Ordering::SeqCst);
    }

    /// How many recipients were refused for good so far.
    pub fn refused(&self) -> usize {
        self.refused.load(Ordering::SeqCst)
    }

    /// Makes the server take this long to accept each message.
    pub fn set_delay(&self, delay: Duration) {
        self.delay_ms.store(u64::try_from(delay.as_millis()).unwrap_or(u64::MAX), Ordering::SeqCst);
    }

    /// Every message so far.
    pub fn messages(&self) -> Vec<Captured> {
        self.messages.lock().map(|m| m.clone()).unwrap_or_default()
    }

    /// Waits until `count` invitation emails to `recipient` have arrived (their link goes to
    /// the default accept page), and returns the last one.
    pub async fn wait_for_invitation(&self, recipient: &str, count: usize) -> Captured {
        self.wait_for_matching(recipient, "/console/accept?token=", count).await
    }

    /// Waits until `count` messages to `recipient` containing `needle` (in [`Captured::text`])
    /// have arrived, and returns the last one.
    pub async fn wait_for_matching(&self, recipient: &str, needle: &str, count: usize) -> Captured {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            let arrived = self.arrived.notified();
            let matching: Vec<Captured> = self
                .messages()
                .into_iter()
                .filter(|m| {
                    m.to.iter().any(|t| t.eq_ignore_ascii_case(recipient)) && m.text().contains(needle)
                })
                .collect();
            if matching.len() >= count {
                return matching.last().cloned().expect("a message");
            }
            if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                panic!(
                    "no email #{count} to {recipient} with {needle:?} within 15 s; got {:?}",
                    self.messages()
                );
            }
        }
    }

    /// Waits until `count` messages to `recipient` have arrived, and returns the last one.
    pub async fn wait_for(&self, recipient: &str, count: usize) -> Captured {
        self.wait_for_matching(recipient, "", count).await
    }

    async fn session(&self, stream: TcpStream) -> std::io::Result<()> {
        let (read, mut write) = stream.into_split();
        let mut lines = BufReader::new(read).lines();
        write.write_all(b"220 capture ESMTP\r\n").await?;
        let mut to = Vec::new();
        while let Some(line) = lines.next_line().await? {
            let upper = line.to_ascii_uppercase();
            let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                b"250 capture\r\n"
            } else if upper.starts_with("MAIL FROM") {
                to.clear();
                if self.failing.load(Ordering::SeqCst) {
                    self.failed.fetch_add(1, Ordering::SeqCst);
                    b"451 4.3.0 capture is failing on purpose\r\n"
                } else {
                    b"250 OK\r\n"
                }
            } else if upper.starts_with("RCPT TO") {
                if self.refusing.load(Ordering::SeqCst) {
                    self.refused.fetch_add(1, Ordering::SeqCst);
                    write.write_all(b"550 5.1.1 capture refuses this mailbox on purpose\r\n").await?;
                    continue;
                }
                let address =
                    line[8..].trim().trim_start_matches(':').trim().trim_matches(|c| c == '<' || c == '>');
                to.push(address.to_owned());
                b"250 OK\r\n"
            } else if upper.starts_with("DATA") {
                write.write_all(b"354 go ahead\r\n").await?;
                let mut data = String::new();
                while let Some(line) = lines.next_line().await? {
                    if line == "." {
                        break;
                    }
                    data.push_str(line.strip_prefix('.').unwrap_or(&line));
                    data.push_str("\r\n");
                }
                let delay = self.delay_ms.load(Ordering::SeqCst);
                if delay > 0 {
                    tokio::time::sleep(Duration::from_millis(delay)).await;
                }
                if let Ok(mut messages) = self.messages.lock() {
                    messages.push(Captured { to: std::mem::take(&mut to), data });
                }
                self.arrived.notify_waiters();
                b"250 OK queued\r\n"
            } else if upper.starts_with("QUIT") {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            } else {
                b"250 OK\r\n"
            };
            write.write_all(reply).await?;
        }
        Ok(())
    }
}
