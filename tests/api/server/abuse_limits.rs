//! Abuse limits: sign-in, acceptInvitation, invitations and resends. Each is counted in the
//! database before the work, so parallel requests cannot pass together, and it holds across
//! replicas. Client addresses come from `X-Forwarded-For` only behind a trusted proxy.

use futures_util::future::join_all;
use roster_tests::flows::{PASSWORD, org, team};
use roster_tests::{TestApp, backend_tests};
use serde_json::{Value, json};

const SIGN_IN: &str = "mutation($email: String!, $password: String!) {
    signIn(email: $email, password: $password) {
        __typename ... on RateLimitedError { retryAfterSeconds } ... on SignInSuccess { token } } }";

/// A sign-in from `address` (sent as X-Forwarded-For; believed only behind a trusted proxy).
async fn sign_in_from(app: &TestApp, address: &str, email: &str, password: &str) -> Value {
    let vars = json!({ "email": email, "password": password });
    let answer = app.graphql_with(None, &[("x-forwarded-for", address)], SIGN_IN, vars).await;
    answer["data"]["signIn"].clone()
}

fn typename(result: &Value) -> &str {
    result["__typename"].as_str().unwrap_or_default()
}

fn behind_a_proxy(settings: &mut roster_server::Settings) {
    settings.http.trusted_proxies =
        roster_server::client::TrustedProxies::parse(&["127.0.0.1".into()]).expect("valid");
}

backend_tests!(
    a_hundred_parallel_sign_ins_evaluate_at_most_the_limit,
    an_attacker_cannot_lock_the_owner_out with an_attacker_cannot_lock_the_owner_out_settings,
    one_address_guessing_many_emails_is_limited with one_address_guessing_many_emails_is_limited_settings,
    x_forwarded_for_is_ignored_unless_the_peer_is_trusted,
    the_limit_holds_across_replicas with the_limit_holds_across_replicas_settings,
    accept_attempts_are_limited_per_address_and_counted_per_field with accept_attempts_are_limited_per_address_and_counted_per_field_settings,
    an_organization_and_an_inviter_have_daily_invitation_limits with an_organization_and_an_inviter_have_daily_invitation_limits_settings,
    cancelling_and_inviting_again_does_not_reset_the_resend_limit,
    a_fresh_address_gets_one_guess_per_window_not_per_drained_bucket with behind_a_proxy,
    an_ipv6_client_is_limited_by_its_64 with behind_a_proxy,
    sign_ups_are_limited_per_address_before_any_mail_or_hashing with production_abuse_limits,
    creating_organizations_is_limited_per_user_and_per_address with production_abuse_limits,
    an_unverified_account_may_send_ten_invitations_a_day with production_abuse_limits,
    an_unverified_accounts_resends_count_against_its_allowance with three_unverified_invitations,
);

fn three_unverified_invitations(settings: &mut roster_server::Settings) {
    settings.limits.unverified_invites_per_day = 3;
}

/// The limits of sign-up, organization creation and unverified inviters as `roster serve`
/// sets them by default (the test settings turn them off), behind a trusted proxy.
fn production_abuse_limits(settings: &mut roster_server::Settings) {
    behind_a_proxy(settings);
    let defaults = roster_server::settings::AbuseLimits::default();
    settings.limits.signups_per_hour = defaults.signups_per_hour;
    settings.limits.org_creations_per_day = defaults.org_creations_per_day;
    settings.limits.unverified_invites_per_day = defaults.unverified_invites_per_day;
}

const SIGN_UP: &str = "mutation($email: String!) {
    signUp(email: $email, password: \"correct horse\", displayName: \"Visit victim.example\") {
        __typename ... on RateLimitedError { retryAfterSeconds } ... on SignUpSuccess { token user { id } } } }";

async fn sign_up_from(app: &TestApp, address: &str, email: &str) -> Value {
    let answer =
        app.graphql_with(None, &[("x-forwarded-for", address)], SIGN_UP, json!({ "email": email })).await;
    answer["data"]["signUp"].clone()
}

const CREATE_ORG: &str = "mutation($name: String!) { createOrganization(name: $name) {
    __typename ... on RateLimitedError { retryAfterSeconds } } }";

