//! Account squatting fails: an account registered with someone else's address, never
//! verified, is taken over by the address's owner through an invitation or through the
//! verification link; a verified account is not. End to end through the emails, on both
//! backends.

use std::time::Duration;

use roster_tests::flows::{PASSWORD, org};
use roster_tests::ws::WsClient;
use roster_tests::{TestUser, backend_tests};
use serde_json::json;

backend_tests!(
    an_invitation_takes_over_an_unverified_squatters_account,
    a_verified_account_is_not_taken_over,
    the_owners_verification_link_reclaims_a_squatted_account,
    a_verification_link_needs_the_accounts_password_under_the_sign_in_limits with three_sign_in_attempts,
);

fn three_sign_in_attempts(settings: &mut roster_server::Settings) {
    settings.limits.signin_attempts = 3;
}

const VERIFY: &str = "mutation($t: String!, $p: String, $n: String) {
    verifyEmail(token: $t, password: $p, newPassword: $n) {
        __typename ... on Error { message } ... on ValidationError { field }
        ... on VerifyEmailSuccess { token user { id emailVerified } } } }";

/// `verifyEmail`'s result, as `token` (a session, or anonymous) with `password` or `new_password`.
async fn verify_as(
    app: &roster_tests::TestApp,
    session: Option<&str>,
    link: &str,
    password: Option<&str>,
    new_password: Option<&str>,
) -> serde_json::Value {
    let variables = json!({ "t": link, "p": password, "n": new_password });
    app.graphql_as(session, VERIFY, variables).await["data"]["verifyEmail"].clone()
}

async fn email_verified(app: &roster_tests::TestApp, session: &str) -> serde_json::Value {
    app.graphql_as(Some(session), "{ viewer { emailVerified } }", json!({})).await["data"]["viewer"]
        ["emailVerified"]
        .clone()
}

const SIGN_IN: &str = "mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { __typename } }";
const PREVIEW: &str = "query($t: String!) { invitation(token: $t) { email accountExists } }";

async fn an_invitation_takes_over_an_unverified_squatters_account(app: roster_tests::TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    // Mallory registers Vera's address first; the verification link goes to Vera, who
    // ignores it. Mallory keeps a session and a live subscription open.
    let squat = app
        .graphql(
            "mutation { signUp(email: \"vera@example.com\", password: \"mallory's password\", displayName: \"Vera (real)\") {
                ... on SignUpSuccess { token user { id } } } }",
            json!({}),
        )
        .await;
    let mallory_token = squat["data"]["signUp"]["token"].as_str().expect("signed up").to_owned();
    let vera_id = squat["data"]["signUp"]["user"]["id"].as_str().expect("an id").to_owned();
    let mallory =
        TestUser { id: vera_id.clone(), email: "vera@example.com".into(), token: mallory_token.clone() };
    let mallory_org = app.create_org(&mallory, "Mallory's").await;
    let mut socket = WsClient::member_events(app.addr, &mallory_token, org(&mallory_org), None).await;

    // The admin invites Vera; her link shows that she chooses a password.
    app.invite_ok(&admin, org(&acme), "vera@example.com", None).await;
    let link = app.invitation_token("vera@example.com", 1).await;
    let preview = app.graphql(PREVIEW, json!({ "t": link })).await;
    assert_eq!(preview["data"]["invitation"], json!({ "email": "vera@example.com", "accountExists": false }));
    let missing = app.accept(None, &link, Some("veras own password"), None).await;
    assert_eq!(
        (missing["__typename"].clone(), missing["field"].clone()),
        (json!("ValidationError"), json!("displayName"))
    );
    let accepted = app.accept(None, &link, Some("veras own password"), Some("Vera")).await;
    assert_eq!(accepted["__typename"], "AcceptInvitationSuccess", "{accepted}");
    assert_eq!(accepted["user"]["id"], vera_id.as_str(), "the same account, now Vera's");
    assert_eq!(accepted["user"]["displayName"], "Vera");
    let vera_token = accepted["token"].as_str().expect("a session").to_owned();

    // Mallory is out: her session, her socket and her password are dead.
    assert_eq!(socket.closed_with(Duration::from_secs(5)).await, Some(4403), "the squatter's socket closes");
    let viewer = app.graphql_as(Some(&mallory_token), "{ viewer { id } }", json!({})).await;
    assert_eq!(viewer["data"]["viewer"], json!(null));
    let mallory = app.graphql(SIGN_IN, json!({ "e": "vera@example.com", "p": "mallory's password" })).await;
    assert_eq!(mallory["data"]["signIn"]["__typename"], "InvalidCredentialsError");
    let vera = app.graphql(SIGN_IN, json!({ "e": "vera@example.com", "p": "veras own password" })).await;
    assert_eq!(vera["data"]["signIn"]["__typename"], "SignInSuccess");
    let verified = app.graphql_as(Some(&vera_token), "{ viewer { emailVerified } }", json!({})).await;
    assert_eq!(verified["data"]["viewer"]["emailVerified"], true);
    // And the organization's audit log says so.
    let codes: Vec<_> = app.audit(&admin, &acme).await.iter().map(|e| e["code"].clone()).collect();
    assert_eq!(codes[..2], [json!("INVITATION_ACCEPTED"), json!("ACCOUNT_RECLAIMED")], "{codes:?}");
}

