//! The audit log.

use roster_tests::backend_tests;
use roster_tests::flows::{org, team};
use serde_json::json;

backend_tests!(
    the_log_is_for_admins_newest_first_and_includes_teams,
    audit_rows_refuse_update_and_delete_in_the_database,
);

async fn the_log_is_for_admins_newest_first_and_includes_teams(app: roster_tests::TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let design = app.create_team(&admin, &acme, "Design").await;
    let bob = app.invite_ok(&admin, org(&acme), "bob@example.com", None).await;
    let carol = app.invite_ok(&admin, team(&design), "carol@example.com", None).await;
    app.cancel(Some(&admin), team(&design), &carol).await;
    let log = app.audit(&admin, &acme).await;
    let codes: Vec<&str> = log.iter().map(|e| e["code"].as_str().unwrap_or_default()).collect();
    assert_eq!(
        codes,
        ["INVITATION_CANCELLED", "MEMBER_INVITED", "MEMBER_INVITED", "TEAM_CREATED", "ORGANIZATION_CREATED"]
    );
    assert_eq!(log[2]["target"]["id"], bob.as_str());
    assert_eq!(log[1]["teamId"], design.as_str());

    // Pages, newest first, without overlap.
    let page = |after: serde_json::Value| {
        app.graphql_as(
            Some(&admin.token),
            "query($o: ID!, $a: String) { auditLog(organizationId: $o, first: 2, after: $a) {
                nodes { code } pageInfo { hasNextPage endCursor } } }",
            json!({ "o": acme, "a": after }),
        )
    };
    let first = page(serde_json::Value::Null).await;
    let second = page(first["data"]["auditLog"]["pageInfo"]["endCursor"].clone()).await;
    assert_eq!(
        first["data"]["auditLog"]["nodes"],
        json!([{ "code": "INVITATION_CANCELLED" }, { "code": "MEMBER_INVITED" }])
    );
    assert_eq!(
        second["data"]["auditLog"]["nodes"],
        json!([{ "code": "MEMBER_INVITED" }, { "code": "TEAM_CREATED" }])
    );

    // Members and outsiders may not read it.
    let member = app.member(&admin, org(&acme), "dan", None).await;
    let outsider = app.sign_up("outsider").await;
    for who in [&member, &outsider] {
        let refused = app
            .graphql_as(
                Some(&who.token),
                "query($o: ID!) { auditLog(organizationId: $o) { nodes { id } } }",
                json!({ "o": acme }),
            )
            .await;
        assert_eq!(refused["errors"][0]["extensions"]["code"], "FORBIDDEN", "{refused}");
    }
}

async fn audit_rows_refuse_update_and_delete_in_the_database(app: roster_tests::TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let mut conn = app.db.get().await.expect("a connection");
    let mut conn = conn.conn();
    use roster_db::prelude::*;
    let update = roster_db::db_run!(&mut conn, |c| {
        roster_db::diesel::sql_query("UPDATE audit_entries SET action = 'tampered'").execute(c).await
    });
    assert!(update.is_err(), "UPDATE must be refused");
    let delete = roster_db::db_run!(&mut conn, |c| {
        roster_db::diesel::sql_query("DELETE FROM audit_entries").execute(c).await
    });
    assert!(delete.is_err(), "DELETE must be refused");
    let log = app.audit(&admin, &acme).await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["action"], "Admin created organization");
}
