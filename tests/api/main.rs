//! The end-to-end suite, in one binary. See `tests/README.md`.

mod audit;
mod contract;
mod identity;
mod invitations;
mod live;
mod mail;
mod organizations;
mod server;
mod storage;
mod workspace;
