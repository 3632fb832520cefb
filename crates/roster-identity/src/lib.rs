#![doc = include_str!("../README.md")]

pub mod email;
pub mod graphql;
pub mod password;
pub mod proof;
pub mod service;
pub mod store;

pub use graphql::{IdentityMutation, IdentityQuery, User};
pub use service::{IdentitySettings, authenticate};
