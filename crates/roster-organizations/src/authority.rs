//! What the acting user may do in a scope.
//!
//! The rules, in one place:
//! - an organization's verified ADMIN administers the organization and every team in it;
//! - a team's verified OWNER administers that team;
//! - a scope's list is readable by its verified members, and a team's also by the admins
//!   of its organization;
//! - an organization, its teams and their names are visible to its verified members.
//!
//! Pending (UNVERIFIED) memberships grant nothing.

use roster_db::prelude::*;
use roster_db::schema::memberships;
use roster_db::{Conn, db_run};

use crate::role::{Role, Status};
use crate::scope::Scope;

/// The acting user's verified roles around one scope.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Authority {
    /// The role in the scope's organization, if a verified member.
    pub organization_role: Option<Role>,
    /// The role in the scope's team, if the scope is a team and they are a verified member.
    pub team_role: Option<Role>,
    /// Whether the scope is a team.
    pub is_team: bool,
}

impl Authority {
    /// Loads the actor's authority around `scope` in one query. Anonymous actors have none.
    pub async fn load(conn: &mut Conn<'_>, user_id: Option<&str>, scope: &Scope) -> QueryResult<Authority> {
        let mut authority = Authority { is_team: scope.is_team(), ..Authority::default() };
        let Some(user_id) = user_id else {
            return Ok(authority);
        };
        let scope_ids = [scope.organization_id.as_str(), scope.id()];
        let rows: Vec<(String, String)> = db_run!(conn, |c| {
            memberships::table
                .filter(memberships::user_id.eq(user_id))
                .filter(memberships::status.eq(Status::Verified.as_str()))
                .filter(memberships::scope_id.eq_any(scope_ids))
                .select((memberships::scope_id, memberships::role))
                .load(c)
                .await
        })?;
        for (scope_id, role) in rows {
            if scope_id == scope.organization_id {
                authority.organization_role = Some(Role::parse(&role));
            } else {
                authority.team_role = Some(Role::parse(&role));
            }
        }
        Ok(authority)
    }

    /// A verified admin of the organization.
    pub fn is_organization_admin(&self) -> bool {
        self.organization_role == Some(Role::Admin)
    }

    /// May see the organization, its teams and their names.
    pub fn sees_organization(&self) -> bool {
        self.organization_role.is_some()
    }

    /// May invite, resend, cancel and remove in this scope.
    pub fn administers(&self) -> bool {
        self.is_organization_admin() || (self.is_team && self.team_role == Some(Role::Owner))
    }

    /// May read this scope's member list (and subscribe to it).
    pub fn reads_members(&self) -> bool {
        if self.is_team {
            self.team_role.is_some() || self.is_organization_admin()
        } else {
            self.organization_role.is_some()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn team(org: Option<Role>, team: Option<Role>) -> Authority {
        Authority { organization_role: org, team_role: team, is_team: true }
    }

    fn organization(role: Option<Role>) -> Authority {
        Authority { organization_role: role, team_role: None, is_team: false }
    }

    #[test]
    fn organization_admins_administer_the_organization_and_its_teams() {
        assert!(organization(Some(Role::Admin)).administers());
        assert!(team(Some(Role::Admin), None).administers());
        assert!(team(Some(Role::Admin), None).reads_members());
    }

    #[test]
    fn team_owners_administer_only_their_team() {
        assert!(team(Some(Role::Member), Some(Role::Owner)).administers());
        assert!(!organization(Some(Role::Member)).administers());
        assert!(!team(Some(Role::Member), Some(Role::Member)).administers());
    }

    #[test]
    fn lists_are_read_by_verified_members_and_team_lists_also_by_org_admins() {
        assert!(organization(Some(Role::Member)).reads_members());
        assert!(!organization(None).reads_members());
        assert!(team(Some(Role::Member), Some(Role::Member)).reads_members());
        assert!(!team(Some(Role::Member), None).reads_members());
    }
}
