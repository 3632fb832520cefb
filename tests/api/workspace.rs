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

/// The modules of one crate, by path (`a`, `a::b`), and the sibling modules each names with
/// `crate::…` outside its tests, as `../shared/tools/import-cycles` reads them.
fn module_imports(src: &Path) -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("a source folder").flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, files);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let mut paths = Vec::new();
    walk(src, &mut paths);
    let mut modules = std::collections::BTreeMap::new();
    for path in paths {
        let relative = path.strip_prefix(src).expect("under src").with_extension("");
        let mut parts: Vec<String> =
            relative.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
        if parts.last().is_some_and(|p| p == "mod") {
            parts.pop();
        }
        if parts == ["lib"] || parts == ["main"] {
            continue;
        }
        modules.insert(parts.join("::"), path);
    }
    let mut graph = std::collections::BTreeMap::new();
    for (module, path) in &modules {
        let text = std::fs::read_to_string(path).expect("a source file");
        let text = text.split("#[cfg(test)]").next().unwrap_or_default();
        let code: String =
            text.lines().map(|l| l.split("//").next().unwrap_or_default()).collect::<Vec<_>>().join("\n");
        let mut named = std::collections::BTreeSet::new();
        let mut rest = code.as_str();
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            // `crate::{a, b::c}` names several; `crate::a::b` names `a::b` (or `a`).
            let paths: Vec<&str> = if let Some(group) = rest.strip_prefix('{') {
                group.split('}').next().unwrap_or_default().split(',').map(str::trim).collect()
            } else {
                vec![rest]
            };
            for path in paths {
                let segments: Vec<&str> = path
                    .split("::")
                    .map(|s| {
                        s.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).next().unwrap_or_default()
                    })
                    .take(2)
                    .take_while(|s| s.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c == '_'))
                    .collect();
                let Some(first) = segments.first() else { continue };
                let two = segments.join("::");
                let target = if modules.contains_key(&two) { two } else { (*first).to_owned() };
                if modules.contains_key(&target)
                    && &target != module
                    && !module.starts_with(&format!("{target}::"))
                {
                    named.insert(target);
                }
            }
        }
        graph.insert(module.clone(), named);
    }
    graph
}

/// A file's modules that can reach it again through what they import: the circle through it.
fn circle_through(
    graph: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
    start: &str,
) -> Option<Vec<String>> {
    // Depth-first, remembering the path, until `start` comes round again.
    let mut stack = vec![(start.to_owned(), vec![start.to_owned()])];
    let mut seen = std::collections::BTreeSet::new();
    while let Some((module, path)) = stack.pop() {
        for next in graph.get(&module).into_iter().flatten() {
            if next == start {
                return Some(path.clone());
            }
            if seen.insert(next.clone()) {
                let mut longer = path.clone();
                longer.push(next.clone());
                stack.push((next.clone(), longer));
            }
        }
    }
    None
}

/// No two files of one crate import each other, directly or through others: a newcomer can
/// read a crate bottom-up, and a module can move out without dragging its neighbours.
#[test]
fn no_crate_has_an_import_circle() {
    let mut circles = Vec::new();
    let mut crates_read = 0;
    for entry in std::fs::read_dir(root().join("crates")).expect("crates/").flatten() {
        let src = entry.path().join("src");
        if !src.is_dir() {
            continue;
        }
        crates_read += 1;
        let graph = module_imports(&src);
        let mut reported = std::collections::BTreeSet::new();
        for module in graph.keys() {
            if reported.contains(module) {
                continue;
            }
            if let Some(circle) = circle_through(&graph, module) {
                reported.extend(circle.iter().cloned());
                let name = entry.file_name().to_string_lossy().into_owned();
                circles.push(format!("{name}: {}", circle.join(" → ")));
            }
        }
    }
    assert!(crates_read >= 10, "the crates were read");
    assert!(circles.is_empty(), "import circles: {circles:#?}");
}

/// The reader of `no_crate_has_an_import_circle` sees a circle when there is one.
#[test]
fn the_import_circle_reader_finds_a_circle() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let src = dir.path();
    std::fs::write(src.join("lib.rs"), "mod a; mod b; mod c;").expect("written");
    std::fs::write(src.join("a.rs"), "use crate::b::Thing; // crate::c in a comment").expect("written");
    std::fs::write(src.join("b.rs"), "use crate::{c::Other, a};").expect("written");
    std::fs::write(src.join("c.rs"), "fn f() {}\n#[cfg(test)]\nmod tests { use crate::a; }")
        .expect("written");
    let graph = module_imports(src);
    assert_eq!(circle_through(&graph, "a"), Some(vec!["a".to_owned(), "b".to_owned()]));
    assert_eq!(circle_through(&graph, "c"), None, "imports in tests and comments do not count");
}

/// Every setting is a flag with an environment variable in `roster --help`, and a row of the
/// README's settings table, and the table has no row for a setting that does not exist.
#[test]
fn every_setting_is_in_the_help_and_the_readme_table() {
    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        settings: roster_server::settings::SettingsArgs,
    }
    let command = <Cli as clap::CommandFactory>::command();
    let in_help: std::collections::BTreeSet<String> = command
        .get_arguments()
        .filter_map(|arg| arg.get_env().map(|env| env.to_string_lossy().into_owned()))
        .collect();
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let in_table: std::collections::BTreeSet<String> = readme
        .lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|rest| rest.split('`').next())
        .filter(|name| name.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
        .map(str::to_owned)
        .collect();
    // Read by libraries rather than by `roster`'s flags, and documented in the same table.
    let read_elsewhere = ["RUST_LOG", "OTEL_SERVICE_NAME"];
    let missing_from_table: Vec<&String> = in_help.iter().filter(|name| !in_table.contains(*name)).collect();
    let not_settings: Vec<&String> = in_table
        .iter()
        .filter(|name| !in_help.contains(*name) && !read_elsewhere.contains(&name.as_str()))
        .collect();
    assert!(in_help.len() > 30, "the flags were read: {in_help:?}");
    assert!(
        missing_from_table.is_empty(),
        "settings missing from the README's table: {missing_from_table:?}"
    );
    assert!(not_settings.is_empty(), "README rows that are no setting of `roster`: {not_settings:?}");
}
