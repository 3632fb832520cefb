#![doc = include_str!("../README.md")]

pub mod actor;
pub mod client;
pub mod error;
pub mod id;
pub mod name;
pub mod page;
pub mod port;
pub mod token;

pub use actor::Actor;
pub use client::ClientAddr;
pub use error::{ErrorCode, OrInternal, internal_error, top_level_error};
