//! `roster demo` seeds what its instructions promise, and the instructions' steps work.

use roster_tests::backend_tests;
use roster_tests::flows::org;
use serde_json::json;

backend_tests!(the_demo_walkthrough_works,);

async fn the_demo_walkthrough_works(app: roster_tests::TestApp) {
    let identity = roster_identity::IdentitySettings::default();
    let invitations = roster_invitations::InvitationSettings::default();
    let demo = roster_server::demo::seed(&app.db, &identity, &invitations).await.expect("the demo seeds");
    let text = roster_server::demo::instructions(&demo, "http://127.0.0.1:8000");
    assert!(text.contains(&demo.admin_token) && text.contains(&demo.pending_in_organization));

    let admin = roster_tests::TestUser {
        id: String::new(),
        email: "admin@demo.example".into(),
        token: demo.admin_token.clone(),
    };
    let members = app.members(&admin, org(&demo.organization_id)).await;
    let statuses: Vec<_> =
        members.iter().map(|m| (m["user"]["email"].clone(), m["status"].clone())).collect();
    assert!(statuses.contains(&(json!("dora@demo.example"), json!("UNVERIFIED"))), "{statuses:?}");
    assert!(statuses.contains(&(json!("cleo@demo.example"), json!("VERIFIED"))), "{statuses:?}");
    assert!(
        statuses.contains(&(json!("ana@demo.example"), json!("VERIFIED"))),
        "team members joined the organization: {statuses:?}"
    );

    let cancelled = app.cancel(Some(&admin), org(&demo.organization_id), &demo.pending_in_organization).await;
    assert_eq!(cancelled["__typename"], "CancelInvitationSuccess", "{cancelled}");
    let refused = app.cancel(Some(&admin), org(&demo.organization_id), &demo.verified_member).await;
    assert_eq!(refused["message"], "Can only cancel invites for invited users");
    assert_eq!(app.audit(&admin, &demo.organization_id).await[0]["action"], "Admin cancelled user invite");

    // Running it again reuses the accounts and makes a fresh organization.
    let again =
        roster_server::demo::seed(&app.db, &identity, &invitations).await.expect("the demo seeds again");
    assert_ne!(again.organization_id, demo.organization_id);
}
