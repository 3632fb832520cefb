//! Mail: the outbox under faults, links, what user text may carry.

mod links;
mod lookalike_links;
mod outbox;