async fn create_org_from(app: &TestApp, address: &str, token: &str, name: &str) -> String {
    let headers = [("x-forwarded-for", address), ("authorization", &format!("Bearer {token}"))];
    let answer = app.graphql_with(None, &headers, CREATE_ORG, json!({ "name": name })).await;
    typename(&answer["data"]["createOrganization"]).to_owned()
}

/// Moves every rate limit `seconds` into the past, as if that much time had gone by.
async fn time_passes(app: &TestApp, seconds: i64) {
    let micros = seconds * 1_000_000;
    roster_tests::execute_sql(app, &format!("UPDATE rate_limits SET tat = tat - {micros}")).await;
}

async fn a_hundred_parallel_sign_ins_evaluate_at_most_the_limit(app: roster_tests::TestApp) {
    app.sign_up("ana").await;
    let attempts = (0..100).map(|_| sign_in_from(&app, "203.0.113.1", "ana@example.com", "wrong password"));
    let results = join_all(attempts).await;
    let evaluated = results.iter().filter(|r| typename(r) == "InvalidCredentialsError").count();
    let limited = results.iter().filter(|r| typename(r) == "RateLimitedError").count();
    assert_eq!(evaluated + limited, 100, "{results:?}");
    assert!(evaluated <= 10, "{evaluated} passwords were checked against a limit of 10");
    assert!(evaluated >= 1);
}

async fn an_attacker_cannot_lock_the_owner_out(app: roster_tests::TestApp) {
    app.sign_up("ana").await;
    for _ in 0..12 {
        sign_in_from(&app, "203.0.113.1", "ana@example.com", "wrong password").await;
    }
    // The attacker's address is done, even with the right password.
    let attacker = sign_in_from(&app, "203.0.113.1", "ana@example.com", PASSWORD).await;
    assert_eq!(typename(&attacker), "RateLimitedError", "{attacker}");
    assert!(attacker["retryAfterSeconds"].as_i64().unwrap_or(0) > 0);
    // Ana, from an address that has not failed, still signs in.
    let owner = sign_in_from(&app, "198.51.100.7", "ana@example.com", PASSWORD).await;
    assert_eq!(typename(&owner), "SignInSuccess", "{owner}");
    // A fresh address gets one guess while the email is under attack, then no more.
    let fresh = sign_in_from(&app, "192.0.2.50", "ana@example.com", "wrong again").await;
    assert_eq!(typename(&fresh), "InvalidCredentialsError", "{fresh}");
    let again = sign_in_from(&app, "192.0.2.50", "ana@example.com", "wrong again").await;
    assert_eq!(typename(&again), "RateLimitedError", "{again}");
}

fn an_attacker_cannot_lock_the_owner_out_settings(s: &mut roster_server::Settings) {
    behind_a_proxy(s);
}

async fn one_address_guessing_many_emails_is_limited(app: roster_tests::TestApp) {
    for i in 0..10 {
        let result = sign_in_from(&app, "203.0.113.9", &format!("user{i}@example.com"), "guess").await;
        assert_eq!(typename(&result), "InvalidCredentialsError", "{result}");
    }
    let next = sign_in_from(&app, "203.0.113.9", "user10@example.com", "guess").await;
    assert_eq!(typename(&next), "RateLimitedError", "{next}");
    let elsewhere = sign_in_from(&app, "198.51.100.1", "user10@example.com", "guess").await;
    assert_eq!(typename(&elsewhere), "InvalidCredentialsError", "other addresses are not affected");
}

fn one_address_guessing_many_emails_is_limited_settings(s: &mut roster_server::Settings) {
    behind_a_proxy(s);
}

async fn x_forwarded_for_is_ignored_unless_the_peer_is_trusted(app: roster_tests::TestApp) {
    app.sign_up("ana").await;
    // Rotating the header does not buy fresh addresses: all of these are 127.0.0.1.
    for i in 0..10 {
        sign_in_from(&app, &format!("203.0.113.{i}"), "user@example.com", "guess").await;
    }
    let next = sign_in_from(&app, "198.51.100.99", "someone@example.com", "guess").await;
    assert_eq!(typename(&next), "RateLimitedError", "{next}");
}

