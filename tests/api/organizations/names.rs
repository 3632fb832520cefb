//! What a name may contain: every name a user chooses (an organization's, a team's, a display
//! name at sign-up or when accepting an invitation) refuses control characters (NUL included)
//! and invisible text-direction marks with a `ValidationError` naming the field, on both
//! backends. The rule lives in `roster_core::name`.

use roster_tests::backend_tests;
use roster_tests::flows::{PASSWORD, org};
use serde_json::json;

backend_tests!(
    organization_and_team_names_refuse_controls_and_direction_marks,
    display_names_refuse_controls_and_direction_marks,
);

/// NUL (PostgreSQL cannot store it), another control, a newline inside the name, the
/// right-to-left override, an isolate, a right-to-left mark.
const BAD: [&str; 6] =
    ["Ac\0me", "Ac\u{7}me", "Ac\nme", "Acme\u{202E}moc.live", "Ac\u{2067}me", "Ac\u{200F}me"];

async fn organization_and_team_names_refuse_controls_and_direction_marks(app: roster_tests::TestApp) {
    let ana = app.sign_up("ana").await;
    let organization = app.create_org(&ana, "Acme").await;
    let team = app.create_team(&ana, &organization, "Core").await;
    for bad in BAD {
        let created = app
            .graphql_as(
                Some(&ana.token),
                "mutation($name: String!) { createOrganization(name: $name) {
                    __typename ... on ValidationError { field message } } }",
                json!({ "name": bad }),
            )
            .await;
        assert_eq!(
            created["data"]["createOrganization"]["__typename"], "ValidationError",
            "{bad:?}: {created}"
        );
        assert_eq!(created["data"]["createOrganization"]["field"], "name", "{created}");

        let renamed = app
            .graphql_as(
                Some(&ana.token),
                "mutation($id: ID!, $name: String!) { renameOrganization(organizationId: $id, name: $name) {
                    __typename ... on ValidationError { field } } }",
                json!({ "id": organization, "name": bad }),
            )
            .await;
        assert_eq!(
            renamed["data"]["renameOrganization"]["__typename"], "ValidationError",
            "{bad:?}: {renamed}"
        );
        assert_eq!(renamed["data"]["renameOrganization"]["field"], "name", "{renamed}");

        let team_created = app
            .graphql_as(
                Some(&ana.token),
                "mutation($org: ID!, $name: String!) { createTeam(organizationId: $org, name: $name) {
                    __typename ... on ValidationError { field } } }",
                json!({ "org": organization, "name": bad }),
            )
            .await;
        assert_eq!(
            team_created["data"]["createTeam"]["__typename"], "ValidationError",
            "{bad:?}: {team_created}"
        );
        assert_eq!(team_created["data"]["createTeam"]["field"], "name", "{team_created}");

        let team_renamed = app
            .graphql_as(
                Some(&ana.token),
                "mutation($id: ID!, $name: String!) { renameTeam(teamId: $id, name: $name) {
                    __typename ... on ValidationError { field } } }",
                json!({ "id": team, "name": bad }),
            )
            .await;
        assert_eq!(
            team_renamed["data"]["renameTeam"]["__typename"], "ValidationError",
            "{bad:?}: {team_renamed}"
        );
        assert_eq!(team_renamed["data"]["renameTeam"]["field"], "name", "{team_renamed}");
    }
    // Nothing was stored, and ordinary names in any script still are.
    assert_eq!(roster_tests::count_rows(&app, "organizations").await, 1);
    assert_eq!(roster_tests::count_rows(&app, "teams").await, 1);
    let renamed = app.rename_org(Some(&ana), &organization, "  שלום · 東京 👩\u{200D}💻\n").await;
    assert_eq!(renamed["organization"]["name"], "שלום · 東京 👩\u{200D}💻", "{renamed}");
}

async fn display_names_refuse_controls_and_direction_marks(app: roster_tests::TestApp) {
    let ana = app.sign_up("ana").await;
    let organization = app.create_org(&ana, "Acme").await;
    app.invite_ok(&ana, org(&organization), "bo@example.com", None).await;
    let token = app.invitation_token("bo@example.com", 1).await;
    for bad in BAD {
        let signed_up = app
            .graphql(
                "mutation($email: String!, $name: String!) {
                    signUp(email: $email, password: \"correct horse\", displayName: $name) {
                        __typename ... on ValidationError { field } } }",
                json!({ "email": "cy@example.com", "name": bad }),
            )
            .await;
        assert_eq!(signed_up["data"]["signUp"]["__typename"], "ValidationError", "{bad:?}: {signed_up}");
        assert_eq!(signed_up["data"]["signUp"]["field"], "displayName", "{signed_up}");

        let accepted = app.accept(None, &token, Some(PASSWORD), Some(bad)).await;
        assert_eq!(accepted["__typename"], "ValidationError", "{bad:?}: {accepted}");
        assert_eq!(accepted["field"], "displayName", "{accepted}");
    }
    // The refusals left the invitation usable and created no account.
    let accepted = app.accept(None, &token, Some(PASSWORD), Some("Bo")).await;
    assert_eq!(accepted["__typename"], "AcceptInvitationSuccess", "{accepted}");
    assert_eq!(accepted["user"]["displayName"], "Bo");
    let cy = app.sign_up_as("cy@example.com", "Cy").await;
    assert!(!cy.id.is_empty());
}
