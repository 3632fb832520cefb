//! The background sender: delivers queued mail of every kind, retrying with backoff.
//!
//! Every replica runs one. A row is claimed with a conditional update before it is sent, so
//! two replicas never send the same email; each claim has its own id and starts when it is
//! taken, an SMTP conversation is cut off at half a claim, and only the claim's holder records
//! the outcome, so a claim never lapses while its email is going out. The row's `Composer`
//! mints the token at send time.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use roster_db::{Db, DbError};
use tokio::sync::{Notify, watch};

use crate::compose::{ComposeError, Composers};
use crate::store::{self, OutboxRow, Outcome};
use crate::transport::Mailer;

/// How often the sender looks for due rows without being woken.
const POLL: Duration = Duration::from_secs(2);
/// The longest wait between two attempts.
const MAX_BACKOFF_SECS: i64 = 3600;
/// Attempts after a permanent refusal (a 5xx answer) before the email is dropped: a few, in
/// case the refusal was a misconfiguration fixed meanwhile.
const PERMANENT_ATTEMPTS: i32 = 3;
/// Attempts in all before the email is dropped (about a day, with the backoff).
const MAX_ATTEMPTS: i32 = 30;

/// The sender: what it sends with, and how it renders each kind.
#[derive(Clone)]
pub struct Sender {
    /// The database holding the outbox.
    pub db: Db,
    /// The transport.
    pub mailer: Mailer,
    /// How each kind of mail is rendered.
    pub composers: Composers,
    /// How long a claim lasts.
    pub claim: Duration,
    /// Woken after a commit that queued mail, so the sender goes at once.
    pub wake: Arc<Notify>,
}

impl Sender {
    /// Runs until `shutdown` turns true.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let stopping = async move {
            let _ = shutdown.wait_for(|stopping| *stopping).await;
        };
        tokio::pin!(stopping);
        loop {
            if let Err(e) = self.deliver_due().await {
                tracing::warn!(error = %e, "email outbox: delivery round failed; will retry");
            }
            tokio::select! {
                () = self.wake.notified() => {}
                () = tokio::time::sleep(POLL) => {}
                () = &mut stopping => return,
            }
        }
    }

    /// Delivers every email due now. Returns how many were sent.
    pub async fn deliver_due(&self) -> Result<usize, DbError> {
        let claim = TimeDelta::from_std(self.claim).unwrap_or(TimeDelta::seconds(120));
        let mut sent = 0;
        loop {
            let due = {
                let mut conn = self.db.get().await?;
                store::due(&mut conn.conn(), roster_db::now(), 20).await?
            };
            if due.is_empty() {
                return Ok(sent);
            }
            let mut progressed = false;
            for row in due {
                // Each claim runs from its own moment: a batch takes a while to send, and a
                // claim dated from the start of the batch could lapse while its email is still
                // going out, letting another replica send it too.
                let now = roster_db::now();
                let claim_id = roster_core::id::unique();
                let claimed = {
                    let mut conn = self.db.get().await?;
                    store::claim(&mut conn.conn(), &row.id, &claim_id, now, now + claim).await?
                };
                if claimed {
                    progressed = true;
                    if self.deliver(&row, &claim_id).await? {
                        sent += 1;
                    }
                }
            }
            if !progressed {
                return Ok(sent);
            }
        }
    }

    /// Composes and sends one claimed email.
    async fn deliver(&self, row: &OutboxRow, claim_id: &str) -> Result<bool, DbError> {
        let mut checkout = self.db.get().await?;
        let composed = match self.composers.get(&row.kind) {
            Some(composer) => composer.compose(&mut checkout.conn(), row).await,
            None => Ok(None),
        };
        let message = match composed {
            Ok(Some(message)) => message,
            Ok(None) => {
                let reason = "its subject is gone (cancelled, used or expired)";
                store::finish(&mut checkout.conn(), &row.id, claim_id, Outcome::Dropped { reason }).await?;
                return Ok(false);
            }
            Err(ComposeError::Query(e)) => return Err(e.into()),
            Err(e @ ComposeError::Render(_)) => {
                tracing::error!(email.id = %row.id, error = %e, "a mail template failed; the email is dropped");
                let reason = e.to_string();
                store::finish(&mut checkout.conn(), &row.id, claim_id, Outcome::Dropped { reason: &reason })
                    .await?;
                return Ok(false);
            }
        };
        // No connection is held while the SMTP server takes its time.
        checkout.release();
        let outcome = self.mailer.send(&message).await;
        let mut conn = self.db.get().await?;
        let mut conn = conn.conn();
        let attempt = row.attempts + 1;
        let (result, recorded) = match outcome {
            Ok(()) => {
                tracing::info!(email.id = %row.id, kind = %row.kind, "email sent");
                metrics::counter!("roster_mail_sent_total").increment(1);
                (true, store::finish(&mut conn, &row.id, claim_id, Outcome::Sent).await?)
            }
            Err(e) if attempt >= MAX_ATTEMPTS || (e.permanent && attempt >= PERMANENT_ATTEMPTS) => {
                metrics::counter!("roster_mail_failed_total", "outcome" => "dropped").increment(1);
                tracing::error!(email.id = %row.id, attempt, error = %e, "email failed for good; dropped");
                let reason = format!("gave up after {attempt} attempts: {e}");
                (
                    false,
                    store::finish(&mut conn, &row.id, claim_id, Outcome::Dropped { reason: &reason }).await?,
                )
            }
            Err(e) => {
                metrics::counter!("roster_mail_failed_total", "outcome" => "retry").increment(1);
                let wait = backoff(attempt);
                tracing::warn!(email.id = %row.id, attempt, retry_in_secs = wait.num_seconds(), error = %e, "email failed");
                let message = e.to_string();
                let retry = Outcome::Retry { at: roster_db::now() + wait, error: &message };
                (false, store::finish(&mut conn, &row.id, claim_id, retry).await?)
            }
        };
        if !recorded {
            // The claim lapsed and another sender holds the email now; its outcome stands.
            tracing::warn!(email.id = %row.id, "email outbox: the claim lapsed before the outcome was recorded");
        }
        Ok(result)
    }
}

/// 2, 4, 8, … seconds, at most an hour.
pub fn backoff(attempts: i32) -> TimeDelta {
    let exponent = u32::try_from(attempts.clamp(1, 12)).unwrap_or(12);
    TimeDelta::seconds((1i64 << exponent).min(MAX_BACKOFF_SECS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped_at_an_hour() {
        assert_eq!(backoff(1), TimeDelta::seconds(2));
        assert_eq!(backoff(3), TimeDelta::seconds(8));
        assert_eq!(backoff(40), TimeDelta::seconds(3600));
    }
}
