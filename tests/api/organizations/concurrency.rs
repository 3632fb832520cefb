//! Concurrent requests leave exactly one winner, on both backends.

use futures_util::future::join_all;
use roster_tests::backend_tests;
use roster_tests::flows::{PASSWORD, org};

backend_tests!(
    sixteen_concurrent_cancels_give_one_success_and_one_audit_entry,
    twenty_concurrent_accepts_of_one_token_give_one_success,
    accept_racing_cancel_has_exactly_one_winner_every_time,
);

async fn sixteen_concurrent_cancels_give_one_success_and_one_audit_entry(app: roster_tests::TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let bob = app.invite_ok(&admin, org(&acme), "bob@example.com", None).await;
    let results = join_all((0..16).map(|_| app.cancel(Some(&admin), org(&acme), &bob))).await;
    let kinds: Vec<String> =
        results.iter().map(|r| r["__typename"].as_str().unwrap_or("error").to_owned()).collect();
    assert_eq!(kinds.iter().filter(|k| *k == "CancelInvitationSuccess").count(), 1, "{kinds:?}");
    assert_eq!(kinds.iter().filter(|k| *k == "NotFoundError").count(), 15, "{kinds:?}");
    let log = app.audit(&admin, &acme).await;
    assert_eq!(log.iter().filter(|e| e["code"] == "INVITATION_CANCELLED").count(), 1);
}

async fn twenty_concurrent_accepts_of_one_token_give_one_success(app: roster_tests::TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    app.invite_ok(&admin, org(&acme), "bob@example.com", None).await;
    let link = app.invitation_token("bob@example.com", 1).await;
    let results = join_all((0..20).map(|_| app.accept(None, &link, Some(PASSWORD), Some("Bob")))).await;
    let wins = results.iter().filter(|r| r["__typename"] == "AcceptInvitationSuccess").count();
    assert_eq!(wins, 1, "{results:?}");
    assert!(
        results
            .iter()
            .all(|r| r["__typename"] == "AcceptInvitationSuccess"
                || r["__typename"] == "InvalidInvitationError"),
        "{results:?}"
    );
    let log = app.audit(&admin, &acme).await;
    assert_eq!(log.iter().filter(|e| e["code"] == "INVITATION_ACCEPTED").count(), 1);
}

async fn accept_racing_cancel_has_exactly_one_winner_every_time(app: roster_tests::TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    for round in 0..10 {
        // Half the rounds accept as a signed-in account (no password hashing before the
        // transaction), so both orders of the race are exercised.
        let racer = if round % 2 == 0 { Some(app.sign_up(&format!("racer{round}")).await) } else { None };
        let email = format!("racer{round}@example.com");
        let user = app.invite_ok(&admin, org(&acme), &email, None).await;
        let link = app.invitation_token(&email, 1).await;
        let password = if racer.is_some() { None } else { Some(PASSWORD) };
        let (accepted, cancelled) = tokio::join!(
            app.accept(racer.as_ref(), &link, password, Some("Racer")),
            app.cancel(Some(&admin), org(&acme), &user),
        );
        let accept_won = accepted["__typename"] == "AcceptInvitationSuccess";
        let cancel_won = cancelled["__typename"] == "CancelInvitationSuccess";
        assert!(accept_won ^ cancel_won, "round {round}: {accepted} / {cancelled}");
        let row = app.member_in(&admin, org(&acme), &user).await;
        if accept_won {
            assert_eq!(cancelled["__typename"], "InvitationAlreadyAcceptedError", "{cancelled}");
            assert_eq!(row.expect("listed")["status"], "VERIFIED");
        } else {
            assert_eq!(accepted["__typename"], "InvalidInvitationError", "{accepted}");
            assert!(row.is_none(), "round {round}: cancelled members leave the list");
        }
    }
}
