//! The SMTP client that carries mail, or a log line in its place.

use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport as _, Tokio1Executor};

use crate::message::Message;

/// Where mail goes.
#[derive(Clone)]
pub enum Mailer {
    /// A real SMTP server, through lettre.
    Smtp {
        /// The transport, with its connection pool.
        transport: AsyncSmtpTransport<Tokio1Executor>,
        /// The From address.
        from: Mailbox,
    },
    /// No `SMTP_URL`: each mail's link is logged at info level, so local use works.
    Log,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Mailer::Smtp { .. } => "Mailer::Smtp",
            Mailer::Log => "Mailer::Log",
        })
    }
}

/// A mailer that cannot be built from its settings.
#[derive(Debug, thiserror::Error)]
pub enum MailerError {
    /// `SMTP_URL` is not in lettre's format.
    #[error("SMTP_URL is not a valid smtp:// or smtps:// URL: {0}")]
    Url(String),
    /// The From address does not parse.
    #[error("the mail From address is not valid: {0}")]
    From(String),
}

/// Why one message could not be delivered.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct SendError {
    /// What the server (or the client) said.
    pub message: String,
    /// Whether trying again cannot help: a 5xx answer, or an address that does not parse.
    pub permanent: bool,
}

impl SendError {
    fn permanent(message: impl ToString) -> SendError {
        SendError { message: message.to_string(), permanent: true }
    }
}

impl From<lettre::transport::smtp::Error> for SendError {
    fn from(e: lettre::transport::smtp::Error) -> SendError {
        SendError { message: e.to_string(), permanent: e.is_permanent() }
    }
}

impl Mailer {
    /// An SMTP mailer for `smtp_url`, or the logging one when it is `None`. A conversation
    /// with the server is cut off after `timeout`.
    pub fn new(smtp_url: Option<&str>, from: &str, timeout: Duration) -> Result<Mailer, MailerError> {
        let Some(url) = smtp_url else {
            return Ok(Mailer::Log);
        };
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| MailerError::Url(e.to_string()))?
            .timeout(Some(timeout))
            .build();
        let from =
            from.parse().map_err(|e: lettre::address::AddressError| MailerError::From(e.to_string()))?;
        Ok(Mailer::Smtp { transport, from })
    }

    /// Sends one message, with a fresh `Message-ID` on the From address's domain.
    pub async fn send(&self, message: &Message) -> Result<(), SendError> {
        match self {
            Mailer::Log => {
                // Asked for explicitly: without SMTP, the log is how a local user gets the link.
                tracing::info!(link = %message.link, "email (SMTP_URL is unset, so its link is logged instead)");
                Ok(())
            }
            Mailer::Smtp { transport, from } => {
                let to: Mailbox = message.to.parse().map_err(SendError::permanent)?;
                let email = lettre::Message::builder()
                    .from(from.clone())
                    .to(to)
                    .subject(&message.subject)
                    .message_id(Some(message_id(from)))
                    .multipart(MultiPart::alternative_plain_html(message.text.clone(), message.html.clone()))
                    .map_err(SendError::permanent)?;
                transport.send(email).await.map(|_| ()).map_err(SendError::from)
            }
        }
    }
}

/// `<unique@domain>`, on the sender's own domain as RFC 5322 recommends.
fn message_id(from: &Mailbox) -> String {
    format!("<{}@{}>", roster_core::id::unique(), from.email.domain())
}
