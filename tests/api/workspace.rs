//! Rules about the workspace itself: crate boundaries and the checked-in schema.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// What each Roster crate may depend on: the layers of ARCHITECTURE.md, each crate on crates
/// below it only. `roster-teams` and `roster-live` sit beside `roster-invitations`: nothing but
/// the server (and the tests) may use them. Live delivery is above organizations, so the crate
/// that writes member-list events never depends on the one that delivers them.
const ALLOWED: &[(&str, &[&str])] = &[
    ("roster-core", &[]),
    ("roster-db", &["roster-core"]),
    ("roster-mail", &["roster-core", "roster-db"]),
    ("roster-identity", &["roster-core", "roster-db", "roster-mail"]),
    ("roster-audit", &["roster-core", "roster-db", "roster-identity"]),
    ("roster-organizations", &["roster-core", "roster-db", "roster-identity", "roster-audit"]),
    (
        "roster-teams",
        &["roster-core", "roster-db", "roster-identity", "roster-audit", "roster-organizations"],
    ),
    (
        "roster-invitations",
        &[
            "roster-core",
            "roster-db",
            "roster-mail",
            "roster-identity",
            "roster-audit",
            "roster-organizations",
        ],
    ),
    ("roster-live", &["roster-core", "roster-db", "roster-identity", "roster-audit", "roster-organizations"]),
    ("roster-bench", &[]),
];

fn metadata() -> serde_json::Value {
    let args = ["metadata", "--format-version", "1", "--offline", "--no-deps"];
    let output =
        Command::new(env!("CARGO")).args(args).current_dir(root()).output().expect("cargo metadata runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("JSON")
}

/// Only the server knows axum, nothing but this test crate depends on the server, and each
/// module crate depends only on the crates below it.
#[test]
fn crate_dependencies_respect_the_architecture() {
    let metadata = metadata();
    let mut violations = Vec::new();
    for package in metadata["packages"].as_array().expect("packages") {
        let name = package["name"].as_str().unwrap_or_default();
        for dependency in package["dependencies"].as_array().into_iter().flatten() {
            let dep = dependency["name"].as_str().unwrap_or_default();
            let is_http = matches!(dep, "axum" | "async-graphql-axum" | "hyper" | "tower");
            if is_http && name != "roster-server" {
                violations.push(format!("{name} depends on {dep}: only roster-server may know HTTP"));
            }
            if dep == "roster-server" && name != "roster-tests" {
                violations.push(format!("{name} depends on roster-server: nothing may"));
            }
            if dep.starts_with("roster-")
                && let Some((_, allowed)) = ALLOWED.iter().find(|(crate_name, _)| *crate_name == name)
                && !allowed.contains(&dep)
            {
                violations.push(format!("{name} depends on {dep}, which is not below it"));
            }
        }
    }
    assert!(violations.is_empty(), "{violations:#?}");
}

/// TLS uses ring: aws-lc-rs (rustls' default) needs cmake and a long C build, and a default
/// feature turned on by a new dependency would bring it in unnoticed.
#[test]
fn no_dependency_pulls_in_aws_lc() {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).expect("Cargo.lock");
    assert!(!lock.contains("name = \"aws-lc"), "aws-lc is in Cargo.lock");
    assert!(lock.contains("name = \"ring\""));
}

/// `schema.graphql` is what `roster print-schema` prints. On a difference the file is
/// rewritten and the test fails, so the new SDL shows up in the diff to commit.
#[test]
fn schema_graphql_is_up_to_date() {
    let path = root().join("schema.graphql");
    let actual = roster_server::schema::sdl();
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    if checked_in != actual {
        std::fs::write(&path, &actual).expect("schema.graphql is writable");
        panic!("schema.graphql was out of date and has been rewritten; review and commit it");
    }
}
