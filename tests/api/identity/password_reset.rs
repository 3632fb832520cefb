//! Password reset: one answer whether or not the account exists, limits per email and per
//! address, a single-use link that lives an hour, and every old session dead afterwards.

use std::time::Duration;

use roster_tests::flows::{PASSWORD, org};
use roster_tests::ws::WsClient;
use roster_tests::{TestApp, backend_tests};
use serde_json::{Value, json};

backend_tests!(
    a_reset_sets_the_password_verifies_the_email_and_ends_every_old_session,
    the_answer_is_the_same_whether_or_not_the_account_exists,
    requests_are_limited_per_email_and_per_address with few_requests,
    a_link_works_once_and_not_after_an_hour,
    a_short_password_is_refused_and_the_link_still_works,
    strangers_cannot_spend_the_owners_reset_budget with behind_a_proxy,
    verification_mails_do_not_spend_the_reset_budget with behind_a_proxy,
);

fn behind_a_proxy(settings: &mut roster_server::Settings) {
    settings.http.trusted_proxies =
        roster_server::client::TrustedProxies::parse(&["127.0.0.1".into()]).expect("valid");
}

fn few_requests(settings: &mut roster_server::Settings) {
    settings.limits.reset_requests_per_hour = 2;
    settings.limits.reset_requests_per_email_per_hour = 2;
    settings.http.trusted_proxies =
        roster_server::client::TrustedProxies::parse(&["127.0.0.1".into()]).expect("valid");
}

const REQUEST: &str = "mutation($e: String!) { requestPasswordReset(email: $e) {
    __typename ... on Error { message } ... on RequestPasswordResetSuccess { message }
    ... on RateLimitedError { retryAfterSeconds } } }";
const RESET: &str = "mutation($t: String!, $p: String!) { resetPassword(token: $t, password: $p) {
    __typename ... on Error { message } ... on ValidationError { field }
    ... on ResetPasswordSuccess { token user { id email emailVerified } } } }";
const SIGN_IN: &str = "mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { __typename } }";

async fn request(app: &TestApp, email: &str) -> Value {
    app.graphql(REQUEST, json!({ "e": email })).await["data"]["requestPasswordReset"].clone()
}

async fn reset(app: &TestApp, token: &str, password: &str) -> Value {
    app.graphql(RESET, json!({ "t": token, "p": password })).await["data"]["resetPassword"].clone()
}

async fn a_reset_sets_the_password_verifies_the_email_and_ends_every_old_session(app: TestApp) {
    let ana = app.sign_up("ana").await;
    let acme = app.create_org(&ana, "Acme").await;
    let second = app.graphql(SIGN_IN, json!({ "e": ana.email, "p": PASSWORD })).await;
    assert_eq!(second["data"]["signIn"]["__typename"], "SignInSuccess");
    let mut socket = WsClient::member_events(app.addr, &ana.token, org(&acme), None).await;

    assert_eq!(request(&app, "  ANA@example.com ").await["__typename"], "RequestPasswordResetSuccess");
    let token = app.reset_token(&ana.email, 1).await;
    let done = reset(&app, &token, "a brand new password").await;
    assert_eq!(done["__typename"], "ResetPasswordSuccess", "{done}");
    assert_eq!(done["user"], json!({ "id": ana.id, "email": ana.email, "emailVerified": true }));

    assert_eq!(socket.closed_with(Duration::from_secs(5)).await, Some(4403), "the open socket ends");
    let old = app.graphql_as(Some(&ana.token), "{ viewer { id } }", json!({})).await;
    assert_eq!(old["data"]["viewer"], json!(null), "the old session is dead");
    let new_token = done["token"].as_str().expect("a new session");
    let new = app.graphql_as(Some(new_token), "{ viewer { id } }", json!({})).await;
    assert_eq!(new["data"]["viewer"]["id"], ana.id.as_str());
    let live = roster_tests::count_rows(
        &app,
        &format!("sessions WHERE user_id = '{}' AND revoked_at IS NULL", ana.id),
    )
    .await;
    assert_eq!(live, 1, "only the new session lives");
    let with_old = app.graphql(SIGN_IN, json!({ "e": ana.email, "p": PASSWORD })).await;
    assert_eq!(with_old["data"]["signIn"]["__typename"], "InvalidCredentialsError");
    let with_new = app.graphql(SIGN_IN, json!({ "e": ana.email, "p": "a brand new password" })).await;
    assert_eq!(with_new["data"]["signIn"]["__typename"], "SignInSuccess");
    // Stored as a digest only.
    let digest = roster_core::token::digest(&token);
    assert_eq!(
        roster_tests::count_rows(&app, &format!("user_tokens WHERE token_digest = '{digest}'")).await,
        1
    );
    assert_eq!(
        roster_tests::count_rows(&app, &format!("user_tokens WHERE token_digest = '{token}'")).await,
        0
    );
}

