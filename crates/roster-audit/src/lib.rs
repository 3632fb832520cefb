#![doc = include_str!("../README.md")]

pub mod graphql;
pub mod store;

pub use graphql::{AuditEntry, AuditEntryConnection};
pub use store::{AuditCode, NewEntry, record};
