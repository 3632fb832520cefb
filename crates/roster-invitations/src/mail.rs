//! The invitation email, and the SMTP client that carries it.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport as _, Message, Tokio1Executor};

/// Where mail goes.
#[derive(Clone)]
pub enum Mailer {
    /// A real SMTP server, through lettre.
    Smtp {
        /// The transport, with its connection pool.
        transport: AsyncSmtpTransport<Tokio1Executor>,
        /// The From address.
        from: lettre::message::Mailbox,
    },
    /// No `SMTP_URL`: the invitation link is logged at info level, so local use works.
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

/// An invitation to send.
#[derive(Debug)]
pub struct Invitation<'a> {
    /// The invitee's address.
    pub to: &'a str,
    /// "Acme" or "Acme / Design".
    pub scope_name: &'a str,
    /// Who invited, as shown to the invitee.
    pub inviter: Option<&'a str>,
    /// The accept link, with the token.
    pub link: &'a str,
    /// Days until the link expires.
    pub valid_days: u64,
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

    /// Sends one invitation.
    pub async fn send(&self, invitation: &Invitation<'_>) -> Result<(), SendError> {
        match self {
            Mailer::Log => {
                // Asked for explicitly: without SMTP, the log is how a local user gets the link.
                tracing::info!(
                    link = invitation.link,
                    "invitation email (SMTP_URL is unset, so it is logged instead)"
                );
                Ok(())
            }
            Mailer::Smtp { transport, from } => {
                let to = invitation
                    .to
                    .parse()
                    .map_err(|e: lettre::address::AddressError| SendError::permanent(e))?;
                let message = Message::builder()
                    .from(from.clone())
                    .to(to)
                    .subject(format!("You are invited to join {}", invitation.scope_name))
                    .header(ContentType::TEXT_PLAIN)
                    .body(body(invitation))
                    .map_err(SendError::permanent)?;
                transport.send(message).await.map(|_| ()).map_err(SendError::from)
            }
        }
    }
}

/// The plain-text body.
pub fn body(invitation: &Invitation<'_>) -> String {
    let by = invitation
        .inviter
        .map(|name| format!("{name} has invited you"))
        .unwrap_or_else(|| "You have been invited".into());
    format!(
        "Hello,\n\n{by} to join {scope} on Roster.\n\nAccept the invitation here:\n{link}\n\n\
         The link works once and expires in {days} days. If you did not expect this email, you can ignore it.\n",
        scope = invitation.scope_name,
        link = invitation.link,
        days = invitation.valid_days,
    )
}