async fn the_limit_holds_across_replicas(app: roster_tests::TestApp) {
    app.sign_up("ana").await;
    for _ in 0..10 {
        sign_in_from(&app, "203.0.113.1", "ana@example.com", "wrong password").await;
    }
    let replica = app.replica_with(behind_a_proxy).await;
    let there = sign_in_from(&replica, "203.0.113.1", "ana@example.com", "wrong password").await;
    assert_eq!(typename(&there), "RateLimitedError", "{there}");
}

fn the_limit_holds_across_replicas_settings(s: &mut roster_server::Settings) {
    behind_a_proxy(s);
}

async fn accept_attempts_are_limited_per_address_and_counted_per_field(app: roster_tests::TestApp) {
    let fields: String = (0..25)
        .map(|i| format!("a{i}: acceptInvitation(token: \"guess-{i}\", password: \"{PASSWORD}\", displayName: \"X\") {{ __typename }} "))
        .collect();
    let answer = app.graphql(&format!("mutation {{ {fields} }}"), json!({})).await;
    let results: Vec<&str> =
        (0..25).map(|i| answer["data"][format!("a{i}")]["__typename"].as_str().unwrap_or_default()).collect();
    let evaluated = results.iter().filter(|t| **t == "InvalidInvitationError").count();
    let limited = results.iter().filter(|t| **t == "RateLimitedError").count();
    assert_eq!((evaluated, limited), (20, 5), "{answer}");
    // And the next request too, with a real token: the address is done for the minute.
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    app.invite_ok(&admin, org(&acme), "bob@example.com", None).await;
    let token = app.invitation_token("bob@example.com", 1).await;
    let refused = app.accept(None, &token, Some(PASSWORD), Some("Bob")).await;
    assert_eq!(refused["__typename"], "RateLimitedError", "{refused}");
}

fn accept_attempts_are_limited_per_address_and_counted_per_field_settings(s: &mut roster_server::Settings) {
    s.schema.max_aliases = 100;
    s.limits.accept_attempts_per_minute = 20;
}

async fn an_organization_and_an_inviter_have_daily_invitation_limits(app: roster_tests::TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let design = app.create_team(&admin, &acme, "Design").await;
    app.invite_ok(&admin, org(&acme), "a@example.com", None).await;
    app.invite_ok(&admin, org(&acme), "b@example.com", None).await;
    // A team's invitations count for its organization.
    app.invite_ok(&admin, team(&design), "c@example.com", None).await;
    let refused = app.invite(Some(&admin), org(&acme), "d@example.com", None).await;
    assert_eq!(refused["__typename"], "RateLimitedError", "{refused}");
    assert_eq!(app.members(&admin, org(&acme)).await.len(), 3, "nothing was added");
    // Another organization has its own count, but the inviter's total still applies.
    let globex = app.create_org(&admin, "Globex").await;
    app.invite_ok(&admin, org(&globex), "e@example.com", None).await;
    app.invite_ok(&admin, org(&globex), "f@example.com", None).await;
    let refused = app.invite(Some(&admin), org(&globex), "g@example.com", None).await;
    assert_eq!(refused["__typename"], "RateLimitedError", "{refused}");
    // A refused invitation sends nothing; a failed one (already a member) uses no quota.
    assert!(app.smtp.messages().iter().all(|m| !m.to.iter().any(|t| t == "g@example.com")));
}

fn an_organization_and_an_inviter_have_daily_invitation_limits_settings(s: &mut roster_server::Settings) {
    s.limits.invites_per_day = 3;
    s.limits.invites_per_inviter_per_day = 5;
}

