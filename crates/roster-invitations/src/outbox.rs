//! The background sender: delivers queued invitation emails, retrying with backoff.
//!
//! Every replica runs one. A row is claimed with a conditional update before it is sent, so
//! two replicas never send the same email; a claim expires, so a replica that dies mid-send
//! does not strand the row. The token is minted here, at send time (see the crate docs).

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use roster_db::prelude::*;
use roster_db::{Db, DbError};
use roster_organizations::Scope;
use tokio::sync::{Notify, watch};

use crate::mail::{Invitation, Mailer};
use crate::settings::InvitationSettings;
use crate::store::{self, OutboxRow, Outcome, State};

/// How often the sender looks for due rows without being woken.
const POLL: Duration = Duration::from_secs(2);
/// The longest wait between two attempts.
const MAX_BACKOFF_SECS: i64 = 3600;
/// Attempts after a permanent refusal (a 5xx answer) before the email is dropped: a few, in
/// case the refusal was a misconfiguration fixed meanwhile.
const PERMANENT_ATTEMPTS: i32 = 3;
/// Attempts in all before the email is dropped (about a day, with the backoff).
const MAX_ATTEMPTS: i32 = 30;

/// Runs until `shutdown` turns true. `wake` makes it look at once (mutations notify it after
/// they commit).
pub async fn run(
    db: Db,
    mailer: Mailer,
    settings: InvitationSettings,
    wake: Arc<Notify>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        if let Err(e) = deliver_due(&db, &mailer, &settings).await {
            tracing::warn!(error = %e, "email outbox: delivery round failed; will retry");
        }
        tokio::select! {
            () = wake.notified() => {}
            () = tokio::time::sleep(POLL) => {}
            _ = shutdown.wait_for(|stopping| *stopping) => return,
        }
    }
}

/// Delivers every email due now. Returns how many were sent.
pub async fn deliver_due(db: &Db, mailer: &Mailer, settings: &InvitationSettings) -> Result<usize, DbError> {
    let claim = TimeDelta::from_std(settings.claim).unwrap_or(TimeDelta::seconds(120));
    let mut sent = 0;
    loop {
        let due = {
            let mut conn = db.get().await?;
            store::due(&mut conn.conn(), roster_db::now(), 20).await?
        };
        if due.is_empty() {
            return Ok(sent);
        }
        let mut progressed = false;
        for row in due {
            // Each claim runs from its own moment: a batch takes a while to send, and a claim
            // dated from the start of the batch could lapse while its email is still going
            // out, letting another replica send it too.
            let now = roster_db::now();
            let claim_id = roster_core::id::unique();
            let claimed = {
                let mut conn = db.get().await?;
                store::claim(&mut conn.conn(), &row.id, &claim_id, now, now + claim).await?
            };
            if claimed {
                progressed = true;
                if deliver(db, mailer, settings, &row, &claim_id).await? {
                    sent += 1;
                }
            }
        }
        if !progressed {
            return Ok(sent);
        }
    }
}

/// Mints the token, installs its digest and sends one claimed email.
async fn deliver(
    db: &Db,
    mailer: &Mailer,
    settings: &InvitationSettings,
    row: &OutboxRow,
    claim_id: &str,
) -> Result<bool, DbError> {
    let mut checkout = db.get().await?;
    let mut conn = checkout.conn();
    let dropped = |reason| Outcome::Dropped { reason };
    let Some(invitation) = store::by_id(&mut conn, &row.invitation_id).await? else {
        store::finish(&mut conn, &row.id, claim_id, dropped("the invitation no longer exists")).await?;
        return Ok(false);
    };
    if invitation.state != State::Pending.as_str() {
        store::finish(&mut conn, &row.id, claim_id, dropped("the invitation is no longer pending")).await?;
        return Ok(false);
    }
    let Some(token) = issue_token(&mut conn, &invitation.id, settings).await? else {
        store::finish(&mut conn, &row.id, claim_id, dropped("the invitation is no longer pending")).await?;
        return Ok(false);
    };
    let scope =
        Scope { organization_id: invitation.organization_id.clone(), team_id: invitation.team_id.clone() };
    let scope_name = roster_organizations::scope::names(&mut conn, &scope).await?.display();
    let inviter = match &invitation.invited_by {
        Some(id) => {
            let found = roster_identity::store::users_by_ids(&mut conn, std::slice::from_ref(id)).await?;
            found.into_iter().next().and_then(|user| user.display_name)
        }
        None => None,
    };
    let link = format!("{}/invitations/accept?token={token}", settings.public_url);
    let email = Invitation {
        to: &row.recipient,
        scope_name: &scope_name,
        inviter: inviter.as_deref(),
        link: &link,
        valid_days: settings.ttl().num_days().max(1).unsigned_abs(),
    };
    // No connection is held while the SMTP server takes its time.
    checkout.release();
    let outcome = mailer.send(&email).await;
    let mut conn = db.get().await?;
    let mut conn = conn.conn();
    let attempt = row.attempts + 1;
    let (result, recorded) = match outcome {
        Ok(()) => {
            tracing::info!(email.id = %row.id, "invitation email sent");
            (true, store::finish(&mut conn, &row.id, claim_id, Outcome::Sent).await?)
        }
        Err(e) if attempt >= MAX_ATTEMPTS || (e.permanent && attempt >= PERMANENT_ATTEMPTS) => {
            tracing::error!(email.id = %row.id, attempt, error = %e, "invitation email failed for good; dropped");
            let reason = format!("gave up after {attempt} attempts: {e}");
            (false, store::finish(&mut conn, &row.id, claim_id, dropped(&reason)).await?)
        }
        Err(e) => {
            let wait = backoff(attempt);
            tracing::warn!(email.id = %row.id, attempt, retry_in_secs = wait.num_seconds(), error = %e, "invitation email failed");
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

/// Mints the token of a pending invitation, installs its digest and restarts its expiry.
/// Returns the secret, or `None` when the invitation is no longer pending. Minting happens
/// here, when the link is about to go out, so no usable token is ever stored.
pub async fn issue_token(
    conn: &mut roster_db::Conn<'_>,
    invitation_id: &str,
    settings: &InvitationSettings,
) -> QueryResult<Option<String>> {
    let token = roster_core::token::mint();
    let expires_at = roster_db::now() + settings.ttl();
    let installed = store::install_token(conn, invitation_id, &token.digest, expires_at).await?;
    Ok(installed.then_some(token.secret))
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
