//! The `roster` command. All the work is in the library; see `roster --help`.

use std::process::ExitCode;

/// glibc's malloc spends a fifth of a small request's time in its arenas, locks included;
/// mimalloc's per-thread heaps do not contend (BENCHMARKS.md, `{__typename}`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    roster_server::cli::main().await
}