async fn cancelling_and_inviting_again_does_not_reset_the_resend_limit(app: roster_tests::TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let bob = app.invite_ok(&admin, org(&acme), "bob@example.com", None).await;
    for _ in 0..5 {
        assert_eq!(app.resend(Some(&admin), org(&acme), &bob).await["__typename"], "ResendInvitationSuccess");
    }
    app.cancel(Some(&admin), org(&acme), &bob).await;
    // Re-inviting is always possible (the help page says so)...
    app.invite_ok(&admin, org(&acme), "bob@example.com", None).await;
    // ...but the resends of the hour are spent.
    let limited = app.resend(Some(&admin), org(&acme), &bob).await;
    assert_eq!(limited["__typename"], "RateLimitedError", "{limited}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_invitations_stop_at_the_daily_limit() {
    let app = TestApp::spawn_with(roster_tests::Backend::Postgres, |s| s.limits.invites_per_day = 10).await;
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let invites = (0..40).map(|i| {
        let (app, admin, acme) = (&app, &admin, &acme);
        async move { app.invite(Some(admin), org(acme), &format!("p{i}@example.com"), None).await }
    });
    let results = join_all(invites).await;
    let invited = results.iter().filter(|r| typename(r) == "InviteUserSuccess").count();
    assert_eq!(invited, 10, "{results:?}");
    assert_eq!(app.members(&admin, org(&acme)).await.len(), 11);
}

async fn a_fresh_address_gets_one_guess_per_window_not_per_drained_bucket(app: TestApp) {
    app.sign_up("ana").await;
    for _ in 0..10 {
        sign_in_from(&app, "203.0.113.1", "ana@example.com", "wrong password").await;
    }
    let guesses = |round: &'static str| {
        let app = &app;
        join_all((1..=30).map(move |i| async move {
            let result = sign_in_from(app, &format!("192.0.2.{i}"), "ana@example.com", round).await;
            typename(&result).to_owned()
        }))
    };
    // While the email is under attack, each address that has not failed gets one guess.
    let first = guesses("first round").await;
    assert!(first.iter().all(|t| t == "InvalidCredentialsError"), "{first:?}");
    let again = guesses("again").await;
    assert!(again.iter().all(|t| t == "RateLimitedError"), "{again:?}");
    // Each address's own bucket drains in 90 s; its one guess on this email does not come
    // back until the 15-minute window has passed. (At most one attempt passes the email's
    // own limit, which frees one slot in 90 s.)
    time_passes(&app, 92).await;
    let later = guesses("later").await;
    let evaluated = later.iter().filter(|t| *t == "InvalidCredentialsError").count();
    assert!(evaluated <= 1, "{evaluated} of 30 addresses guessed again after 92 s: {later:?}");
    time_passes(&app, 15 * 60).await;
    let next_window = sign_in_from(&app, "192.0.2.1", "ana@example.com", PASSWORD).await;
    assert_eq!(typename(&next_window), "SignInSuccess", "{next_window}");
}

async fn an_ipv6_client_is_limited_by_its_64(app: TestApp) {
    for i in 0..10 {
        let result =
            sign_in_from(&app, &format!("2001:db8:1:2::{i:x}"), &format!("u{i}@example.com"), "x").await;
        assert_eq!(typename(&result), "InvalidCredentialsError", "{result}");
    }
    // Another address of the same /64 is the same client.
    let same = sign_in_from(&app, "2001:db8:1:2:abcd::1", "other@example.com", "x").await;
    assert_eq!(typename(&same), "RateLimitedError", "{same}");
    let neighbour = sign_in_from(&app, "2001:db8:1:3::1", "other@example.com", "x").await;
    assert_eq!(typename(&neighbour), "InvalidCredentialsError", "{neighbour}");
}

async fn sign_ups_are_limited_per_address_before_any_mail_or_hashing(app: TestApp) {
    let signups = join_all((0..25).map(|i| {
        let app = &app;
        async move { sign_up_from(app, "203.0.113.5", &format!("spam-target-{i}@victim.example")).await }
    }))
    .await;
    let passed = signups.iter().filter(|r| typename(r) == "SignUpSuccess").count();
    let limited: Vec<&Value> = signups.iter().filter(|r| typename(r) == "RateLimitedError").collect();
    assert_eq!((passed, limited.len()), (20, 5), "{signups:?}");
    assert!(limited.iter().all(|r| r["retryAfterSeconds"].as_i64().unwrap_or(0) > 0), "{limited:?}");
    // Refused sign-ups made no account and queued no mail.
    assert_eq!(roster_tests::count_rows(&app, "users").await, 20);
    assert_eq!(roster_tests::count_rows(&app, "email_outbox").await, 20);
    // Another address of the same IPv6 /64 is the same client; another client is not.
    for i in 0..20 {
        sign_up_from(&app, &format!("2001:db8:7:7::{i:x}"), &format!("v6-{i}@example.com")).await;
    }
    let same_64 = sign_up_from(&app, "2001:db8:7:7:ffff::1", "v6-more@example.com").await;
    assert_eq!(typename(&same_64), "RateLimitedError", "{same_64}");
    let elsewhere = sign_up_from(&app, "198.51.100.20", "someone@example.com").await;
    assert_eq!(typename(&elsewhere), "SignUpSuccess", "{elsewhere}");
}

