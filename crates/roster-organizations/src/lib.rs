#![doc = include_str!("../README.md")]

pub mod audit_log;
pub mod authority;
pub mod change_role;
pub mod create_organization;
pub mod events;
pub mod graphql;
pub mod leave;
pub mod member_list;
pub mod members;
pub mod organization;
pub mod pending;
pub mod remove_member;
pub mod rename_organization;
pub mod role;
pub mod scope;
pub mod settings;
pub mod store;

pub use authority::Authority;
pub use graphql::{
    OrganizationFields, OrganizationMembers, OrganizationObject, OrganizationsMutation, OrganizationsQuery,
};
pub use members::{Member, MemberConnection};
pub use role::{MemberAction, Role, Status};
pub use scope::{MembershipScope, Scope};
pub use settings::OrganizationSettings;
