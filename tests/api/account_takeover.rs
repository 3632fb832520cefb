//! Account squatting fails: an account registered with someone else's address, never
//! verified, is taken over by the address's owner through an invitation; a verified account
//! is not. End to end through the emails, on both backends.

use std::time::Duration;

use roster_tests::flows::{PASSWORD, org};
use roster_tests::ws::WsClient;
use roster_tests::{TestUser, backend_tests};
use serde_json::json;

backend_tests!(
    an_invitation_takes_over_an_unverified_squatters_account,
    a_verified_account_is_not_taken_over,
);

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
