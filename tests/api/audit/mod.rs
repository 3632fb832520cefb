//! The audit log.

mod audit_log;