async fn the_answer_is_the_same_whether_or_not_the_account_exists(app: TestApp) {
    let ana = app.sign_up("ana").await;
    app.verification_token(&ana.email, 1).await;
    let known = request(&app, &ana.email).await;
    let unknown = request(&app, "nobody@example.com").await;
    assert_eq!(known, unknown, "same shape, same words");
    app.reset_token(&ana.email, 1).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        app.smtp.messages().iter().all(|m| !m.to.contains(&"nobody@example.com".to_owned())),
        "no mail to nobody"
    );
    let invalid = request(&app, "not an email").await;
    assert_eq!(invalid["__typename"], "ValidationError", "{invalid}");
}

async fn requests_are_limited_per_email_and_per_address(app: TestApp) {
    let from = async |address: &str, email: &str| {
        let answer =
            app.graphql_with(None, &[("x-forwarded-for", address)], REQUEST, json!({ "e": email })).await;
        answer["data"]["requestPasswordReset"]["__typename"].as_str().unwrap_or_default().to_owned()
    };
    // Per email, from anywhere: two requests spend Ana's budget. After that each address may
    // still ask once this hour (so strangers cannot keep Ana from a link), and no more.
    assert_eq!(from("203.0.113.1", "ana@example.com").await, "RequestPasswordResetSuccess");
    assert_eq!(from("203.0.113.2", "ana@example.com").await, "RequestPasswordResetSuccess");
    assert_eq!(from("203.0.113.3", "ana@example.com").await, "RequestPasswordResetSuccess");
    assert_eq!(from("203.0.113.3", "ana@example.com").await, "RateLimitedError");
    // Per address, whatever the email (known or not, the same count): one client cannot
    // fan out over many addresses.
    assert_eq!(from("203.0.113.9", "one@example.com").await, "RequestPasswordResetSuccess");
    assert_eq!(from("203.0.113.9", "two@example.com").await, "RequestPasswordResetSuccess");
    assert_eq!(from("203.0.113.9", "three@example.com").await, "RateLimitedError");
    assert_eq!(from("203.0.113.10", "three@example.com").await, "RequestPasswordResetSuccess");
}

async fn a_link_works_once_and_not_after_an_hour(app: TestApp) {
    let ana = app.sign_up("ana").await;
    request(&app, &ana.email).await;
    let first = app.reset_token(&ana.email, 1).await;
    assert_eq!(reset(&app, &first, "new password one").await["__typename"], "ResetPasswordSuccess");
    let again = reset(&app, &first, "new password two").await;
    assert_eq!(again["__typename"], "InvalidTokenError", "single use: {again}");
    assert_eq!(reset(&app, "made-up", "new password two").await, again, "one answer for dead links");

    request(&app, &ana.email).await;
    let second = app.reset_token(&ana.email, 2).await;
    // An hour later (moved back rather than waited for).
    let digest = roster_core::token::digest(&second);
    let mut conn = app.db.get().await.expect("a connection");
    {
        use roster_db::prelude::*;
        use roster_db::schema::user_tokens;
        let past = roster_db::now() - chrono::TimeDelta::minutes(61);
        let mut conn = conn.conn();
        roster_db::db_run!(&mut conn, |c| {
            diesel::update(user_tokens::table.filter(user_tokens::token_digest.eq(&digest)))
                .set((
                    user_tokens::created_at.eq(past),
                    user_tokens::expires_at.eq(past + chrono::TimeDelta::hours(1)),
                ))
                .execute(c)
                .await
        })
        .expect("moved back");
    }
    drop(conn);
    assert_eq!(reset(&app, &second, "new password two").await["__typename"], "InvalidTokenError", "expired");
}

