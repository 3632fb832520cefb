//! The README's GraphQL examples, run as written against a live server.
//!
//! Each ```graphql block is sent in order; the ```json block after it is the expected answer.
//! `"<name>"` in an expected answer matches any string and remembers it; `<name>` in a later
//! query is replaced by it. The value captured as `token` is sent as the bearer token.

use std::collections::HashMap;

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
                Some((next, json)) if next == "json" => serde_json::from_str(json)
                    .unwrap_or_else(|e| panic!("the README's JSON parses: {e}\n{json}")),
                _ => panic!("a ```graphql example must be followed by its ```json answer"),
            };
            pairs.push((text, expected));
        }
    }
    pairs
}

/// Whether `actual` matches `expected`. A string `"<name>"` in `expected` matches any string
/// and captures it as `name`; a name seen before must match its first value.
fn matches(expected: &Value, actual: &Value, captured: &mut HashMap<String, String>) -> bool {
    match (expected, actual) {
        (Value::String(pattern), Value::String(value))
            if pattern.starts_with('<') && pattern.ends_with('>') =>
        {
            let name = pattern.trim_matches(|c| c == '<' || c == '>').to_owned();
            captured.entry(name).or_insert_with(|| value.clone()) == value
        }
        (Value::Object(e), Value::Object(a)) => {
            e.len() == a.len() && e.iter().all(|(k, v)| a.get(k).is_some_and(|av| matches(v, av, captured)))
        }
        (Value::Array(e), Value::Array(a)) => {
            e.len() == a.len() && e.iter().zip(a).all(|(e, a)| matches(e, a, captured))
        }
        _ => expected == actual,
    }
}

/// The query with every `<name>` replaced by its captured value.
fn fill_in(query: &str, captured: &HashMap<String, String>) -> String {
    captured.iter().fold(query.to_owned(), |query, (name, value)| query.replace(&format!("<{name}>"), value))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readme_examples_work_as_written() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).expect("README.md");
    let examples = examples(&readme);
    assert!(examples.len() >= 8, "the README should walk through a first session and the cancel flow");
    // Under the abuse limits `roster serve` has by default (the test settings turn some off):
    // the first session invites from an account whose email is not verified yet.
    let app =
        TestApp::spawn_with(Backend::Sqlite, |s| s.limits = roster_server::settings::AbuseLimits::default())
            .await;
    let mut captured = HashMap::new();
    for (query, expected) in examples {
        let query = fill_in(&query, &captured);
        let token = captured.get("token").cloned();
        let actual = app.graphql_as(token.as_deref(), &query, serde_json::json!({})).await;
        assert!(
            matches(&expected, &actual, &mut captured),
            "README example\n{query}\nexpected {expected}\ngot {actual}"
        );
    }
}
