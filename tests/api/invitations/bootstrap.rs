//! The first admin of a closed server: `roster admin create-organization`, run as an operator
//! would, with sign-up and organization creation closed to users.

use clap::Parser as _;
use roster_db::DatabaseUrl;
use roster_server::cli::Cli;
use roster_tests::flows::org;
use roster_tests::{TestApp, backend_tests};
use serde_json::json;

backend_tests!(the_operator_command_brings_the_first_admin_of_a_closed_server with closed);

fn closed(settings: &mut roster_server::Settings) {
    settings.signup_open = false;
    settings.org_creation_open = false;
}

/// Runs `roster ARGS…` against the app's database and mail server; what it printed.
async fn roster(app: &TestApp, args: &[&str]) -> Result<String, String> {
    let url = match &app.database_url {
        DatabaseUrl::Sqlite(path) => format!("sqlite://{}", path.display()),
        DatabaseUrl::Postgres(url) => url.clone(),
    };
    let smtp = app.smtp.url();
    let mut argv =
        vec!["roster", "--database-url", &url, "--smtp-url", &smtp, "--public-url", "http://127.0.0.1"];
    argv.extend_from_slice(args);
    let cli = Cli::try_parse_from(argv).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    roster_server::cli::run(cli, &mut out).await?;
    Ok(String::from_utf8(out).expect("UTF-8"))
}

async fn the_operator_command_brings_the_first_admin_of_a_closed_server(app: TestApp) {
    let sign_up = app
        .graphql(
            "mutation { signUp(email: \"olga@example.com\", password: \"correct horse\") { __typename } }",
            json!({}),
        )
        .await;
    assert_eq!(sign_up["data"]["signUp"]["__typename"], "NotAuthorizedError", "sign-up is closed");

    let printed =
        roster(&app, &["admin", "create-organization", "--name", "Acme", "--admin", "Olga@Example.com"])
            .await
            .expect("the command succeeds");
    assert!(printed.contains("Created organization \"Acme\""), "{printed}");
    assert!(printed.contains("Mailed it to Olga@Example.com"), "{printed}");
    let mail = app.smtp.wait_for_invitation("Olga@Example.com", 1).await;
    let token = mail.token().expect("a link");
    assert!(
        printed.contains(&format!("/console/accept?token={token}")),
        "the printed link is the mailed one"
    );
    assert!(mail.text().contains("You have been invited to join Acme"), "no inviter: {}", mail.text());

    let olga = app.accept_new(&token, "Olga@Example.com").await;
    let created = app.graphql_as(Some(&olga.token), "{ myOrganizations { id name } }", json!({})).await;
    let acme = created["data"]["myOrganizations"][0]["id"].as_str().expect("her organization").to_owned();
    let me = app.member_in(&olga, org(&acme), &olga.id).await.expect("listed");
    assert_eq!((me["role"].clone(), me["status"].clone()), (json!("ADMIN"), json!("VERIFIED")));
    let log = app.audit(&olga, &acme).await;
    let codes: Vec<_> = log.iter().map(|e| e["code"].as_str().unwrap_or_default()).collect();
    assert_eq!(codes, ["INVITATION_ACCEPTED", "MEMBER_INVITED", "ORGANIZATION_CREATED"], "{log:?}");
    assert_eq!(log[2]["actor"], json!(null), "the operator, not a user");
    // She administers it: she can invite.
    app.invite_ok(&olga, org(&acme), "pete@example.com", None).await;
    // But creating organizations stays the operator's.
    let create = app
        .graphql_as(
            Some(&olga.token),
            "mutation { createOrganization(name: \"Mine\") { __typename ... on Error { message } } }",
            json!({}),
        )
        .await;
    assert_eq!(create["data"]["createOrganization"]["__typename"], "NotAuthorizedError", "{create}");

    let invalid =
        roster(&app, &["admin", "create-organization", "--name", " ", "--admin", "x@example.com"]).await;
    assert!(invalid.expect_err("refused").contains("--name"));
    let invalid =
        roster(&app, &["admin", "create-organization", "--name", "Beta", "--admin", "not-an-email"]).await;
    assert!(invalid.expect_err("refused").contains("--admin"));
    let organizations = roster_tests::count_rows(&app, "organizations").await;
    assert_eq!(organizations, 1, "refused commands create nothing");
}