async fn a_short_password_is_refused_and_the_link_still_works(app: TestApp) {
    let ana = app.sign_up("ana").await;
    request(&app, &ana.email).await;
    let token = app.reset_token(&ana.email, 1).await;
    let short = reset(&app, &token, "short").await;
    assert_eq!(
        (short["__typename"].clone(), short["field"].clone()),
        (json!("ValidationError"), json!("password"))
    );
    assert_eq!(reset(&app, &token, "long enough now").await["__typename"], "ResetPasswordSuccess");
}

async fn strangers_cannot_spend_the_owners_reset_budget(app: TestApp) {
    let ana = app.sign_up("ana").await;
    let from = async |address: &str| {
        let answer =
            app.graphql_with(None, &[("x-forwarded-for", address)], REQUEST, json!({ "e": ana.email })).await;
        answer["data"]["requestPasswordReset"]["__typename"].as_str().unwrap_or_default().to_owned()
    };
    // One stranger's address spends its own budget, not Ana's.
    for _ in 0..5 {
        assert_eq!(from("203.0.113.66").await, "RequestPasswordResetSuccess");
    }
    assert_eq!(from("203.0.113.66").await, "RateLimitedError");
    assert_eq!(from("198.51.100.7").await, "RequestPasswordResetSuccess", "Ana, from home");
    // Three more strangers' addresses spend the rest of the email's 20 an hour (the last of
    // them on its one request past the budget)...
    for stranger in ["203.0.113.67", "203.0.113.68", "203.0.113.69"] {
        for _ in 0..5 {
            assert_eq!(from(stranger).await, "RequestPasswordResetSuccess");
        }
        assert_eq!(from(stranger).await, "RateLimitedError");
    }
    assert_eq!(from("203.0.113.70").await, "RequestPasswordResetSuccess", "one past the budget");
    assert_eq!(from("203.0.113.70").await, "RateLimitedError", "and only one");
    // ...and Ana, from another place, still gets a link, once.
    assert_eq!(from("198.51.100.8").await, "RequestPasswordResetSuccess");
    assert_eq!(from("198.51.100.8").await, "RateLimitedError");
}

async fn verification_mails_do_not_spend_the_reset_budget(app: TestApp) {
    // Someone signs up with Ana's address (perhaps not Ana) and asks for verification mail
    // until refused: five an hour, on a budget of its own.
    let squatter = app.sign_up("ana").await;
    let send = "mutation { sendVerificationEmail { __typename } }";
    for _ in 0..5 {
        let sent = app.graphql_as(Some(&squatter.token), send, json!({})).await;
        assert_eq!(
            sent["data"]["sendVerificationEmail"]["__typename"], "SendVerificationEmailSuccess",
            "{sent}"
        );
    }
    let refused = app.graphql_as(Some(&squatter.token), send, json!({})).await;
    assert_eq!(refused["data"]["sendVerificationEmail"]["__typename"], "RateLimitedError", "{refused}");
    // Ana's reset budget is whole: twenty requests from five addresses all pass.
    for i in 0..20 {
        let address = format!("198.51.100.{}", i / 4);
        let answer = app
            .graphql_with(None, &[("x-forwarded-for", &address)], REQUEST, json!({ "e": squatter.email }))
            .await;
        assert_eq!(
            answer["data"]["requestPasswordReset"]["__typename"], "RequestPasswordResetSuccess",
            "{i}: {answer}"
        );
    }
}
