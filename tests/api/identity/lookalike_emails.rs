//! Emails compare on a canonical form (the local part in NFKC and lower case, the domain in
//! IDNA ASCII form), never on Unicode lower case alone: a lookalike address ("\u{212A}im", a
//! Kelvin sign) is refused rather than matched to the account it imitates, a stored address is
//! never rewritten by a match, and older accounts that collide under the canonical form are
//! kept, listed by `roster migrate`, and keep sign-up from taking the address.

use clap::Parser as _;
use roster_db::DatabaseUrl;
use roster_server::cli::Cli;
use roster_tests::flows::org;
use roster_tests::{TestApp, backend_tests, count_rows, execute_sql};
use serde_json::{Value, json};

backend_tests!(
    a_lookalike_email_cannot_claim_or_rewrite_an_account,
    one_domain_in_unicode_or_ascii_is_one_address,
    colliding_older_accounts_are_kept_listed_and_refused_at_sign_up,
);

const SIGN_UP: &str = "mutation($email: String!) {
    signUp(email: $email, password: \"correct horse\", displayName: \"Someone\") {
        __typename ... on Error { message } ... on ValidationError { field }
        ... on SignUpSuccess { token user { id email } } } }";

async fn sign_up(app: &TestApp, email: &str) -> Value {
    app.graphql(SIGN_UP, json!({ "email": email })).await["data"]["signUp"].clone()
}

async fn a_lookalike_email_cannot_claim_or_rewrite_an_account(app: TestApp) {
    let ana = app.sign_up("ana").await;
    let acme = app.create_org(&ana, "Acme").await;
    // kim is invited: an account without a password, which a sign-up of her address claims.
    let kim = app.invite_ok(&ana, org(&acme), "kim@example.com", None).await;

    for lookalike in ["\u{212A}im@example.com", "\u{FF4B}im@example.com", "\u{FF2B}IM@example.com"] {
        let refused = sign_up(&app, lookalike).await;
        assert_eq!(refused["__typename"], "ValidationError", "{lookalike:?}: {refused}");
        assert_eq!(refused["field"], "email", "{refused}");
        let invited = app.invite(Some(&ana), org(&acme), lookalike, None).await;
        assert_eq!(invited["__typename"], "ValidationError", "{lookalike:?}: {invited}");
        assert_eq!(invited["field"], "email", "{invited}");
    }
    assert_eq!(count_rows(&app, "users").await, 2, "no account was made for a lookalike");

    // Another spelling of the same address claims the account, and the address stays as kim
    // was invited: mail goes where the invitation went.
    let claimed = sign_up(&app, "KIM@Example.COM").await;
    assert_eq!(claimed["__typename"], "SignUpSuccess", "{claimed}");
    assert_eq!(claimed["user"]["id"], kim.as_str());
    assert_eq!(claimed["user"]["email"], "kim@example.com", "the stored address is not rewritten");
    let viewer = app.graphql_as(claimed["token"].as_str(), "{ viewer { email } }", json!({})).await;
    assert_eq!(viewer["data"]["viewer"]["email"], "kim@example.com", "{viewer}");
    let verification = app.smtp.wait_for_matching("kim@example.com", "/console/verify-email?token=", 1).await;
    assert_eq!(verification.to, vec!["kim@example.com".to_owned()]);

    // Any spelling that compares equal signs in.
    let sign_in =
        "mutation($email: String!) { signIn(email: $email, password: \"correct horse\") { __typename } }";
    let signed_in = app.graphql(sign_in, json!({ "email": "Kim@example.com" })).await;
    assert_eq!(signed_in["data"]["signIn"]["__typename"], "SignInSuccess", "{signed_in}");
}

async fn one_domain_in_unicode_or_ascii_is_one_address(app: TestApp) {
    let first = sign_up(&app, "Lea@Bücher.example").await;
    assert_eq!(first["__typename"], "SignUpSuccess", "{first}");
    assert_eq!(first["user"]["email"], "Lea@Bücher.example", "kept as typed");
    for same in ["lea@xn--bcher-kva.example", "LEA@BÜCHER.EXAMPLE", "lea@XN--BCHER-KVA.EXAMPLE"] {
        let again = sign_up(&app, same).await;
        assert_eq!(again["__typename"], "EmailTakenError", "{same:?}: {again}");
    }
    let sign_in =
        "mutation($email: String!) { signIn(email: $email, password: \"correct horse\") { __typename } }";
    let signed_in = app.graphql(sign_in, json!({ "email": "lea@xn--bcher-kva.example" })).await;
    assert_eq!(signed_in["data"]["signIn"]["__typename"], "SignInSuccess", "{signed_in}");
}

/// Runs `roster migrate` against the app's database; what it printed.
async fn roster_migrate(app: &TestApp) -> String {
    let url = match &app.database_url {
        DatabaseUrl::Sqlite(path) => format!("sqlite://{}", path.display()),
        DatabaseUrl::Postgres(url) => url.clone(),
    };
    let cli = Cli::try_parse_from(["roster", "--database-url", &url, "migrate"]).expect("parses");
    let mut out = Vec::new();
    roster_server::cli::run(cli, &mut out).await.expect("roster migrate succeeds");
    String::from_utf8(out).expect("UTF-8")
}

async fn colliding_older_accounts_are_kept_listed_and_refused_at_sign_up(app: TestApp) {
    // Two accounts from before canonical forms, as the migration leaves them: their lower-case
    // keys differ, their canonical forms do not, and neither has one yet. The first is an
    // invitee without a password, which a sign-up would otherwise claim.
    for (id, email, created) in [
        ("usr_legacy1", "jo@bücher.example", "2026-01-01 00:00:00"),
        ("usr_legacy2", "jo@xn--bcher-kva.example", "2026-01-02 00:00:00"),
    ] {
        let sql = format!(
            "INSERT INTO users (id, email, email_key, created_at) VALUES ('{id}', '{email}', '{email}', '{created}')"
        );
        assert_eq!(execute_sql(&app, &sql).await, 1);
    }
    let printed = roster_migrate(&app).await;
    assert!(
        printed.contains(
            "jo@xn--bcher-kva.example: usr_legacy1 <jo@bücher.example> keeps it; usr_legacy2 <jo@xn--bcher-kva.example> waits"
        ),
        "{printed}"
    );
    assert_eq!(count_rows(&app, "users").await, 2, "both kept");

    for spelling in ["jo@bücher.example", "JO@xn--bcher-kva.example"] {
        let refused = sign_up(&app, spelling).await;
        assert_eq!(refused["__typename"], "EmailTakenError", "{spelling:?}: {refused}");
    }
    assert_eq!(count_rows(&app, "users").await, 2);
    // Run again, it lists the conflict again: it is not forgotten.
    assert!(roster_migrate(&app).await.contains("usr_legacy2"));

    // The operator resolves it by removing the newer account; the address is free again, and
    // sign-up claims the remaining invitee's account as for any other.
    assert_eq!(execute_sql(&app, "DELETE FROM users WHERE id = 'usr_legacy2'").await, 1);
    assert_eq!(roster_migrate(&app).await, "", "no conflict left");
    let claimed = sign_up(&app, "jo@xn--bcher-kva.example").await;
    assert_eq!(claimed["__typename"], "SignUpSuccess", "{claimed}");
    assert_eq!(claimed["user"]["id"], "usr_legacy1");
    assert_eq!(claimed["user"]["email"], "jo@bücher.example", "not rewritten");
}