async fn creating_organizations_is_limited_per_user_and_per_address(app: TestApp) {
    let ana = sign_up_from(&app, "198.51.100.1", "ana@example.com").await;
    let ana = ana["token"].as_str().expect("a token").to_owned();
    for i in 0..10 {
        assert_eq!(
            create_org_from(&app, "203.0.113.1", &ana, &format!("Org {i}")).await,
            "CreateOrganizationSuccess"
        );
    }
    // Ana is done for the day, wherever she comes from.
    assert_eq!(create_org_from(&app, "198.51.100.50", &ana, "One more").await, "RateLimitedError");
    // So is her address, for a fresh account made elsewhere.
    let bob = sign_up_from(&app, "198.51.100.2", "bob@example.com").await;
    let bob = bob["token"].as_str().expect("a token").to_owned();
    assert_eq!(create_org_from(&app, "203.0.113.1", &bob, "Bob's").await, "RateLimitedError");
    assert_eq!(create_org_from(&app, "198.51.100.2", &bob, "Bob's").await, "CreateOrganizationSuccess");
    // Refusals created nothing: 10 of Ana's and Bob's one.
    assert_eq!(roster_tests::count_rows(&app, "organizations").await, 11);
}

async fn an_unverified_account_may_send_ten_invitations_a_day(app: TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let emails: Vec<String> = (0..30).map(|i| format!("person{i}@victim.example")).collect();
    let items: Vec<(&str, Option<&str>)> = emails.iter().map(|e| (e.as_str(), None)).collect();
    let results = app.invite_users(Some(&admin), org(&acme), &items).await;
    let results = results["results"].as_array().cloned().unwrap_or_default();
    let sent = results.iter().filter(|r| typename(r) == "InviteUserSuccess").count();
    let limited = results.iter().filter(|r| typename(r) == "RateLimitedError").count();
    assert_eq!((sent, limited), (10, 20), "{results:?}");
    assert!(results[10]["message"].as_str().unwrap_or_default().contains("Verify your email"), "{results:?}");
    assert_eq!(app.members(&admin, org(&acme)).await.len(), 11);
    // Verified, the same account invites as the other limits allow.
    app.verify(&admin).await;
    let more = app.invite_users(Some(&admin), org(&acme), &items[10..]).await;
    let more = more["results"].as_array().cloned().unwrap_or_default();
    assert!(more.iter().all(|r| typename(r) == "InviteUserSuccess"), "{more:?}");
}

async fn an_unverified_accounts_resends_count_against_its_allowance(app: TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let bob = app.invite_ok(&admin, org(&acme), "bob@victim.example", None).await;
    // One invitation and two resends spend the allowance of three...
    for _ in 0..2 {
        let resent = app.resend(Some(&admin), org(&acme), &bob).await;
        assert_eq!(typename(&resent), "ResendInvitationSuccess", "{resent}");
    }
    // ...so a third resend, still within the per-invitee limit of five, is refused.
    let refused = app.resend(Some(&admin), org(&acme), &bob).await;
    assert_eq!(typename(&refused), "RateLimitedError", "{refused}");
    assert!(refused["message"].as_str().unwrap_or_default().contains("Verify your email"), "{refused}");
    // Verified, the same account resends as the other limits allow.
    app.verify(&admin).await;
    let resent = app.resend(Some(&admin), org(&acme), &bob).await;
    assert_eq!(typename(&resent), "ResendInvitationSuccess", "{resent}");
}
