//! Verified email: `signUp` mails a link, `verifyEmail` uses it (with the account's password,
//! or signed in as it), `User.emailVerified` shows it to the user alone. Through the capture
//! SMTP server, on both backends. Squatted accounts: `account_takeover.rs`.

use roster_tests::backend_tests;
use serde_json::json;

backend_tests!(
    sign_up_mails_a_link_that_verifies_the_email_once,
    only_the_user_sees_whether_their_email_is_verified,
    a_new_link_replaces_the_old_one,
    the_verification_mail_is_rendered_with_both_parts_and_a_message_id,
);

const VERIFY: &str = "mutation($t: String!, $p: String) { verifyEmail(token: $t, password: $p) {
    __typename ... on VerifyEmailSuccess { user { id email emailVerified } } ... on Error { message } } }";

/// `verifyEmail` with the link alone.
async fn verify(app: &roster_tests::TestApp, token: &str) -> serde_json::Value {
    verify_with(app, token, None).await
}

/// `verifyEmail`, anonymous, with the account's password when given.
async fn verify_with(app: &roster_tests::TestApp, token: &str, password: Option<&str>) -> serde_json::Value {
    app.graphql(VERIFY, json!({ "t": token, "p": password })).await["data"]["verifyEmail"].clone()
}

async fn email_verified(app: &roster_tests::TestApp, token: &str) -> bool {
    let viewer = app.graphql_as(Some(token), "{ viewer { emailVerified } }", json!({})).await;
    viewer["data"]["viewer"]["emailVerified"].as_bool().expect("a viewer")
}

async fn sign_up_mails_a_link_that_verifies_the_email_once(app: roster_tests::TestApp) {
    let ana = app.sign_up("ana").await;
    assert!(!email_verified(&app, &ana.token).await, "unverified after sign-up");
    let token = app.verification_token(&ana.email, 1).await;
    // The link alone proves the mailbox, not the account: it asks for the password, and still
    // works afterwards.
    let opened = verify(&app, &token).await;
    assert_eq!(opened["__typename"], "PasswordRequiredError", "{opened}");
    assert!(!email_verified(&app, &ana.token).await, "still unverified");
    // Opened anywhere with the password: no session needed.
    let verified = verify_with(&app, &token, Some(roster_tests::flows::PASSWORD)).await;
    assert_eq!(verified["__typename"], "VerifyEmailSuccess", "{verified}");
    assert_eq!(verified["user"], json!({ "id": ana.id, "email": ana.email, "emailVerified": true }));
    assert!(email_verified(&app, &ana.token).await);
    let again = verify_with(&app, &token, Some(roster_tests::flows::PASSWORD)).await;
    assert_eq!(again["__typename"], "InvalidTokenError", "single use: {again}");
    assert_eq!(verify(&app, "made-up").await, again, "one answer for every dead link");
    // Only the digest is stored.
    let digest = roster_core::token::digest(&token);
    let with = |value: &str| format!("user_tokens WHERE token_digest = '{value}'");
    assert_eq!(roster_tests::count_rows(&app, &with(&digest)).await, 1);
    assert_eq!(roster_tests::count_rows(&app, &with(&token)).await, 0);
}

async fn only_the_user_sees_whether_their_email_is_verified(app: roster_tests::TestApp) {
    let admin = app.sign_up("admin").await;
    app.verify(&admin).await;
    let acme = app.create_org(&admin, "Acme").await;
    let bob = app.member(&admin, roster_tests::flows::org(&acme), "bob", None).await;
    assert!(email_verified(&app, &bob.token).await, "accepting an invitation verified Bob");
    let query = "query($scope: MembershipScope!) { members(scope: $scope, first: 10) { nodes { user { id emailVerified } } } }";
    let seen_by_bob =
        app.graphql_as(Some(&bob.token), query, json!({ "scope": roster_tests::flows::org(&acme) })).await;
    let nodes = seen_by_bob["data"]["members"]["nodes"].as_array().expect("members").clone();
    assert_eq!(nodes.len(), 2, "{seen_by_bob}");
    for node in nodes {
        let own = node["user"]["id"] == bob.id.as_str();
        assert_eq!(node["user"]["emailVerified"], own, "only Bob's own is shown: {node}");
    }
}

async fn a_new_link_replaces_the_old_one(app: roster_tests::TestApp) {
    let ana = app.sign_up("ana").await;
    let first = app.verification_token(&ana.email, 1).await;
    let send = "mutation { sendVerificationEmail { __typename
        ... on SendVerificationEmailSuccess { user { emailVerified } } } }";
    let sent = app.graphql_as(Some(&ana.token), send, json!({})).await;
    assert_eq!(sent["data"]["sendVerificationEmail"]["__typename"], "SendVerificationEmailSuccess", "{sent}");
    let second = app.verification_token(&ana.email, 2).await;
    assert_ne!(first, second);
    assert_eq!(verify(&app, &first).await["__typename"], "InvalidTokenError", "the older link is retired");
    let second = verify_with(&app, &second, Some(roster_tests::flows::PASSWORD)).await;
    assert_eq!(second["__typename"], "VerifyEmailSuccess", "{second}");
    // Verified: nothing more is sent.
    let done = app.graphql_as(Some(&ana.token), send, json!({})).await;
    assert_eq!(done["data"]["sendVerificationEmail"]["user"]["emailVerified"], true);
    let anonymous = app.graphql(send, json!({})).await;
    assert_eq!(anonymous["data"]["sendVerificationEmail"]["__typename"], "NotAuthenticatedError");
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let to_ana = app.smtp.messages().into_iter().filter(|m| m.to.contains(&ana.email)).count();
    assert_eq!(to_ana, 2);
}

async fn the_verification_mail_is_rendered_with_both_parts_and_a_message_id(app: roster_tests::TestApp) {
    let ana = app.sign_up("ana").await;
    let mail = app.smtp.wait_for_matching(&ana.email, "/console/verify-email?token=", 1).await;
    let text = mail.text();
    assert!(text.contains("Message-ID: <"), "{text}");
    assert!(text.contains("Subject: Confirm your email for Roster"), "{text}");
    assert!(
        text.contains("multipart/alternative") && text.contains("text/plain") && text.contains("text/html")
    );
    assert!(text.contains("Confirm my email"), "the HTML part's button: {text}");
    assert!(text.contains("expires in 24 hours"), "{text}");
}