async fn a_verified_account_is_not_taken_over(app: roster_tests::TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let vera = app.sign_up("vera").await;
    app.verify(&vera).await;
    app.invite_ok(&admin, org(&acme), &vera.email, None).await;
    let link = app.invitation_token(&vera.email, 1).await;
    let preview = app.graphql(PREVIEW, json!({ "t": link })).await;
    assert_eq!(preview["data"]["invitation"]["accountExists"], true, "the page asks for her password");
    // Whoever holds the link without the password gets nowhere.
    let attempt = app.accept(None, &link, Some("a new password"), Some("Not Vera")).await;
    assert_eq!(attempt["__typename"], "InvalidCredentialsError", "{attempt}");
    let viewer = app.graphql_as(Some(&vera.token), "{ viewer { displayName } }", json!({})).await;
    assert_eq!(viewer["data"]["viewer"]["displayName"], vera.email.as_str(), "her session and name stand");
    let signed_in = app.graphql(SIGN_IN, json!({ "e": vera.email, "p": PASSWORD })).await;
    assert_eq!(signed_in["data"]["signIn"]["__typename"], "SignInSuccess", "her password stands");
    // With it, she joins, and nothing else of hers changes.
    let accepted = app.accept(None, &link, Some(PASSWORD), None).await;
    assert_eq!(accepted["__typename"], "AcceptInvitationSuccess", "{accepted}");
    let still = app.graphql_as(Some(&vera.token), "{ viewer { id } }", json!({})).await;
    assert_eq!(still["data"]["viewer"]["id"], vera.id.as_str(), "her other sessions live on");
}

