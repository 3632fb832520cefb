//! The mail outbox under faults: slow servers shared by two replicas, permanent refusals,
//! and claims that lapse.

use std::collections::HashMap;
use std::time::Duration;

use futures_util::future::join_all;
use roster_mail::store::{self, OutboxRow, Outcome};
use roster_tests::flows::org;
use roster_tests::{Backend, TestApp, backend_tests};

fn short_claims(settings: &mut roster_server::Settings) {
    settings.mail_claim = Duration::from_secs(1);
}

async fn outbox(app: &TestApp) -> Vec<OutboxRow> {
    use roster_db::prelude::*;
    use roster_db::schema::email_outbox;
    let mut conn = app.db.get().await.expect("a connection");
    let mut conn = conn.conn();
    roster_db::db_run!(&mut conn, |c| {
        email_outbox::table
            .filter(email_outbox::kind.eq("INVITATION"))
            .select(OutboxRow::as_select())
            .load(c)
            .await
    })
    .expect("the outbox's invitations")
}

/// PostgreSQL: two replicas share a slow mail server's work, with claims shorter than a
/// batch takes to send. Every email goes out exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_with_a_slow_mail_server_send_each_email_once() {
    let app = TestApp::spawn_with(Backend::Postgres, short_claims).await;
    let replica = app.replica_with(short_claims).await;
    for server in [&app.smtp, &replica.smtp] {
        server.set_delay(Duration::from_millis(200));
    }
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let emails: Vec<String> = (0..20).map(|i| format!("p{i}@example.com")).collect();
    // Invited through both replicas, so both senders wake and work the same queue at once.
    let invites = emails.iter().enumerate().map(|(i, email)| {
        let through = if i % 2 == 0 { &app } else { &replica };
        through.invite_ok(&admin, org(&acme), email, None)
    });
    join_all(invites).await;
    // Wait until the outbox is empty of unsent mail.
    for _ in 0..150 {
        if outbox(&app).await.iter().all(|row| row.sent_at.is_some()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let mut received: HashMap<String, usize> = HashMap::new();
    for message in app.smtp.messages().into_iter().chain(replica.smtp.messages()) {
        for to in message.to {
            *received.entry(to).or_default() += 1;
        }
    }
    for email in &emails {
        assert_eq!(received.get(email).copied(), Some(1), "{email}: {received:?}");
    }
    assert!(outbox(&app).await.iter().all(|row| row.sent_at.is_some() && row.claim_id.is_none()));
}

backend_tests!(
    a_permanently_refused_email_is_dropped_after_a_few_attempts,
    only_the_holder_of_a_claim_records_the_outcome,
);

async fn a_permanently_refused_email_is_dropped_after_a_few_attempts(app: roster_tests::TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    // The admin's verification email goes out first; only the invitation meets the refusal.
    app.verification_token(&admin.email, 1).await;
    app.smtp.set_refusing(true);
    app.invite_ok(&admin, org(&acme), "nobody@example.com", None).await;
    // Three attempts, 2 s and 4 s apart.
    let mut row = None;
    for _ in 0..60 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        row = outbox(&app).await.into_iter().next().filter(|r| r.dropped_at.is_some());
        if row.is_some() {
            break;
        }
    }
    let row = row.expect("the email is dropped");
    assert_eq!(row.attempts, 3);
    assert_eq!(app.smtp.refused(), 3, "tried three times, then stopped");
    let reason = row.last_error.unwrap_or_default();
    assert!(reason.contains("gave up after 3 attempts") && reason.contains("550"), "{reason}");
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(app.smtp.refused(), 3, "and is not tried again");
}

async fn only_the_holder_of_a_claim_records_the_outcome(app: roster_tests::TestApp) {
    let mut conn = app.db.get().await.expect("a connection");
    let mut conn = conn.conn();
    let now = roster_db::now();
    // A row the application's own sender leaves alone (it is not due for a day), so the
    // claims below are the only ones: with a due row, the sender could take the lapsed claim
    // between them, which made this test flaky.
    let mut row = OutboxRow::new("INVITATION", "inv_claims", "bob@example.com", now);
    row.next_attempt_at = now + chrono::TimeDelta::days(1);
    store::enqueue(&mut conn, &row).await.expect("queued");
    let id = row.id.clone();
    // A claim that lapsed at once, then another sender's.
    assert!(store::claim(&mut conn, &id, "first", now, now).await.expect("a claim"), "the first claim");
    let soon = now + chrono::TimeDelta::seconds(1);
    let far = now + chrono::TimeDelta::hours(1);
    assert!(
        store::claim(&mut conn, &id, "second", soon, far).await.expect("a claim"),
        "the lapsed claim is taken over"
    );
    assert!(
        !store::finish(&mut conn, &id, "first", Outcome::Sent).await.expect("a finish"),
        "the first holder lost it"
    );
    let row = outbox(&app).await.into_iter().next().expect("the row");
    assert!(row.sent_at.is_none() && row.claim_id.as_deref() == Some("second"), "{row:?}");
    assert!(store::finish(&mut conn, &id, "second", Outcome::Sent).await.expect("a finish"));
}
