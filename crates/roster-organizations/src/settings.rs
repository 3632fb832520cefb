//! What organizations are allowed to do.

use std::time::Duration;

use clap::{ArgAction, Args};
use roster_db::limit::Limit;

/// Organization settings, shared through the GraphQL context.
#[derive(Debug, Clone)]
pub struct OrganizationSettings {
    /// Whether any signed-in user may `createOrganization`. When false, organizations come
    /// only from the operator's `roster admin create-organization`.
    pub creation_open: bool,
    /// `createOrganization` calls per user per day (`ROSTER_ORG_CREATIONS_PER_DAY`).
    pub creations_per_user: Limit,
    /// `createOrganization` calls per client address (an IPv6 client's /64) per day, with
    /// the same count: fresh accounts from one place share it.
    pub creations_per_address: Limit,
}

const DAY: Duration = Duration::from_secs(24 * 3600);

impl OrganizationSettings {
    /// The creation limits for `per_day` organizations a day (0 turns them off).
    #[must_use]
    pub fn with_limits(mut self, per_day: u32) -> Self {
        self.creations_per_user = Limit::new("create-organization/user", per_day, DAY);
        self.creations_per_address = Limit::new("create-organization/address", per_day, DAY);
        self
    }
}

impl Default for OrganizationSettings {
    fn default() -> Self {
        OrganizationSettings {
            creation_open: true,
            creations_per_user: Limit::new("create-organization/user", 0, DAY),
            creations_per_address: Limit::new("create-organization/address", 0, DAY),
        }
        .with_limits(10)
    }
}

/// Organizations' flags: who may create organizations, and how many per day.
///
/// The server flattens this into its settings, so each flag is in `roster --help`. A flag
/// added here needs `global = true` (settings follow any subcommand), a row in the README's
/// settings table (a test compares them), and a name no other module claims (startup
/// refuses one claimed twice).
#[derive(Debug, Clone, Args)]
pub struct OrganizationArgs {
    /// Whether any signed-in user may create organizations. When false, only `roster admin create-organization` can.
    #[arg(long, env = "ROSTER_ORG_CREATION_OPEN", default_value_t = true, action = ArgAction::Set, global = true)]
    pub org_creation_open: bool,

    /// createOrganization calls per day, per user and per client address (0: no limit).
    #[arg(long, env = "ROSTER_ORG_CREATIONS_PER_DAY", default_value_t = 10, global = true)]
    pub org_creations_per_day: u32,
}
