//! Sign-up, sign-in, sign-out and the viewer.

use roster_tests::backend_tests;
use serde_json::{Value, json};

const SIGN_UP: &str = "mutation($email: String!, $password: String!) {
    signUp(email: $email, password: $password) {
        __typename ... on Error { message } ... on ValidationError { field } ... on SignUpSuccess { token user { email } }
    } }";

const SIGN_IN: &str = "mutation($email: String!, $password: String!) {
    signIn(email: $email, password: $password) {
        __typename ... on Error { message } ... on SignInSuccess { token user { id } }
    } }";

fn sign_up_vars(email: &str, password: &str) -> Value {
    json!({ "email": email, "password": password })
}

backend_tests!(
    sign_up_validates_email_and_password_length,
    emails_are_trimmed_unique_and_case_insensitive,
    concurrent_sign_ups_of_one_email_give_one_account,
    sign_in_gives_one_answer_for_unknown_email_and_wrong_password,
    repeated_failed_sign_ins_are_rate_limited,
    sign_out_revokes_the_token,
    tokens_are_stored_only_as_digests,
    sign_up_can_be_closed,
    sessions_end_after_their_lifetime with short_sessions,
);

fn short_sessions(settings: &mut roster_server::Settings) {
    settings.session_ttl = std::time::Duration::from_secs(2);
}

async fn sessions_end_after_their_lifetime(app: roster_tests::TestApp) {
    let ana = app.sign_up("ana").await;
    let viewer = async || {
        app.graphql_as(Some(&ana.token), "{ viewer { id } }", json!({})).await["data"]["viewer"].clone()
    };
    assert_eq!(viewer().await["id"], ana.id.as_str());
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_eq!(viewer().await, json!(null), "expired after ROSTER_SESSION_TTL_HOURS");
}

#[test]
fn the_session_lifetime_is_a_setting_in_hours() {
    use clap::Parser as _;
    let parse =
        |args: &[&str]| roster_server::cli::Cli::try_parse_from(args).expect("parses").settings.settings();
    let default = parse(&["roster"]).expect("valid");
    assert_eq!(default.session_ttl, std::time::Duration::from_secs(720 * 3600));
    let day = parse(&["roster", "--session-ttl-hours", "24"]).expect("valid");
    assert_eq!(day.session_ttl, std::time::Duration::from_secs(24 * 3600));
}

async fn sign_up_validates_email_and_password_length(app: roster_tests::TestApp) {
    let bad_email = app.graphql(SIGN_UP, sign_up_vars("not-an-email", "long enough")).await;
    assert_eq!(bad_email["data"]["signUp"]["__typename"], "ValidationError", "{bad_email}");
    assert_eq!(bad_email["data"]["signUp"]["field"], "email");
    let short = app.graphql(SIGN_UP, sign_up_vars("ana@example.com", "1234567")).await;
    assert_eq!(short["data"]["signUp"]["__typename"], "ValidationError", "{short}");
    assert_eq!(short["data"]["signUp"]["field"], "password");
    // Neither attempt created the account.
    let ok = app.graphql(SIGN_UP, sign_up_vars("ana@example.com", "12345678")).await;
    assert_eq!(ok["data"]["signUp"]["__typename"], "SignUpSuccess", "{ok}");
}

async fn emails_are_trimmed_unique_and_case_insensitive(app: roster_tests::TestApp) {
    let first = app.graphql(SIGN_UP, sign_up_vars("  Ana@Example.com ", "correct horse")).await;
    assert_eq!(first["data"]["signUp"]["user"]["email"], "Ana@Example.com", "{first}");
    let again = app.graphql(SIGN_UP, sign_up_vars("ana@EXAMPLE.COM", "another horse")).await;
    assert_eq!(again["data"]["signUp"]["__typename"], "EmailTakenError", "{again}");
    let signed_in = app.graphql(SIGN_IN, sign_up_vars(" ANA@example.com", "correct horse")).await;
    assert_eq!(signed_in["data"]["signIn"]["__typename"], "SignInSuccess", "{signed_in}");
}

