//! GraphQL over HTTP: status codes and media types the specification asks for. The full
//! public audit (`graphql-http`) runs in CI through `scripts/conformance`; these pin the points
//! stock handlers get wrong.

use roster_tests::{Backend, TestApp};

async fn app() -> TestApp {
    TestApp::spawn(Backend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_in_the_media_type_the_client_accepts() {
    let app = app().await;
    for (accept, expected) in [
        (Some("application/graphql-response+json"), "application/graphql-response+json; charset=utf-8"),
        (Some("application/json"), "application/json; charset=utf-8"),
        (Some("*/*"), "application/json; charset=utf-8"),
        (None, "application/json; charset=utf-8"),
    ] {
        let mut request = app
            .http
            .post(app.url("/graphql"))
            .header("content-type", "application/json")
            .body(r#"{"query":"{ __typename }"}"#);
        if let Some(accept) = accept {
            request = request.header("accept", accept);
        }
        let response = request.send().await.expect("an answer");
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], expected, "for Accept: {accept:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn document_errors_are_400_under_the_new_media_type_and_200_under_json() {
    let app = app().await;
    for (query, _what) in [("{", "parse"), ("{ nope }", "validation")] {
        let body = serde_json::json!({ "query": query }).to_string();
        let strict = app
            .http
            .post(app.url("/graphql"))
            .header("content-type", "application/json")
            .header("accept", "application/graphql-response+json")
            .body(body.clone())
            .send()
            .await
            .expect("an answer");
        assert_eq!(strict.status(), 400);
        let json: serde_json::Value = strict.json().await.expect("JSON");
        assert!(json.get("data").is_none() && json["errors"].is_array(), "{json}");
        let legacy = app
            .http
            .post(app.url("/graphql"))
            .header("content-type", "application/json")
            .header("accept", "application/json")
            .body(body)
            .send()
            .await
            .expect("an answer");
        assert_eq!(legacy.status(), 200);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_requests_get_4xx_not_500() {
    let app = app().await;
    let no_type = app
        .http
        .post(app.url("/graphql"))
        .body(r#"{"query":"{ __typename }"}"#)
        .send()
        .await
        .expect("an answer");
    assert_eq!(no_type.status(), 415);
    let bad_json = app
        .http
        .post(app.url("/graphql"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("an answer");
    assert_eq!(bad_json.status(), 400);
    assert!(bad_json.headers()["content-type"].to_str().unwrap_or_default().contains("json"));
    let no_query = app
        .http
        .post(app.url("/graphql"))
        .header("content-type", "application/json")
        .body(r#"{"qeury":"{ __typename }"}"#)
        .send()
        .await
        .expect("an answer");
    assert_eq!(no_query.status(), 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_runs_queries_but_refuses_mutations() {
    let app = app().await;
    let query = app.http.get(app.url("/graphql?query=%7B__typename%7D")).send().await.expect("an answer");
    assert_eq!(query.status(), 200);
    let json: serde_json::Value = query.json().await.expect("JSON");
    assert_eq!(json["data"]["__typename"], "Query");
    let mutation = app
        .http
        .get(app.url("/graphql?query=mutation%7BsignOut%7B__typename%7D%7D"))
        .send()
        .await
        .expect("an answer");
    assert_eq!(mutation.status(), 405);
    assert_eq!(mutation.headers()["allow"], "POST");
}

/// GraphiQL's introspection query (the shape graphql-js's `getIntrospectionQuery` builds).
const INTROSPECTION: &str = r"
query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }
}";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graphiql_introspection_fits_the_limits_and_oversized_requests_do_not() {
    let app = app().await;
    let schema = app.graphql(INTROSPECTION, serde_json::json!({})).await;
    assert_eq!(schema["data"]["__schema"]["subscriptionType"]["name"], "Subscription", "{schema}");
    let page = "members(scope: { organizationId: \"org_01jdzzzzzzzzzzzzzzzzzzzzzz\" }, first: 100) {
        edges { cursor node { user { id email displayName } status role invitedAt invitedBy { id email } joinedAt availableActions } }
        nodes { user { id email displayName } status role invitedAt invitedBy { id email } joinedAt availableActions } }";
    let oversized = app.graphql(&format!("{{ a: {page} b: {page} }}"), serde_json::json!({})).await;
    assert!(oversized.get("data").is_none(), "refused before execution");
    assert_eq!(oversized["errors"][0]["extensions"]["code"], "QUERY_TOO_COMPLEX", "{oversized}");
}
