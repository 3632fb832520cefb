//! Member lists, organizations and teams, removal.

use roster_tests::backend_tests;
use roster_tests::flows::{org, team};
use serde_json::{Value, json};

backend_tests!(
    names_are_trimmed_and_validated,
    the_creator_is_a_verified_admin_and_only_admins_create_teams,
    organizations_and_teams_are_visible_to_verified_members_only,
    member_lists_are_forbidden_to_everyone_but_their_readers,
    lists_page_in_a_stable_order_with_opaque_cursors,
    a_page_costs_the_same_queries_whatever_its_size,
    answers_keep_the_order_of_the_selection,
    removing_members_follows_the_rules,
    a_second_admin_can_be_removed_and_the_last_one_is_never_offered,
);

async fn names_are_trimmed_and_validated(app: roster_tests::TestApp) {
    let admin = app.sign_up("admin").await;
    let query = "mutation($name: String!) { createOrganization(name: $name) {
        __typename ... on ValidationError { field } ... on CreateOrganizationSuccess { organization { name } } } }";
    let blank = app.graphql_as(Some(&admin.token), query, json!({ "name": "   " })).await;
    assert_eq!(
        blank["data"]["createOrganization"],
        json!({ "__typename": "ValidationError", "field": "name" })
    );
    let long = app.graphql_as(Some(&admin.token), query, json!({ "name": "x".repeat(101) })).await;
    assert_eq!(long["data"]["createOrganization"]["__typename"], "ValidationError");
    let ok = app.graphql_as(Some(&admin.token), query, json!({ "name": "  Acme  " })).await;
    assert_eq!(ok["data"]["createOrganization"]["organization"]["name"], "Acme");
    let anonymous = app.graphql(query, json!({ "name": "Acme" })).await;
    assert_eq!(anonymous["data"]["createOrganization"]["__typename"], "NotAuthenticatedError");
}

async fn the_creator_is_a_verified_admin_and_only_admins_create_teams(app: roster_tests::TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let me = app.member_in(&admin, org(&acme), &admin.id).await.expect("listed");
    assert_eq!((me["status"].clone(), me["role"].clone()), (json!("VERIFIED"), json!("ADMIN")));
    let bob = app.member(&admin, org(&acme), "bob", None).await;
    let refused = app
        .graphql_as(
            Some(&bob.token),
            "mutation($o: ID!) { createTeam(organizationId: $o, name: \"X\") { __typename } }",
            json!({ "o": acme }),
        )
        .await;
    assert_eq!(refused["data"]["createTeam"]["__typename"], "NotAuthorizedError");
    let outsider = app.sign_up("outsider").await;
    let hidden = app
        .graphql_as(
            Some(&outsider.token),
            "mutation($o: ID!) { createTeam(organizationId: $o, name: \"X\") { __typename } }",
            json!({ "o": acme }),
        )
        .await;
    assert_eq!(hidden["data"]["createTeam"]["__typename"], "NotFoundError");
}

async fn organizations_and_teams_are_visible_to_verified_members_only(app: roster_tests::TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let design = app.create_team(&admin, &acme, "Design").await;
    let bob = app.member(&admin, org(&acme), "bob", None).await;
    app.invite_ok(&admin, org(&acme), "pending@example.com", None).await;
    let outsider = app.sign_up("outsider").await;
    let query = "query($o: ID!, $t: ID!) { organization(id: $o) { name teams { name } } team(id: $t) { name organization { id } } }";
    let vars = json!({ "o": acme, "t": design });
    let seen = app.graphql_as(Some(&bob.token), query, vars.clone()).await;
    assert_eq!(seen["data"]["organization"], json!({ "name": "Acme", "teams": [{ "name": "Design" }] }));
    assert_eq!(seen["data"]["team"]["organization"]["id"], acme.as_str());
    let hidden = app.graphql_as(Some(&outsider.token), query, vars.clone()).await;
    assert_eq!(hidden["data"], json!({ "organization": null, "team": null }));
    let anonymous = app.graphql(query, vars).await;
    assert_eq!(anonymous["data"], json!({ "organization": null, "team": null }));
}

