//! The mails as rendered: link templates that send people to the app's own pages, the
//! operator's product name, and names from users that cannot carry a link.

use clap::Parser as _;
use roster_server::cli::Cli;
use roster_tests::flows::{PASSWORD, org};
use roster_tests::{TestApp, backend_tests};
use serde_json::json;

backend_tests!(every_mail_links_to_the_apps_own_pages with own_pages, a_name_chosen_by_a_user_cannot_carry_a_link,);

fn own_pages(settings: &mut roster_server::Settings) {
    settings.product_name = "Acme Cloud".into();
    settings.links.invitation = Some("https://app.example.com/join/{token}?from=mail".into());
    settings.links.verify_email = Some("https://app.example.com/verify#{token}".into());
    settings.links.reset_password = Some("https://app.example.com/reset?t={token}".into());
}

/// The token after `prefix` in the message's text.
fn token_after(text: &str, prefix: &str) -> String {
    let start = text.find(prefix).unwrap_or_else(|| panic!("no {prefix} in {text}")) + prefix.len();
    text[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect()
}

async fn every_mail_links_to_the_apps_own_pages(app: TestApp) {
    let admin = app.sign_up("admin").await;
    let verification =
        app.smtp.wait_for_matching(&admin.email, "https://app.example.com/verify#", 1).await.text();
    assert!(verification.contains("Subject: Confirm your email for Acme Cloud"), "{verification}");
    let token = token_after(&verification, "https://app.example.com/verify#");
    let verified = app.graphql_as(
        Some(&admin.token),
        "mutation($t: String!) { verifyEmail(token: $t) { __typename } }",
        json!({ "t": token }),
    );
    assert_eq!(verified.await["data"]["verifyEmail"]["__typename"], "VerifyEmailSuccess");

    let acme = app.create_org(&admin, "Acme").await;
    app.invite_ok(&admin, org(&acme), "bob@example.com", None).await;
    let invitation =
        app.smtp.wait_for_matching("bob@example.com", "https://app.example.com/join/", 1).await.text();
    assert!(invitation.contains("?from=mail"), "{invitation}");
    assert!(invitation.contains("on Acme Cloud"), "{invitation}");
    let token = token_after(&invitation, "https://app.example.com/join/");
    assert_eq!(
        app.accept(None, &token, Some(PASSWORD), Some("Bob")).await["__typename"],
        "AcceptInvitationSuccess"
    );

    let request = "mutation { requestPasswordReset(email: \"admin@example.com\") { __typename } }";
    app.graphql(request, json!({})).await;
    let reset = app.smtp.wait_for_matching(&admin.email, "https://app.example.com/reset?t=", 1).await.text();
    assert!(reset.contains("Subject: Reset your Acme Cloud password"), "{reset}");
    let token = token_after(&reset, "https://app.example.com/reset?t=");
    let done = app
        .graphql(
            "mutation($t: String!) { resetPassword(token: $t, password: \"fresh password\") { __typename } }",
            json!({ "t": token }),
        )
        .await;
    assert_eq!(done["data"]["resetPassword"]["__typename"], "ResetPasswordSuccess", "{done}");
}

async fn a_name_chosen_by_a_user_cannot_carry_a_link(app: TestApp) {
    let name = "<b>Win</b> a prize at https://evil.example/claim now, and much more text that goes on and on";
    let mal = app.sign_up_as("mal@example.com", name).await;
    let acme = app.create_org(&mal, "Acme").await;
    app.invite_ok(&mal, org(&acme), "bob@example.com", None).await;
    let mail = app.smtp.wait_for_invitation("bob@example.com", 1).await.text();
    assert!(!mail.contains("evil.example"), "no link but the operator's: {mail}");
    let html = &mail[mail.find("Content-Type: text/html").expect("an HTML part")..];
    assert!(!html.contains("<b>Win") && html.contains("&lt;b&gt;Win"), "escaped in HTML: {html}");
    let hrefs = html.matches("href=").count();
    let accept = html.matches("href=\"http:&#x2f;&#x2f;127.0.0.1&#x2f;console&#x2f;accept?token=").count();
    assert_eq!((hrefs, accept), (2, 2), "the HTML links only to the accept page: {html}");
    assert!(!mail.contains("goes on and on"), "cut short: {mail}");
    let links = mail.matches("://").count();
    assert_eq!(
        links,
        mail.matches("http://127.0.0.1/console/accept?token=").count(),
        "only the accept link: {mail}"
    );
    assert!(links > 0);
}

#[test]
fn a_link_template_without_a_token_is_refused_at_startup() {
    for flag in ["--invitation-url", "--verify-email-url", "--reset-password-url"] {
        let cli = Cli::try_parse_from(["roster", flag, "https://app.example.com/accept"]).expect("parses");
        let error = cli.settings.settings().expect_err("refused").to_string();
        assert!(error.contains("{token}"), "{error}");
    }
    let cli = Cli::try_parse_from(["roster", "--invitation-url", "https://app.example.com/a/{token}"])
        .expect("parses");
    let settings = cli.settings.settings().expect("accepted");
    assert_eq!(settings.links.invitation.as_deref(), Some("https://app.example.com/a/{token}"));
}

/// The README shows the invitation mail as it is rendered: its subject and text part.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_shows_the_invitation_mail_as_it_arrives() {
    let app = TestApp::spawn_with(roster_tests::Backend::Sqlite, |s| {
        s.public_url = "https://roster.example.com".into();
    })
    .await;
    let ana = app.sign_up_as("ana@example.com", "Ana").await;
    let acme = app.create_org(&ana, "Acme").await;
    app.invite_ok(&ana, org(&acme), "bob@example.com", None).await;
    let mail = app.smtp.wait_for_invitation("bob@example.com", 1).await;
    let token = mail.token().expect("a token");
    let text = mail.text().replace("\r\n", "\n").replace(&token, "<token>");
    let subject = text.lines().find(|l| l.starts_with("Subject: ")).expect("a subject");
    let body_start = text.find("Content-Type: text/plain").expect("a text part");
    let body = &text[body_start..];
    let body = &body[body.find("\n\n").expect("part headers end") + 2..];
    let boundary = text.split("boundary=\"").nth(1).and_then(|b| b.split('"').next()).expect("a boundary");
    let body = &body[..body.find(&format!("\n--{boundary}")).expect("the part ends")];
    let shown = format!("```text\n{subject}\n\n{body}\n```");
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).expect("README.md");
    assert!(readme.contains(&shown), "the README should show the mail as it arrives:\n{shown}");
}
