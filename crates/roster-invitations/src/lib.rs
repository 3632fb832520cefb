#![doc = include_str!("../README.md")]

pub mod graphql;
pub mod mail;
pub mod outbox;
pub mod service;
pub mod store;

pub use graphql::InvitationsMutation;
pub use mail::Mailer;
pub use service::InvitationSettings;
