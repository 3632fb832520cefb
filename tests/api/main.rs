//! The end-to-end suite, in one binary. See `tests/README.md`.

mod http_spec;
mod identity;
mod readme;
mod smoke;
mod storage;
mod workspace;
