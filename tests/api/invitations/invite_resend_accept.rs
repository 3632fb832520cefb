//! Inviting, resending and accepting.

use roster_tests::backend_tests;
use roster_tests::flows::{PASSWORD, org, team};
use serde_json::{Value, json};

backend_tests!(
    invite_validates_email_role_and_duplicates,
    an_invitation_looks_the_same_whether_or_not_the_email_had_an_account,
    a_new_invitee_sets_a_password_and_becomes_verified_and_signed_in,
    an_existing_account_must_prove_itself_and_its_password_is_never_replaced,
    an_existing_account_may_accept_with_its_password,
    accepting_a_team_invitation_joins_the_organization_too,
    unknown_and_malformed_tokens_get_one_answer,
    expired_links_are_invalid,
    resend_is_rate_limited_per_invitation_and_only_for_pending_members,
    an_smtp_outage_loses_no_email_and_fails_no_mutation,
);

async fn invite_validates_email_role_and_duplicates(app: roster_tests::TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let design = app.create_team(&admin, &acme, "Design").await;
    let bad = app.invite(Some(&admin), org(&acme), "not-an-email", None).await;
    assert_eq!((bad["__typename"].clone(), bad["field"].clone()), (json!("ValidationError"), json!("email")));
    let owner_in_org = app.invite(Some(&admin), org(&acme), "x@example.com", Some("OWNER")).await;
    assert_eq!(
        (owner_in_org["__typename"].clone(), owner_in_org["field"].clone()),
        (json!("ValidationError"), json!("role"))
    );
    let admin_in_team = app.invite(Some(&admin), team(&design), "x@example.com", Some("ADMIN")).await;
    assert_eq!(admin_in_team["__typename"], "ValidationError");
    app.invite_ok(&admin, org(&acme), "Bob@Example.com", None).await;
    let again = app.invite(Some(&admin), org(&acme), " bob@example.COM ", None).await;
    assert_eq!(again["__typename"], "AlreadyMemberError", "{again}");
    let verified = app.invite(Some(&admin), org(&acme), "admin@example.com", None).await;
    assert_eq!(verified["__typename"], "AlreadyMemberError", "{verified}");
    // Refused invitations left nothing behind: one pending member besides the admin.
    assert_eq!(app.members(&admin, org(&acme)).await.len(), 2);
}

async fn an_invitation_looks_the_same_whether_or_not_the_email_had_an_account(app: roster_tests::TestApp) {
    let admin = app.sign_up("admin").await;
    app.sign_up("known").await;
    let acme = app.create_org(&admin, "Acme").await;
    let mut known = app.invite(Some(&admin), org(&acme), "known@example.com", None).await;
    let mut unknown = app.invite(Some(&admin), org(&acme), "unknown@example.com", None).await;
    for result in [&mut known, &mut unknown] {
        result["member"]["user"]["id"] = Value::Null;
        result["member"]["user"]["email"] = Value::Null;
    }
    assert_eq!(known, unknown);
}

async fn a_new_invitee_sets_a_password_and_becomes_verified_and_signed_in(app: roster_tests::TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let bob = app.invite_ok(&admin, org(&acme), "bob@example.com", None).await;
    let link = app.invitation_token("bob@example.com", 1).await;
    let short = app.accept(None, &link, Some("short"), Some("Bob")).await;
    assert_eq!(
        (short["__typename"].clone(), short["field"].clone()),
        (json!("ValidationError"), json!("password"))
    );
    let accepted = app.accept(None, &link, Some(PASSWORD), Some("Bob")).await;
    assert_eq!(accepted["__typename"], "AcceptInvitationSuccess", "{accepted}");
    assert_eq!(accepted["user"]["id"], bob.as_str());
    let token = accepted["token"].as_str().expect("a session token");
    let viewer = app.graphql_as(Some(token), "{ viewer { id displayName } }", json!({})).await;
    assert_eq!(viewer["data"]["viewer"], json!({ "id": bob, "displayName": "Bob" }));
    let row = app.member_in(&admin, org(&acme), &bob).await.expect("listed");
    assert_eq!(row["status"], "VERIFIED");
    assert!(row["joinedAt"].is_string());
    assert_eq!(row["invitedBy"]["id"], admin.id.as_str());
    // Single use.
    let again = app.accept(None, &link, Some(PASSWORD), Some("Bob")).await;
    assert_eq!(again["__typename"], "InvalidInvitationError");
    assert_eq!(app.audit(&admin, &acme).await[0]["action"], "User accepted invite");
}

async fn an_existing_account_must_prove_itself_and_its_password_is_never_replaced(
    app: roster_tests::TestApp,
) {
    let admin = app.sign_up("admin").await;
    let bob = app.sign_up("bob").await;
    app.verify(&bob).await;
    let acme = app.create_org(&admin, "Acme").await;
    app.invite_ok(&admin, org(&acme), "bob@example.com", None).await;
    let link = app.invitation_token("bob@example.com", 1).await;
    let hijack = app.accept(None, &link, Some("attacker password"), Some("Mallory")).await;
    assert_eq!(hijack["__typename"], "InvalidCredentialsError", "{hijack}");
    let stranger = app.sign_up("stranger").await;
    let other_account = app.accept(Some(&stranger), &link, None, None).await;
    assert_eq!(other_account["__typename"], "InvalidCredentialsError");
    // Bob's password still works, and the attacker's does not.
    let sign_in = |password: &'static str| {
        app.graphql(
            "mutation($p: String!) { signIn(email: \"bob@example.com\", password: $p) { __typename } }",
            json!({ "p": password }),
        )
    };
    assert_eq!(sign_in("attacker password").await["data"]["signIn"]["__typename"], "InvalidCredentialsError");
    assert_eq!(sign_in(PASSWORD).await["data"]["signIn"]["__typename"], "SignInSuccess");
    // Signed in as Bob, the token suffices.
    let accepted = app.accept(Some(&bob), &link, None, None).await;
    assert_eq!(accepted["__typename"], "AcceptInvitationSuccess", "{accepted}");
}