async fn the_owners_verification_link_reclaims_a_squatted_account(app: roster_tests::TestApp) {
    // Mallory registers Vera's address and keeps a session and a live subscription open; the
    // verification link goes to Vera.
    let mallory = app.sign_up_as("vera@example.com", "Vera (real)").await;
    let mallory_org = app.create_org(&mallory, "Mallory's").await;
    let mut socket = WsClient::member_events(app.addr, &mallory.token, org(&mallory_org), None).await;
    let link = app.verification_token("vera@example.com", 1).await;

    // A link scanner (or Vera's first click) opens it without a password: nothing happens, and
    // the link still works.
    let scanned = verify_as(&app, None, &link, None, None).await;
    assert_eq!(scanned["__typename"], "PasswordRequiredError", "{scanned}");
    assert_eq!(email_verified(&app, &mallory.token).await, false, "Mallory gained nothing");
    let wrong = verify_as(&app, None, &link, Some("a guess at it"), None).await;
    assert_eq!(wrong["__typename"], "InvalidCredentialsError", "{wrong}");
    let short = verify_as(&app, None, &link, None, Some("short")).await;
    assert_eq!(
        (short["__typename"].clone(), short["field"].clone()),
        (json!("ValidationError"), json!("newPassword"))
    );
    assert_eq!(email_verified(&app, &mallory.token).await, false);

    // Vera chooses a new password: the account is hers, verified, and signed in afresh.
    let reclaimed = verify_as(&app, None, &link, None, Some("veras own password")).await;
    assert_eq!(reclaimed["__typename"], "VerifyEmailSuccess", "{reclaimed}");
    assert_eq!(reclaimed["user"], json!({ "id": mallory.id, "emailVerified": true }));
    let vera_token = reclaimed["token"].as_str().expect("a new session").to_owned();
    assert_eq!(email_verified(&app, &vera_token).await, true);
    // The name Mallory chose for the account went with her.
    let named = app.graphql_as(Some(&vera_token), "{ viewer { displayName } }", json!({})).await;
    assert_eq!(named["data"]["viewer"]["displayName"], json!(null), "{named}");

    // Mallory is out: her session, her socket and her password are dead.
    assert_eq!(socket.closed_with(Duration::from_secs(5)).await, Some(4403), "the squatter's socket closes");
    let viewer = app.graphql_as(Some(&mallory.token), "{ viewer { id } }", json!({})).await;
    assert_eq!(viewer["data"]["viewer"], json!(null));
    let old = app.graphql(SIGN_IN, json!({ "e": "vera@example.com", "p": PASSWORD })).await;
    assert_eq!(old["data"]["signIn"]["__typename"], "InvalidCredentialsError");
    let new = app.graphql(SIGN_IN, json!({ "e": "vera@example.com", "p": "veras own password" })).await;
    assert_eq!(new["data"]["signIn"]["__typename"], "SignInSuccess");
    let again = verify_as(&app, None, &link, None, Some("another password")).await;
    assert_eq!(again["__typename"], "InvalidTokenError", "the link is used up: {again}");
}

async fn a_verification_link_needs_the_accounts_password_under_the_sign_in_limits(
    app: roster_tests::TestApp,
) {
    let ana = app.sign_up("ana").await;
    let link = app.verification_token(&ana.email, 1).await;
    // Another account's session proves nothing about this one.
    let bob = app.sign_up("bob").await;
    let bobs_link = app.verification_token(&bob.email, 1).await;
    let as_ana = verify_as(&app, Some(&ana.token), &bobs_link, None, None).await;
    assert_eq!(as_ana["__typename"], "PasswordRequiredError", "{as_ana}");
    // With his password, from anywhere, Bob verifies, and keeps his session.
    let with_password = verify_as(&app, None, &bobs_link, Some(PASSWORD), None).await;
    assert_eq!(with_password["__typename"], "VerifyEmailSuccess", "{with_password}");
    assert_eq!(with_password["token"], json!(null));
    assert_eq!(email_verified(&app, &bob.token).await, true);

    // Wrong passwords count against the sign-in limits (three here), and use nothing up.
    for _ in 0..3 {
        let wrong = verify_as(&app, None, &link, Some("not her password"), None).await;
        assert_eq!(wrong["__typename"], "InvalidCredentialsError", "{wrong}");
    }
    let limited = verify_as(&app, None, &link, Some(PASSWORD), None).await;
    assert_eq!(limited["__typename"], "RateLimitedError", "{limited}");
    let sign_in = app.graphql(SIGN_IN, json!({ "e": ana.email, "p": PASSWORD })).await;
    assert_eq!(sign_in["data"]["signIn"]["__typename"], "RateLimitedError", "one limit for both");
    assert_eq!(email_verified(&app, &ana.token).await, false);

    // Signed in as the account, the link verifies without a password, and changes nothing else.
    let verified = verify_as(&app, Some(&ana.token), &link, None, None).await;
    assert_eq!(verified["__typename"], "VerifyEmailSuccess", "{verified}");
    assert_eq!(verified["token"], json!(null), "no new session");
    assert_eq!(verified["user"], json!({ "id": ana.id, "emailVerified": true }));
    assert_eq!(email_verified(&app, &ana.token).await, true, "her session stands");
}
