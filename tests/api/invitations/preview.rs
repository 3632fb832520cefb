//! `invitation(token)`: what an accept page shows, and one `null` for every dead token.

use roster_tests::flows::{PASSWORD, org, team};
use roster_tests::{TestApp, backend_tests};
use serde_json::{Value, json};

backend_tests!(
    a_live_invitation_shows_who_invited_whom_to_what,
    every_kind_of_dead_token_gets_the_same_null,
    previews_count_against_the_accept_limit with few_accepts,
);

fn few_accepts(settings: &mut roster_server::Settings) {
    settings.limits.accept_attempts_per_minute = 3;
}

const PREVIEW: &str = "query($t: String!) { invitation(token: $t) {
    organizationName teamName inviterName role email expiresAt accountExists } }";

async fn preview(app: &TestApp, token: &str) -> Value {
    app.graphql(PREVIEW, json!({ "t": token })).await
}

async fn a_live_invitation_shows_who_invited_whom_to_what(app: TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let design = app.create_team(&admin, &acme, "Design").await;
    app.invite_ok(&admin, team(&design), "dana@example.com", Some("OWNER")).await;
    let link = app.invitation_token("dana@example.com", 1).await;
    let shown = preview(&app, &link).await;
    let invitation = &shown["data"]["invitation"];
    assert_eq!(invitation["organizationName"], "Acme", "{shown}");
    assert_eq!(invitation["teamName"], "Design");
    assert_eq!(invitation["inviterName"], "admin@example.com");
    assert_eq!(invitation["role"], "OWNER");
    assert_eq!(invitation["email"], "dana@example.com");
    assert_eq!(invitation["accountExists"], false, "Dana chooses a password");
    let expires = chrono::DateTime::parse_from_rfc3339(invitation["expiresAt"].as_str().expect("a date"))
        .expect("RFC 3339");
    let days = (expires.to_utc() - chrono::Utc::now()).num_hours();
    assert!((167..=168).contains(&days), "a week from now: {days} hours");
    // An organization invitation has no team.
    app.invite_ok(&admin, org(&acme), "olga@example.com", Some("ADMIN")).await;
    let olga = preview(&app, &app.invitation_token("olga@example.com", 1).await).await;
    assert_eq!(olga["data"]["invitation"]["teamName"], json!(null));
    assert_eq!(olga["data"]["invitation"]["role"], "ADMIN");
}

async fn every_kind_of_dead_token_gets_the_same_null(app: TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let unknown = preview(&app, "no-such-token").await;
    assert_eq!(unknown, json!({ "data": { "invitation": null } }));

    let bob = app.invite_ok(&admin, org(&acme), "bob@example.com", None).await;
    let superseded = app.invitation_token("bob@example.com", 1).await;
    app.resend(Some(&admin), org(&acme), &bob).await;
    let resent = app.invitation_token("bob@example.com", 2).await;
    assert!(preview(&app, &resent).await["data"]["invitation"].is_object(), "the new link is live");
    assert_eq!(preview(&app, &superseded).await, unknown, "superseded");

    app.cancel(Some(&admin), org(&acme), &bob).await;
    assert_eq!(preview(&app, &resent).await, unknown, "cancelled");

    app.invite_ok(&admin, org(&acme), "cleo@example.com", None).await;
    let used = app.invitation_token("cleo@example.com", 1).await;
    assert_eq!(
        app.accept(None, &used, Some(PASSWORD), Some("Cleo")).await["__typename"],
        "AcceptInvitationSuccess"
    );
    assert_eq!(preview(&app, &used).await, unknown, "used");

    app.invite_ok(&admin, org(&acme), "eve@example.com", None).await;
    let expired = app.invitation_token("eve@example.com", 1).await;
    {
        use roster_db::prelude::*;
        use roster_db::schema::invitations;
        let digest = roster_core::token::digest(&expired);
        let past = roster_db::now() - chrono::TimeDelta::seconds(1);
        let mut conn = app.db.get().await.expect("a connection");
        let mut conn = conn.conn();
        roster_db::db_run!(&mut conn, |c| {
            diesel::update(invitations::table.filter(invitations::token_digest.eq(&digest)))
                .set(invitations::expires_at.eq(past))
                .execute(c)
                .await
        })
        .expect("expired");
    }
    assert_eq!(preview(&app, &expired).await, unknown, "expired");
}

async fn previews_count_against_the_accept_limit(app: TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    app.invite_ok(&admin, org(&acme), "bob@example.com", None).await;
    let link = app.invitation_token("bob@example.com", 1).await;
    for _ in 0..2 {
        assert!(preview(&app, "guess").await["data"]["invitation"].is_null());
    }
    assert!(preview(&app, &link).await["data"]["invitation"].is_object(), "the third is still let through");
    let limited = preview(&app, &link).await;
    assert_eq!(limited["errors"][0]["extensions"]["code"], "RATE_LIMITED", "{limited}");
    assert!(limited["errors"][0]["extensions"]["retryAfterSeconds"].as_i64().unwrap_or(0) > 0);
    let accept = app.accept(None, &link, Some(PASSWORD), Some("Bob")).await;
    assert_eq!(accept["__typename"], "RateLimitedError", "one limit for both: {accept}");
}
