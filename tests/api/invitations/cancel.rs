//! "How to Cancel a User Invitation", rule by rule, on both backends.

use roster_tests::backend_tests;
use roster_tests::flows::{org, team};
use serde_json::json;

backend_tests!(
    an_org_admin_cancels_a_pending_invitation_and_the_user_leaves_the_list,
    a_team_owner_cancels_an_invitation_in_their_team,
    an_org_admin_cancels_in_any_team_of_the_organization,
    a_verified_member_cannot_be_cancelled_and_the_message_is_exact,
    cancelling_acts_on_that_scope_only,
    the_same_person_can_be_invited_again_after_cancelling,
    a_cancelled_invitee_can_still_sign_up_with_that_email,
    resend_is_offered_beside_cancel_and_works_instead_of_it,
    unknown_scopes_and_members_are_not_found_and_anonymous_callers_must_sign_in,
);

async fn an_org_admin_cancels_a_pending_invitation_and_the_user_leaves_the_list(app: roster_tests::TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let bob = app.invite_ok(&admin, org(&acme), "bob@example.com", None).await;
    let link = app.invitation_token("bob@example.com", 1).await;

    // Listed as unverified, with the ⋮ menu offering resend and cancel.
    let row = app.member_in(&admin, org(&acme), &bob).await.expect("bob is listed");
    assert_eq!(row["status"], "UNVERIFIED");
    assert_eq!(row["availableActions"], json!(["RESEND_INVITATION", "CANCEL_INVITATION", "CHANGE_ROLE"]));

    // Cancelled at once, no confirmation step.
    let result = app.cancel(Some(&admin), org(&acme), &bob).await;
    assert_eq!(result["__typename"], "CancelInvitationSuccess", "{result}");
    assert_eq!(result["userId"], bob.as_str());
    assert!(result["cancelledAt"].is_string());

    // Removed from the list.
    assert!(app.member_in(&admin, org(&acme), &bob).await.is_none());

    // The link no longer works.
    let accepted = app.accept(None, &link, Some("correct horse"), Some("Bob")).await;
    assert_eq!(accepted["__typename"], "InvalidInvitationError", "{accepted}");

    // The audit trail says so, with actor, target and scope.
    let log = app.audit(&admin, &acme).await;
    let entry = &log[0];
    assert_eq!(entry["action"], "Admin cancelled user invite");
    assert_eq!(entry["code"], "INVITATION_CANCELLED");
    assert_eq!(entry["actor"]["id"], admin.id.as_str());
    assert_eq!(entry["target"]["id"], bob.as_str());
    assert_eq!(entry["organizationId"], acme.as_str());
    assert_eq!(entry["teamId"], serde_json::Value::Null);
}

async fn a_team_owner_cancels_an_invitation_in_their_team(app: roster_tests::TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let design = app.create_team(&admin, &acme, "Design").await;
    let owner = app.member(&admin, team(&design), "owner", Some("OWNER")).await;
    let carol = app.invite_ok(&owner, team(&design), "carol@example.com", None).await;
    let row = app.member_in(&owner, team(&design), &carol).await.expect("carol is listed");
    assert_eq!(row["status"], "UNVERIFIED");
    assert_eq!(row["availableActions"], json!(["RESEND_INVITATION", "CANCEL_INVITATION", "CHANGE_ROLE"]));

    let result = app.cancel(Some(&owner), team(&design), &carol).await;
    assert_eq!(result["__typename"], "CancelInvitationSuccess", "{result}");
    assert!(app.member_in(&owner, team(&design), &carol).await.is_none());
    let log = app.audit(&admin, &acme).await;
    assert_eq!(log[0]["action"], "Admin cancelled user invite");
    assert_eq!(log[0]["teamId"], design.as_str());
    assert_eq!(log[0]["actor"]["id"], owner.id.as_str());
}

async fn an_org_admin_cancels_in_any_team_of_the_organization(app: roster_tests::TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let design = app.create_team(&admin, &acme, "Design").await;
    let owner = app.member(&admin, team(&design), "owner", Some("OWNER")).await;
    let carol = app.invite_ok(&owner, team(&design), "carol@example.com", None).await;
    let result = app.cancel(Some(&admin), team(&design), &carol).await;
    assert_eq!(result["__typename"], "CancelInvitationSuccess", "{result}");
}

async fn a_verified_member_cannot_be_cancelled_and_the_message_is_exact(app: roster_tests::TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let bob = app.member(&admin, org(&acme), "bob", None).await;
    let row = app.member_in(&admin, org(&acme), &bob.id).await.expect("bob is listed");
    assert_eq!(row["status"], "VERIFIED");
    assert_eq!(row["availableActions"], json!(["REMOVE_MEMBER", "CHANGE_ROLE"]));

    let result = app.cancel(Some(&admin), org(&acme), &bob.id).await;
    assert_eq!(result["__typename"], "InvitationAlreadyAcceptedError");
    assert_eq!(result["message"], "Can only cancel invites for invited users");
    // Nothing changed.
    assert!(app.member_in(&admin, org(&acme), &bob.id).await.is_some());
    assert_ne!(app.audit(&admin, &acme).await[0]["code"], "INVITATION_CANCELLED");
}

