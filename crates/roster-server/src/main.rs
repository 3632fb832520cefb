//! The `roster` command. All the work is in the library; see `roster --help`.

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    roster_server::cli::main().await
}
