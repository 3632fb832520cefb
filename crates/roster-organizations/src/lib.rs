#![doc = include_str!("../README.md")]

mod audit_log;
pub mod authority;
mod change_role;
pub mod create_organization;
pub mod events;
pub mod graphql;
mod leave;
pub mod lookup;
mod member_list;
pub mod members;
pub mod membership;
mod organization;
pub mod pending;
mod remove_member;
mod rename_organization;
pub mod role;
pub mod scope;
pub mod settings;
mod store;

pub use authority::Authority;
pub use graphql::{
    OrganizationFields, OrganizationMembers, OrganizationObject, OrganizationsMutation, OrganizationsQuery,
};
pub use members::{Member, MemberConnection};
pub use role::{MemberAction, Role, Status};
pub use scope::{LockedScope, MembershipScope, Scope};
pub use settings::OrganizationSettings;
