#![doc = include_str!("../README.md")]

pub mod authority;
pub mod events;
pub mod graphql;
pub mod live;
pub mod members;
pub mod role;
pub mod scope;
pub mod service;
pub mod store;
pub mod subscription;

pub use authority::Authority;
pub use graphql::{Organization, OrganizationsMutation, OrganizationsQuery, Team};
pub use members::{Member, MemberConnection};
pub use role::{MemberAction, Role, Status};
pub use scope::{MembershipScope, Scope};
