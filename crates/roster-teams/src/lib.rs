#![doc = include_str!("../README.md")]

pub mod create_team;
pub mod delete_team;
pub mod graphql;
pub mod rename_team;
pub mod store;
pub mod team;

pub use graphql::{OrganizationTeams, TeamFields, TeamObject, TeamParts, TeamsMutation, TeamsQuery};
