#![doc = include_str!("../README.md")]

pub mod accept;
pub mod bootstrap;
pub mod cancel;
pub mod ending;
pub mod graphql;
pub mod invitation;
pub mod invite;
pub mod invite_many;
pub mod mail;
pub mod preview;
pub mod resend;
pub mod settings;
pub mod store;

pub use graphql::{InvitationsMutation, InvitationsQuery};
pub use settings::InvitationSettings;
