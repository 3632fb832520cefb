//! The end-to-end suite, in one binary. See `tests/README.md`.

mod abuse;
mod audit;
mod authz;
mod cancel;
mod concurrency;
mod contract;
mod demo;
mod http_limits;
mod http_spec;
mod identity;
mod invitations;
mod live;
mod members;
mod membership;
mod outbox;
mod pg_tls;
mod readme;
mod resources;
mod smoke;
mod storage;
mod workspace;
mod ws_protocol;
