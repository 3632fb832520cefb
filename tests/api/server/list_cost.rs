//! Every list is charged by the rows it can return, so no document can ask for more than
//! `ROSTER_MAX_COMPLEXITY` allows: not through the `Organization.teams` ↔ `Team.organization`
//! cycle (which once let one request take gigabytes), not through `myOrganizations` or
//! `myTeams`, and not through a batch mutation's results.

use async_graphql::parser::types::{BaseType, TypeKind, TypeSystemDefinition};
use roster_tests::flows::{org, team};
use roster_tests::{TestApp, TestUser, backend_tests};
use serde_json::{Value, json};

backend_tests!(
    the_team_organization_cycle_is_refused_before_it_runs_at_every_depth,
    a_page_of_teams_with_their_member_pages_still_fits,
    teams_are_paged_by_first_and_after,
    my_lists_are_bounded_and_charged_like_pages,
    a_batch_is_charged_by_its_items with a_batch_is_charged_by_its_items_settings,
);

fn code(answer: &Value) -> &str {
    answer["errors"][0]["extensions"]["code"].as_str().unwrap_or_default()
}

/// `{ <root> { teams { organization { teams { … organization { id } } } } } }` with `levels`
/// teams lists, starting from `root` (an `Organization` or a list of them).
fn cycle(root: &str, levels: usize) -> String {
    format!("{{ {root} {{ {} id {} }} }}", "teams { organization { ".repeat(levels), "} } ".repeat(levels))
}

/// An admin with an organization of three teams.
async fn three_teams(app: &TestApp) -> (TestUser, String, Vec<String>) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let mut teams = Vec::new();
    for name in ["Red", "Green", "Blue"] {
        teams.push(app.create_team(&admin, &acme, name).await);
    }
    (admin, acme, teams)
}

async fn the_team_organization_cycle_is_refused_before_it_runs_at_every_depth(app: TestApp) {
    let (admin, acme, _) = three_teams(&app).await;
    let root = format!("organization(id: \"{acme}\")");
    // Two levels cost 50 + 20 × (1 + 50 + 20 × 2): under the default limit of 5,000.
    let two = app.graphql_as(Some(&admin.token), &cycle(&root, 2), json!({})).await;
    let outer = two["data"]["organization"]["teams"].as_array().cloned().unwrap_or_default();
    assert_eq!(outer.len(), 3, "{two}");
    assert_eq!(outer[0]["organization"]["teams"].as_array().map(Vec::len), Some(3), "{two}");
    // From three levels up to the deepest the depth limit admits, refused before any work.
    for levels in 3..=11 {
        let answer = app.graphql_as(Some(&admin.token), &cycle(&root, levels), json!({})).await;
        assert_eq!(code(&answer), "QUERY_TOO_COMPLEX", "{levels} levels: {answer}");
        assert!(answer.get("data").is_none(), "{levels} levels ran: {answer}");
    }
    // Smaller pages buy depth, and what they buy is still bounded.
    let small = format!(
        "{{ {root} {{ {} id {} }} }}",
        "teams(first: 2) { organization { ".repeat(3),
        "} } ".repeat(3)
    );
    let answer = app.graphql_as(Some(&admin.token), &small, json!({})).await;
    assert!(answer.get("errors").is_none(), "{answer}");
    let inner =
        &answer["data"]["organization"]["teams"][1]["organization"]["teams"][1]["organization"]["teams"];
    assert_eq!(inner.as_array().map(Vec::len), Some(2), "{answer}");
}

async fn a_page_of_teams_with_their_member_pages_still_fits(app: TestApp) {
    let (admin, acme, teams) = three_teams(&app).await;
    app.invite_ok(&admin, team(&teams[0]), "bob@example.com", None).await;
    // 20 teams of 20 members: 50 + 20 × (2 + 50 + 20 × (7 + 2)) = 4,690, under 5,000. (A
    // page's own fields, such as pageInfo, are charged once per row it can return too.)
    let query = format!(
        "{{ organization(id: \"{acme}\") {{ id name teams {{ id name members(first: 20) {{
            nodes {{ user {{ id email displayName }} status role }}
            pageInfo {{ hasNextPage }} }} }} }} }}"
    );
    let answer = app.graphql_as(Some(&admin.token), &query, json!({})).await;
    assert!(answer.get("errors").is_none(), "{answer}");
    let first = &answer["data"]["organization"]["teams"][0];
    assert_eq!(first["name"], "Red", "{answer}");
    assert_eq!(first["members"]["nodes"][0]["user"]["email"], "bob@example.com", "{answer}");
}

async fn teams_are_paged_by_first_and_after(app: TestApp) {
    let (admin, acme, teams) = three_teams(&app).await;
    let page = |first: i64, after: Option<&str>| {
        let query = "query($o: ID!, $first: Int, $after: ID) {
            organization(id: $o) { teams(first: $first, after: $after) { id } } }";
        app.graphql_as(Some(&admin.token), query, json!({ "o": acme, "first": first, "after": after }))
    };
    let ids = |answer: &Value| -> Vec<String> {
        let teams = answer["data"]["organization"]["teams"].as_array().cloned().unwrap_or_default();
        teams.iter().filter_map(|t| t["id"].as_str().map(str::to_owned)).collect()
    };
    let two = page(2, None).await;
    assert_eq!(ids(&two), teams[..2].to_vec(), "{two}");
    let rest = page(2, Some(&teams[1])).await;
    assert_eq!(ids(&rest), teams[2..].to_vec(), "{rest}");
    // More than a page is the largest page; a negative page is a typed error.
    assert_eq!(ids(&page(500, None).await), teams, "first above 100 is clamped");
    let negative = page(-1, None).await;
    assert_eq!(code(&negative), "BAD_USER_INPUT", "{negative}");
    let not_a_team = page(2, Some("org_nope")).await;
    assert_eq!(code(&not_a_team), "BAD_USER_INPUT", "{not_a_team}");
}