async fn cancelling_acts_on_that_scope_only(app: roster_tests::TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let design = app.create_team(&admin, &acme, "Design").await;
    let bob = app.invite_ok(&admin, org(&acme), "bob@example.com", None).await;
    let org_link = app.invitation_token("bob@example.com", 1).await;
    app.invite_ok(&admin, team(&design), "bob@example.com", None).await;
    app.invitation_token("bob@example.com", 2).await;

    let result = app.cancel(Some(&admin), team(&design), &bob).await;
    assert_eq!(result["__typename"], "CancelInvitationSuccess", "{result}");
    assert!(app.member_in(&admin, team(&design), &bob).await.is_none());
    let still = app.member_in(&admin, org(&acme), &bob).await.expect("still invited to the organization");
    assert_eq!(still["status"], "UNVERIFIED");
    // The organization's link still works.
    let accepted = app.accept(None, &org_link, Some("correct horse"), Some("Bob")).await;
    assert_eq!(accepted["__typename"], "AcceptInvitationSuccess", "{accepted}");
}

async fn the_same_person_can_be_invited_again_after_cancelling(app: roster_tests::TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let bob = app.invite_ok(&admin, org(&acme), "bob@example.com", None).await;
    let old_link = app.invitation_token("bob@example.com", 1).await;
    app.cancel(Some(&admin), org(&acme), &bob).await;

    let again = app.invite_ok(&admin, org(&acme), "bob@example.com", None).await;
    assert_eq!(again, bob, "the same user, invited afresh");
    let new_link = app.invitation_token("bob@example.com", 2).await;
    assert_ne!(new_link, old_link);
    let old = app.accept(None, &old_link, Some("correct horse"), Some("Bob")).await;
    assert_eq!(old["__typename"], "InvalidInvitationError");
    let new = app.accept(None, &new_link, Some("correct horse"), Some("Bob")).await;
    assert_eq!(new["__typename"], "AcceptInvitationSuccess", "{new}");
}

async fn a_cancelled_invitee_can_still_sign_up_with_that_email(app: roster_tests::TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let bob = app.invite_ok(&admin, org(&acme), "bob@example.com", None).await;
    app.cancel(Some(&admin), org(&acme), &bob).await;
    let signed_up = app.sign_up("bob").await;
    assert_eq!(signed_up.id, bob, "the account the invitation made is taken over");
    let again = app
        .graphql(
            "mutation { signUp(email: \"bob@example.com\", password: \"another one\") { __typename } }",
            json!({}),
        )
        .await;
    assert_eq!(again["data"]["signUp"]["__typename"], "EmailTakenError", "but only once");
}

async fn resend_is_offered_beside_cancel_and_works_instead_of_it(app: roster_tests::TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let bob = app.invite_ok(&admin, org(&acme), "bob@example.com", None).await;
    let first = app.invitation_token("bob@example.com", 1).await;
    let result = app.resend(Some(&admin), org(&acme), &bob).await;
    assert_eq!(result["__typename"], "ResendInvitationSuccess", "{result}");
    let second = app.invitation_token("bob@example.com", 2).await;
    assert_ne!(first, second);
    assert_eq!(
        app.accept(None, &first, Some("correct horse"), Some("Bob")).await["__typename"],
        "InvalidInvitationError"
    );
    assert_eq!(
        app.accept(None, &second, Some("correct horse"), Some("Bob")).await["__typename"],
        "AcceptInvitationSuccess"
    );
    assert_eq!(
        app.audit(&admin, &acme).await.iter().filter(|e| e["action"] == "Admin resent user invite").count(),
        1
    );
}

async fn unknown_scopes_and_members_are_not_found_and_anonymous_callers_must_sign_in(
    app: roster_tests::TestApp,
) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let bob = app.invite_ok(&admin, org(&acme), "bob@example.com", None).await;
    assert_eq!(app.cancel(None, org(&acme), &bob).await["__typename"], "NotAuthenticatedError");
    assert_eq!(
        app.cancel(Some(&admin), org("org_01jdzzzzzzzzzzzzzzzzzzzzzz"), &bob).await["__typename"],
        "NotFoundError"
    );
    assert_eq!(app.cancel(Some(&admin), org("garbage"), &bob).await["__typename"], "NotFoundError");
    assert_eq!(
        app.cancel(Some(&admin), org(&acme), &admin.id).await["__typename"],
        "InvitationAlreadyAcceptedError"
    );
    assert_eq!(app.cancel(Some(&admin), org(&acme), "usr_nobody").await["__typename"], "NotFoundError");
    // Still pending after all that.
    assert_eq!(app.member_in(&admin, org(&acme), &bob).await.expect("listed")["status"], "UNVERIFIED");
}