async fn concurrent_sign_ups_of_one_email_give_one_account(app: roster_tests::TestApp) {
    let attempts = (0..8).map(|_| app.graphql(SIGN_UP, sign_up_vars("race@example.com", "correct horse")));
    let answers = futures_util::future::join_all(attempts).await;
    let kinds: Vec<_> = answers.iter().map(|a| a["data"]["signUp"]["__typename"].clone()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "SignUpSuccess").count(), 1, "{kinds:?}");
    assert_eq!(kinds.iter().filter(|k| **k == "EmailTakenError").count(), 7, "{kinds:?}");
}

async fn sign_in_gives_one_answer_for_unknown_email_and_wrong_password(app: roster_tests::TestApp) {
    app.sign_up("ana").await;
    let wrong = app.graphql(SIGN_IN, sign_up_vars("ana@example.com", "wrong password")).await;
    let unknown = app.graphql(SIGN_IN, sign_up_vars("nobody@example.com", "wrong password")).await;
    assert_eq!(wrong["data"]["signIn"]["__typename"], "InvalidCredentialsError", "{wrong}");
    assert_eq!(wrong, unknown);
    let right = app.graphql(SIGN_IN, sign_up_vars("ana@example.com", "correct horse")).await;
    assert_eq!(right["data"]["signIn"]["__typename"], "SignInSuccess", "{right}");
}

async fn repeated_failed_sign_ins_are_rate_limited(app: roster_tests::TestApp) {
    app.sign_up("ana").await;
    for _ in 0..10 {
        let wrong = app.graphql(SIGN_IN, sign_up_vars("ana@example.com", "wrong password")).await;
        assert_eq!(wrong["data"]["signIn"]["__typename"], "InvalidCredentialsError", "{wrong}");
    }
    let limited = app
        .graphql(
            "mutation { signIn(email: \"ana@example.com\", password: \"correct horse\") {
                __typename ... on RateLimitedError { retryAfterSeconds } } }",
            json!({}),
        )
        .await;
    assert_eq!(limited["data"]["signIn"]["__typename"], "RateLimitedError", "{limited}");
    assert!(limited["data"]["signIn"]["retryAfterSeconds"].as_i64().unwrap_or(0) > 0);
}

async fn sign_out_revokes_the_token(app: roster_tests::TestApp) {
    let ana = app.sign_up("ana").await;
    let out = app
        .graphql_as(
            Some(&ana.token),
            "mutation { signOut { __typename ... on SignOutSuccess { revoked } } }",
            json!({}),
        )
        .await;
    assert_eq!(out["data"]["signOut"], json!({ "__typename": "SignOutSuccess", "revoked": true }), "{out}");
    let viewer = app.graphql_as(Some(&ana.token), "{ viewer { id } }", json!({})).await;
    assert_eq!(viewer["data"]["viewer"], Value::Null, "a revoked token is anonymous");
    let again = app.graphql_as(Some(&ana.token), "mutation { signOut { __typename } }", json!({})).await;
    assert_eq!(again["data"]["signOut"]["__typename"], "NotAuthenticatedError");
}

async fn tokens_are_stored_only_as_digests(app: roster_tests::TestApp) {
    let ana = app.sign_up("ana").await;
    let mut conn = app.db.get().await.expect("a connection");
    let mut conn = conn.conn();
    use roster_db::prelude::*;
    use roster_db::schema::sessions;
    let digests: Vec<String> =
        roster_db::db_run!(&mut conn, |c| sessions::table.select(sessions::token_digest).load(c).await)
            .expect("the sessions");
    assert_eq!(digests, vec![roster_core::token::digest(&ana.token)]);
    assert!(!digests.contains(&ana.token));
}

async fn sign_up_can_be_closed(app: roster_tests::TestApp) {
    let backend = app.backend;
    drop(app);
    let closed = roster_tests::TestApp::spawn_with(backend, |s| s.signup_open = false).await;
    let answer = closed.graphql(SIGN_UP, sign_up_vars("ana@example.com", "correct horse")).await;
    assert_eq!(answer["data"]["signUp"]["__typename"], "NotAuthorizedError", "{answer}");
}
