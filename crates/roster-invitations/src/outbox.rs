//! The background sender: delivers queued invitation emails, retrying with backoff.
//!
//! Every replica runs one. A row is claimed with a conditional update before it is sent, so
//! two replicas never send the same email; a claim expires, so a replica that dies mid-send
//! does not strand the row. The token is minted here, at send time (see the crate docs).

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use roster_db::prelude::*;
use roster_db::schema::{organizations, teams, users};
use roster_db::{Db, DbError, db_run};
use tokio::sync::{Notify, watch};

use crate::mail::{Invitation, Mailer};
use crate::service::InvitationSettings;
use crate::store::{self, OutboxRow, Outcome, State};

/// How long a claim lasts: longer than any SMTP conversation.
const CLAIM: TimeDelta = TimeDelta::seconds(120);
/// How often the sender looks for due rows without being woken.
const POLL: Duration = Duration::from_secs(2);
/// The longest wait between two attempts.
const MAX_BACKOFF_SECS: i64 = 3600;

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
    let mut sent = 0;
    loop {
        let now = roster_db::now();
        let due = {
            let mut conn = db.get().await?;
            store::due(&mut conn.conn(), now, 20).await?
        };
        if due.is_empty() {
            return Ok(sent);
        }
        let mut progressed = false;
        for row in due {
            let claimed = {
                let mut conn = db.get().await?;
                store::claim(&mut conn.conn(), &row.id, now, now + CLAIM).await?
            };
            if claimed {
                progressed = true;
                if deliver(db, mailer, settings, &row).await? {
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
) -> Result<bool, DbError> {
    let mut conn = db.get().await?;
    let mut conn = conn.conn();
    let Some(invitation) = store::by_id(&mut conn, &row.invitation_id).await? else {
        store::finish(&mut conn, &row.id, Outcome::Dropped).await?;
        return Ok(false);
    };
    if invitation.state != State::Pending.as_str() {
        store::finish(&mut conn, &row.id, Outcome::Dropped).await?;
        return Ok(false);
    }
    let Some(token) = issue_token(&mut conn, &invitation.id, settings).await? else {
        store::finish(&mut conn, &row.id, Outcome::Dropped).await?;
        return Ok(false);
    };
    let scope_name =
        scope_name(&mut conn, &invitation.organization_id, invitation.team_id.as_deref()).await?;
    let inviter = match &invitation.invited_by {
        Some(id) => db_run!(&mut conn, |c| {
            users::table.find(id).select(users::display_name).first::<Option<String>>(c).await.optional()
        })?
        .flatten(),
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
    match mailer.send(&email).await {
        Ok(()) => {
            store::finish(&mut conn, &row.id, Outcome::Sent).await?;
            tracing::info!(email.id = %row.id, "invitation email sent");
            Ok(true)
        }
        Err(e) => {
            let wait = backoff(row.attempts + 1);
            tracing::warn!(email.id = %row.id, attempt = row.attempts + 1, retry_in_secs = wait.num_seconds(), error = %e, "invitation email failed");
            let message = e.to_string();
            store::finish(
                &mut conn,
                &row.id,
                Outcome::Retry { at: roster_db::now() + wait, error: &message },
            )
            .await?;
            Ok(false)
        }
    }
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

/// "Acme" for an organization, "Acme / Design" for a team.
async fn scope_name(
    conn: &mut roster_db::Conn<'_>,
    organization_id: &str,
    team_id: Option<&str>,
) -> QueryResult<String> {
    let organization: String = db_run!(conn, |c| {
        organizations::table.find(organization_id).select(organizations::name).first(c).await
    })?;
    let Some(team_id) = team_id else {
        return Ok(organization);
    };
    let team: String = db_run!(conn, |c| teams::table.find(team_id).select(teams::name).first(c).await)?;
    Ok(format!("{organization} / {team}"))
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
