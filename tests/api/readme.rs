//! The README's GraphQL examples, run as written against a live server.
//!
//! Each ```graphql block is sent in order; the ```json block after it is the expected answer.
//! `"<token>"` in an expected answer matches any string, and the token from the last
//! answer that had one is sent as the bearer token from then on.

use roster_tests::{Backend, TestApp};
use serde_json::Value;

fn examples(readme: &str) -> Vec<(String, Value)> {
    let mut blocks: Vec<(String, String)> = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in readme.lines() {
        match (&mut current, line.strip_prefix("```")) {
            (None, Some(lang)) => current = Some((lang.trim().to_owned(), String::new())),
            (Some(_), Some(_)) => blocks.extend(current.take()),
            (Some((_, text)), None) => {
                text.push_str(line);
                text.push('\n');
            }
            (None, None) => {}
        }
    }
    let mut pairs = Vec::new();
    let mut iter = blocks.into_iter().peekable();
    while let Some((lang, text)) = iter.next() {
        if lang == "graphql" {
            let expected = match iter.peek() {
                Some((next, json)) if next == "json" => {
                    serde_json::from_str(json).expect("the README's JSON parses")
                }
                _ => panic!("a ```graphql example must be followed by its ```json answer"),
            };
            pairs.push((text, expected));
        }
    }
    pairs
}

/// Whether `actual` matches `expected`, where the string "<token>" matches any string.
fn matches(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::String(s), Value::String(_)) if s == "<token>" => true,
        (Value::Object(e), Value::Object(a)) => {
            e.len() == a.len() && e.iter().all(|(k, v)| a.get(k).is_some_and(|av| matches(v, av)))
        }
        (Value::Array(e), Value::Array(a)) => {
            e.len() == a.len() && e.iter().zip(a).all(|(e, a)| matches(e, a))
        }
        _ => expected == actual,
    }
}

fn find_token(value: &Value) -> Option<String> {
    match value {
        Value::Object(map) => map
            .get("token")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| map.values().find_map(find_token)),
        Value::Array(items) => items.iter().find_map(find_token),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readme_examples_work_as_written() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).expect("README.md");
    let examples = examples(&readme);
    assert!(examples.len() >= 2, "the README should show a first session");
    let app = TestApp::spawn(Backend::Sqlite).await;
    let mut token: Option<String> = None;
    for (query, expected) in examples {
        let actual = app.graphql_as(token.as_deref(), &query, serde_json::json!({})).await;
        assert!(matches(&expected, &actual), "README example\n{query}\nexpected {expected}\ngot {actual}");
        if let Some(found) = find_token(&actual) {
            token = Some(found);
        }
    }
}
