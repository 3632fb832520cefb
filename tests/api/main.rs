//! The end-to-end suite, in one binary. See `tests/README.md`.

mod audit;
mod cancel;
mod concurrency;
mod http_spec;
mod identity;
mod invitations;
mod members;
mod readme;
mod smoke;
mod storage;
mod workspace;