async fn an_existing_account_may_accept_with_its_password(app: roster_tests::TestApp) {
    let admin = app.sign_up("admin").await;
    let bob = app.sign_up("bob").await;
    app.verify(&bob).await;
    let acme = app.create_org(&admin, "Acme").await;
    app.invite_ok(&admin, org(&acme), "bob@example.com", None).await;
    let link = app.invitation_token("bob@example.com", 1).await;
    let accepted = app.accept(None, &link, Some(PASSWORD), None).await;
    assert_eq!(accepted["__typename"], "AcceptInvitationSuccess", "{accepted}");
    assert_eq!(accepted["user"]["displayName"], "bob@example.com", "the existing name is kept");
}

async fn accepting_a_team_invitation_joins_the_organization_too(app: roster_tests::TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let design = app.create_team(&admin, &acme, "Design").await;
    let dana = app.member(&admin, team(&design), "dana", None).await;
    let in_org = app.member_in(&admin, org(&acme), &dana.id).await.expect("in the organization");
    assert_eq!((in_org["status"].clone(), in_org["role"].clone()), (json!("VERIFIED"), json!("MEMBER")));
    let my_teams = app
        .graphql_as(Some(&dana.token), "{ myTeams { id name organization { id name } } }", json!({}))
        .await;
    assert_eq!(
        my_teams["data"]["myTeams"],
        json!([{ "id": design, "name": "Design", "organization": { "id": acme, "name": "Acme" } }])
    );
    let my_orgs =
        app.graphql_as(Some(&dana.token), "{ myOrganizations { id teams { id } } }", json!({})).await;
    assert_eq!(my_orgs["data"]["myOrganizations"], json!([{ "id": acme, "teams": [{ "id": design }] }]));
}

async fn unknown_and_malformed_tokens_get_one_answer(app: roster_tests::TestApp) {
    let unknown = app.accept(None, "not-a-real-token", Some(PASSWORD), Some("X")).await;
    let empty = app.accept(None, "", Some(PASSWORD), Some("X")).await;
    assert_eq!(unknown["__typename"], "InvalidInvitationError");
    assert_eq!(unknown, empty);
}

async fn expired_links_are_invalid(app: roster_tests::TestApp) {
    let backend = app.backend;
    drop(app);
    let app = roster_tests::TestApp::spawn_with(backend, |s| {
        s.invitation_ttl = std::time::Duration::from_secs(1);
    })
    .await;
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    app.invite_ok(&admin, org(&acme), "bob@example.com", None).await;
    let link = app.invitation_token("bob@example.com", 1).await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let expired = app.accept(None, &link, Some(PASSWORD), Some("Bob")).await;
    assert_eq!(expired["__typename"], "InvalidInvitationError");
}

async fn resend_is_rate_limited_per_invitation_and_only_for_pending_members(app: roster_tests::TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let bob = app.invite_ok(&admin, org(&acme), "bob@example.com", None).await;
    for _ in 0..5 {
        assert_eq!(app.resend(Some(&admin), org(&acme), &bob).await["__typename"], "ResendInvitationSuccess");
    }
    let limited = app.resend(Some(&admin), org(&acme), &bob).await;
    assert_eq!(limited["__typename"], "RateLimitedError", "{limited}");
    assert!(limited["retryAfterSeconds"].as_i64().unwrap_or(0) > 0);
    // Another invitation is not limited by Bob's.
    let carol = app.invite_ok(&admin, org(&acme), "carol@example.com", None).await;
    assert_eq!(app.resend(Some(&admin), org(&acme), &carol).await["__typename"], "ResendInvitationSuccess");
    let verified = app.resend(Some(&admin), org(&acme), &admin.id).await;
    assert_eq!(verified["__typename"], "InvitationAlreadyAcceptedError");
}

async fn an_smtp_outage_loses_no_email_and_fails_no_mutation(app: roster_tests::TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    app.smtp.set_failing(true);
    app.invite_ok(&admin, org(&acme), "bob@example.com", None).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let to_bob =
        app.smtp.messages().into_iter().filter(|m| m.to.iter().any(|t| t == "bob@example.com")).count();
    assert_eq!(to_bob, 0, "nothing is delivered during the outage");
    app.smtp.set_failing(false);
    // The sender retries with backoff (2 s after the first failure).
    let link = app.invitation_token("bob@example.com", 1).await;
    let accepted = app.accept(None, &link, Some(PASSWORD), Some("Bob")).await;
    assert_eq!(accepted["__typename"], "AcceptInvitationSuccess", "{accepted}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_email_links_to_the_public_url() {
    let app = roster_tests::TestApp::spawn_with(roster_tests::Backend::Sqlite, |s| {
        s.public_url = "https://roster.example.com".into();
    })
    .await;
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    app.invite_ok(&admin, org(&acme), "bob@example.com", None).await;
    let text = app.smtp.wait_for_invitation("bob@example.com", 1).await.text();
    assert!(text.contains("https://roster.example.com/console/accept?token="), "{text}");
    assert!(text.contains("Acme"), "{text}");
}