async fn member_lists_are_forbidden_to_everyone_but_their_readers(app: roster_tests::TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let design = app.create_team(&admin, &acme, "Design").await;
    let bob = app.member(&admin, org(&acme), "bob", None).await;
    let outsider = app.sign_up("outsider").await;
    for (who, scope) in [
        (Some(&outsider), org(&acme)),
        (None, org(&acme)),
        (Some(&bob), team(&design)),
        (Some(&outsider), org("org_01jdzzzzzzzzzzzzzzzzzzzzzz")),
    ] {
        let answer = app.members_answer(who, scope).await;
        assert_eq!(answer["data"], serde_json::Value::Null, "{answer}");
        assert_eq!(answer["errors"][0]["extensions"]["code"], "FORBIDDEN", "{answer}");
    }
    // The organization's admin reads any team's list; the team's members read their own.
    assert_eq!(app.members(&admin, team(&design)).await.len(), 0);
    let dana = app.member(&admin, team(&design), "dana", None).await;
    assert_eq!(app.members(&dana, team(&design)).await.len(), 1);
    // Through the object too.
    let nested = app
        .graphql_as(
            Some(&bob.token),
            "query($t: ID!) { team(id: $t) { members { totalCount } } }",
            json!({ "t": design }),
        )
        .await;
    assert_eq!(nested["errors"][0]["extensions"]["code"], "FORBIDDEN", "{nested}");
}

async fn lists_page_in_a_stable_order_with_opaque_cursors(app: roster_tests::TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    for i in 0..7 {
        app.invite_ok(&admin, org(&acme), &format!("user{i}@example.com"), None).await;
    }
    let query = "query($s: MembershipScope!, $after: String, $status: MemberStatus) {
        members(scope: $s, first: 3, after: $after, status: $status) {
            totalCount edges { cursor node { user { email } } } nodes { status }
            pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }";
    let mut emails = Vec::new();
    let mut after = serde_json::Value::Null;
    loop {
        let answer = app
            .graphql_as(
                Some(&admin.token),
                query,
                json!({ "s": org(&acme), "after": after, "status": "UNVERIFIED" }),
            )
            .await;
        let page = &answer["data"]["members"];
        assert_eq!(page["totalCount"], 7, "{answer}");
        for edge in page["edges"].as_array().expect("edges") {
            emails.push(edge["node"]["user"]["email"].as_str().expect("email").to_owned());
            assert!(!edge["cursor"].as_str().unwrap_or_default().contains("mem_"), "cursors are opaque");
        }
        assert!(page["nodes"].as_array().expect("nodes").iter().all(|n| n["status"] == "UNVERIFIED"));
        if page["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    let expected: Vec<String> = (0..7).map(|i| format!("user{i}@example.com")).collect();
    assert_eq!(emails, expected, "oldest first, each once");
    let bad = app.graphql_as(Some(&admin.token), query, json!({ "s": org(&acme), "after": "bogus" })).await;
    assert_eq!(bad["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{bad}");
    let huge = app
        .graphql_as(
            Some(&admin.token),
            "query($s: MembershipScope!) { members(scope: $s, first: 1000) { nodes { status } } }",
            json!({ "s": org(&acme) }),
        )
        .await;
    assert_eq!(
        huge["data"]["members"]["nodes"].as_array().map(Vec::len),
        Some(8),
        "clamped to 100, all 8 fit"
    );
}

async fn a_page_costs_the_same_queries_whatever_its_size(app: roster_tests::TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    for i in 0..60 {
        app.invite_ok(&admin, org(&acme), &format!("user{i}@example.com"), None).await;
    }
    app.smtp.wait_for_invitation("user59@example.com", 1).await;
    let everything = format!(
        "query($s: MembershipScope!, $n: Int) {{ members(scope: $s, first: $n) {{
            totalCount eventCursor pageInfo {{ hasNextPage endCursor }} nodes {{ {} }} }} }}",
        roster_tests::flows::MEMBER_FIELDS
    );
    let selections = [
        // The peer benchmark's query: an organization, then its page.
        "query($o: ID!, $n: Int) { organization(id: $o) { members(first: $n) {
            nodes { role status user { id email displayName } } } } }",
        everything.as_str(),
        "query($s: MembershipScope!, $n: Int) { members(scope: $s, first: $n) {
            edges { cursor node { availableActions invitedBy { id } } } } }",
        "query($o: ID!, $n: Int) { organization(id: $o) { name members(first: $n) { totalCount
            nodes { user { email } availableActions } } } }",
    ];
    for query in selections {
        let mut costs = Vec::new();
        for size in [1, 5, 50] {
            let variables = json!({ "s": org(&acme), "o": acme, "n": size });
            costs.push(statements(&app, &admin, query, variables, size).await);
        }
        assert!(
            costs.iter().all(|c| *c == costs[0]),
            "statements per page of 1, 5 and 50: {costs:?}\n{query}"
        );
        // The session, the viewer's authority (with the organization, when asked for), and the
        // page with whatever it reports (count, event position, admin count) as subqueries.
        assert_eq!(costs[0], 3, "three statements, whatever the page selects:\n{query}");
    }
}