async fn my_lists_are_bounded_and_charged_like_pages(app: TestApp) {
    let (admin, acme, _) = three_teams(&app).await;
    app.create_org(&admin, "Globex").await;
    let mine = app.graphql_as(Some(&admin.token), "{ myOrganizations(first: 1) { id } }", json!({})).await;
    assert_eq!(mine["data"]["myOrganizations"], json!([{ "id": acme }]), "{mine}");
    for root in ["myOrganizations", "myOrganizations(first: 100)"] {
        for levels in 2..=11 {
            let answer = app.graphql_as(Some(&admin.token), &cycle(root, levels), json!({})).await;
            assert_eq!(code(&answer), "QUERY_TOO_COMPLEX", "{root}, {levels} levels: {answer}");
        }
    }
    let fits = app.graphql_as(Some(&admin.token), &cycle("myOrganizations", 1), json!({})).await;
    assert_eq!(fits["data"]["myOrganizations"][0]["teams"].as_array().map(Vec::len), Some(3), "{fits}");
    for levels in 2..=10 {
        let query = format!(
            "{{ myTeams {{ organization {{ {} id {} }} }} }}",
            "teams { organization { ".repeat(levels),
            "} } ".repeat(levels)
        );
        let answer = app.graphql_as(Some(&admin.token), &query, json!({})).await;
        assert_eq!(code(&answer), "QUERY_TOO_COMPLEX", "myTeams, {levels} levels: {answer}");
    }
}

fn a_batch_is_charged_by_its_items_settings(settings: &mut roster_server::Settings) {
    settings.schema.max_complexity = 1_000;
}

async fn a_batch_is_charged_by_its_items(app: TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let query = "mutation($s: MembershipScope!, $items: [InvitationInput!]!) {
        inviteUsers(scope: $s, invitations: $items) { __typename ... on InviteUsersSuccess { results {
            __typename ... on InviteUserSuccess { member { user { id email displayName } status role
            invitedAt invitedBy { id email displayName } joinedAt availableActions } } } } } }";
    let items = |n: usize| -> Vec<Value> {
        (0..n).map(|i| json!({ "email": format!("person{i}@example.com") })).collect()
    };
    // 50 + 5 × 17 fits under 1,000; 50 + 100 × 17 does not, and nobody is invited.
    let few = app.graphql_as(Some(&admin.token), query, json!({ "s": org(&acme), "items": items(5) })).await;
    assert_eq!(few["data"]["inviteUsers"]["results"].as_array().map(Vec::len), Some(5), "{few}");
    let many =
        app.graphql_as(Some(&admin.token), query, json!({ "s": org(&acme), "items": items(100) })).await;
    assert_eq!(code(&many), "QUERY_TOO_COMPLEX", "{many}");
    let memberships = roster_tests::count_rows(&app, "memberships").await;
    assert_eq!(memberships, 6, "the admin and the first five: the refused batch invited nobody");
}

/// Every field that returns a list of objects takes `first` (and is charged by it), or is the
/// page of a connection, or answers one item per input item. A list added without a bound
/// fails here.
#[test]
fn every_list_of_objects_in_the_schema_is_bounded() {
    let sdl = roster_server::schema::sdl();
    let document = async_graphql::parser::parse_schema(&sdl).expect("the schema parses");
    let mut objects = std::collections::BTreeSet::new();
    for definition in &document.definitions {
        if let TypeSystemDefinition::Type(ty) = definition
            && matches!(ty.node.kind, TypeKind::Object(_) | TypeKind::Interface(_) | TypeKind::Union(_))
        {
            objects.insert(ty.node.name.node.to_string());
        }
    }
    let mut unbounded = Vec::new();
    let mut bounded = 0;
    for definition in &document.definitions {
        let TypeSystemDefinition::Type(ty) = definition else { continue };
        let TypeKind::Object(object) = &ty.node.kind else { continue };
        let owner = ty.node.name.node.as_str();
        for field in &object.fields {
            let BaseType::List(item) = &field.node.ty.node.base else { continue };
            let BaseType::Named(item) = &item.base else { continue };
            if !objects.contains(item.as_str()) {
                continue;
            }
            let name = field.node.name.node.as_str();
            let takes_first = field.node.arguments.iter().any(|a| a.node.name.node == "first");
            let page_of_a_connection = owner.ends_with("Connection") && matches!(name, "edges" | "nodes");
            let per_input_item = (owner, name) == ("InviteUsersSuccess", "results");
            if takes_first {
                bounded += 1;
            } else if !(page_of_a_connection || per_input_item) {
                unbounded.push(format!("{owner}.{name}"));
            }
        }
    }
    assert!(unbounded.is_empty(), "lists with no bound: {unbounded:?}");
    assert!(bounded >= 3, "Organization.teams, myOrganizations and myTeams take `first`");
}
