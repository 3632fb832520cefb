#![doc = include_str!("../README.md")]

pub mod canonical_emails;
pub mod email;
pub mod graphql;
pub mod mail;
pub mod password;
pub mod proof;
pub mod request_password_reset;
pub mod reset_password;
pub mod send_verification;
pub mod service;
pub mod settings;
pub mod store;
pub mod tokens;
pub mod verify_email;

pub use graphql::{IdentityMutation, IdentityQuery, User};
pub use service::authenticate;
pub use settings::IdentitySettings;
