//! The binary's logs, as an operator's log collector receives them: written to a pipe, they
//! carry no terminal colour codes.

use std::process::Command;

#[test]
fn logs_written_to_a_pipe_have_no_colour_codes() {
    let dir = std::env::temp_dir().join(format!("roster-logs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a folder");
    let url = format!("sqlite://{}", dir.join("roster.db").display());
    let output = Command::new(env!("CARGO_BIN_EXE_roster"))
        .args(["migrate", "--database-url", &url])
        .env("RUST_LOG", "info")
        .env("ROSTER_LOG_FORMAT", "text")
        .output()
        .expect("roster runs");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(output.status.success(), "{output:?}");
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(log.contains("migrations applied"), "{log}");
    assert!(!log.contains('\u{1b}'), "no escape codes in a piped log: {log:?}");
}
