//! Bad input gets a typed error, never a server error: U+0000, which PostgreSQL cannot store
//! in text, is refused in every argument, whether written in the document or sent as a
//! variable, before anything runs; names answer a `ValidationError` on their field instead.

use roster_tests::{TestApp, backend_tests};
use serde_json::{Value, json};

backend_tests!(a_nul_anywhere_in_the_arguments_is_bad_user_input);

fn code(answer: &Value) -> &str {
    answer["errors"][0]["extensions"]["code"].as_str().unwrap_or_default()
}

async fn a_nul_anywhere_in_the_arguments_is_bad_user_input(app: TestApp) {
    let admin = app.sign_up("admin").await;
    let acme = app.create_org(&admin, "Acme").await;
    let sign_in = "mutation($e: String!) { signIn(email: $e, password: \"whatever\") { __typename } }";
    let cases = [
        (sign_in.to_owned(), json!({ "e": "ana\u{0}@example.com" })),
        ("{ organization(id: \"org_\\u0000\") { id } }".to_owned(), json!({})),
        (format!("{{ organization(id: \"{acme}\") {{ teams(after: \"team_\\u0000\") {{ id }} }} }}"), json!({})),
        (
            "query($s: MembershipScope!) { members(scope: $s) { totalCount } }".to_owned(),
            json!({ "s": { "organizationId": format!("{acme}\u{0}") } }),
        ),
        (
            "mutation($s: MembershipScope!) { cancelInvitation(scope: $s, userId: \"usr_\\u0000\") { __typename } }"
                .to_owned(),
            json!({ "s": { "organizationId": acme } }),
        ),
    ];
    for (query, variables) in cases {
        let answer = app.graphql_as(Some(&admin.token), &query, variables).await;
        assert_eq!(code(&answer), "BAD_USER_INPUT", "{query}: {answer}");
        assert!(answer.get("data").is_none_or(Value::is_null), "nothing ran: {answer}");
    }
    // The same arguments without the NUL are answered as usual.
    let fine = app.graphql_as(Some(&admin.token), sign_in, json!({ "e": "ana@example.com" })).await;
    assert_eq!(fine["data"]["signIn"]["__typename"], "InvalidCredentialsError", "{fine}");
    // A name is the exception: its field answers, as for any other control character.
    let name = "mutation($n: String!) { createOrganization(name: $n) {
        __typename ... on ValidationError { field } } }";
    let answer = app.graphql_as(Some(&admin.token), name, json!({ "n": "Ac\u{0}me" })).await;
    assert_eq!(
        answer["data"]["createOrganization"],
        json!({ "__typename": "ValidationError", "field": "name" })
    );
    assert_eq!(roster_tests::count_rows(&app, "organizations").await, 1);
}
