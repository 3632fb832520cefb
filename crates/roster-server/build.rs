//! Rebuilds the server when the embedded browser apps change (`web/dist`, see `assets.rs`):
//! the embedding macro does not tell Cargo which files it read.

fn main() {
    println!("cargo::rerun-if-changed=../../web/dist");
}
