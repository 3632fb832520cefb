//! Rules about the workspace itself: crate boundaries and the checked-in schema.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Only the server knows axum, and nothing but this test crate depends on the server.
#[test]
fn crate_dependencies_respect_the_architecture() {
    let output = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--no-deps", "--offline"])
        .current_dir(root())
        .output()
        .expect("cargo metadata runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
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
        }
    }
    assert!(violations.is_empty(), "{violations:#?}");
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