/// The fewest statements `query` ran in a few tries: the mail sender and the live hub share
/// the pool and may run a query of their own meanwhile, which only ever adds.
async fn statements(
    app: &roster_tests::TestApp,
    by: &roster_tests::TestUser,
    query: &str,
    variables: Value,
    size: usize,
) -> u64 {
    let mut fewest = u64::MAX;
    for _ in 0..5 {
        let before = app.db.queries_run();
        let answer = app.graphql_as(Some(&by.token), query, variables.clone()).await;
        let after = app.db.queries_run();
        assert!(answer.get("errors").is_none(), "{answer}");
        let data = &answer["data"];
        let list =
            if data["members"].is_null() { &data["organization"]["members"] } else { &data["members"] };
        let rows = list["nodes"].as_array().or(list["edges"].as_array()).map(Vec::len);
        assert_eq!(rows, Some(size), "{answer}");
        fewest = fewest.min(after - before);
    }
    fewest
}

async fn answers_keep_the_order_of_the_selection(app: roster_tests::TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    // Raw bodies: a JSON value on the way would sort the keys.
    let body = async |query: &str| {
        let request = json!({ "query": query, "variables": { "s": org(&acme) } });
        let response = app.http.post(app.url("/graphql")).bearer_auth(&admin.token).json(&request).send();
        response.await.expect("an answer").text().await.expect("a body")
    };
    let forward = body("query($s: MembershipScope!) { members(scope: $s) { totalCount nodes { status role user { id email } } } }").await;
    let backward = body("query($s: MembershipScope!) { members(scope: $s) { nodes { user { email id } role status } totalCount } }").await;
    let order = |text: &str, keys: &[&str]| {
        let at: Vec<usize> = keys.iter().map(|k| text.find(&format!("\"{k}\"")).expect(k)).collect();
        at.windows(2).all(|w| w[0] < w[1])
    };
    assert!(order(&forward, &["totalCount", "nodes", "status", "role", "user", "id", "email"]), "{forward}");
    assert!(
        order(&backward, &["nodes", "user", "email", "id", "role", "status", "totalCount"]),
        "{backward}"
    );
}

async fn removing_members_follows_the_rules(app: roster_tests::TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let design = app.create_team(&admin, &acme, "Design").await;
    let bob = app.member(&admin, team(&design), "bob", None).await;
    let pending = app.invite_ok(&admin, org(&acme), "pending@example.com", None).await;

    let refused = app.remove(Some(&admin), org(&acme), &pending).await;
    assert_eq!(refused["__typename"], "MemberPendingError");
    assert!(refused["message"].as_str().unwrap_or_default().contains("cancel"), "{refused}");
    let last_admin = app.remove(Some(&admin), org(&acme), &admin.id).await;
    assert_eq!(last_admin["__typename"], "LastAdminError");
    assert_eq!(app.remove(Some(&bob), org(&acme), &admin.id).await["__typename"], "NotAuthorizedError");
    assert_eq!(app.remove(None, org(&acme), &bob.id).await["__typename"], "NotAuthenticatedError");

    let removed = app.remove(Some(&admin), org(&acme), &bob.id).await;
    assert_eq!(removed, json!({ "__typename": "RemoveMemberSuccess", "userId": bob.id }));
    assert!(app.member_in(&admin, org(&acme), &bob.id).await.is_none());
    assert!(
        app.member_in(&admin, team(&design), &bob.id).await.is_none(),
        "leaving the organization leaves its teams"
    );
    assert_eq!(app.audit(&admin, &acme).await[0]["action"], "Admin removed member");
}

async fn a_second_admin_can_be_removed_and_the_last_one_is_never_offered(app: roster_tests::TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let second = app.member(&admin, org(&acme), "second", Some("ADMIN")).await;
    let row = app.member_in(&admin, org(&acme), &admin.id).await.expect("listed");
    assert_eq!(row["availableActions"], json!(["REMOVE_MEMBER", "CHANGE_ROLE"]), "two admins: either may go");
    assert_eq!(app.remove(Some(&second), org(&acme), &admin.id).await["__typename"], "RemoveMemberSuccess");
    let row = app.member_in(&second, org(&acme), &second.id).await.expect("listed");
    assert_eq!(row["availableActions"], json!([]), "the last admin is offered nothing");
}
