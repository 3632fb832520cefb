#![doc = include_str!("../README.md")]

pub mod actor;
pub mod error;
pub mod id;
pub mod page;
pub mod rate;
pub mod token;

pub use actor::Actor;
pub use error::{ErrorCode, internal_error, top_level_error};
