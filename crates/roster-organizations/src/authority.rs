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
//!
//! Every operation asks through one of four entry points: [`administer`] for changes
//! (resolve the scope, lock it, load the actor's authority, check it), [`read_members`] for
//! member lists, [`read_audit_log`] for the audit log, and [`see`] for organizations and
//! teams themselves. The read entry points take what the request already knows ([`Known`]),
//! so one query reads the viewer's roles once.

use roster_db::prelude::*;
use roster_db::schema::memberships;
use roster_db::{Conn, DbError, db_run, from_diesel_error};

use crate::role::{Role, Status};
use crate::scope::{self, LockedScope, MembershipScope, Scope};

/// Why an actor may not do what they asked in a scope.
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    /// The scope does not exist, or the actor cannot see it: answered as "not found", so
    /// outsiders learn nothing about other organizations.
    #[error("not visible")]
    Hidden,
    /// The actor sees the scope but lacks the authority.
    #[error("not authorized")]
    NotAuthorized,
    /// Storage failed.
    #[error(transparent)]
    Db(#[from] DbError),
}
from_diesel_error!(AccessError);

/// Implements `From<AccessError>` for an operation's error enum with `NotFound`,
/// `NotAuthorized` and `Db(DbError)` variants: hidden scopes are not found.
#[macro_export]
macro_rules! access_refusals {
    ($error:ty) => {
        impl From<$crate::authority::AccessError> for $error {
            fn from(err: $crate::authority::AccessError) -> Self {
                match err {
                    $crate::authority::AccessError::Hidden => Self::NotFound,
                    $crate::authority::AccessError::NotAuthorized => Self::NotAuthorized,
                    $crate::authority::AccessError::Db(e) => Self::Db(e),
                }
            }
        }
    };
}

/// The entry point of every change to a scope: resolves the requested scope, takes its lock
/// (see [`scope::lock`]), then loads the actor's authority and checks that they administer
/// it. Call it first in the change's transaction: the lock comes before the authority is
/// read, so a concurrent removal of the actor is either fully before (refused here) or
/// fully after.
pub async fn administer(
    tx: &mut Conn<'_>,
    actor_id: &str,
    requested: &MembershipScope,
) -> Result<(LockedScope, Authority), AccessError> {
    let scope = scope::resolve(tx, requested).await?.ok_or(AccessError::Hidden)?;
    let scope = scope::lock(tx, &scope).await?;
    let authority = Authority::load(tx, Some(actor_id), &scope).await?;
    if !authority.sees_organization() {
        return Err(AccessError::Hidden);
    }
    if !authority.administers() {
        return Err(AccessError::NotAuthorized);
    }
    Ok((scope, authority))
}

/// The entry point of reading a scope's member list (or subscribing to it). A reader who
/// may not read it is refused the same way whether or not it exists: `Hidden`.
pub async fn read_members(
    conn: &mut Conn<'_>,
    actor_id: Option<&str>,
    scope: &Scope,
    known: Option<&Known>,
) -> Result<Authority, AccessError> {
    load_requiring(conn, actor_id, scope, known, Authority::reads_members).await
}

/// The entry point of reading an organization's audit log: its verified admins only.
pub async fn read_audit_log(
    conn: &mut Conn<'_>,
    actor_id: Option<&str>,
    scope: &Scope,
    known: Option<&Known>,
) -> Result<Authority, AccessError> {
    load_requiring(conn, actor_id, scope, known, Authority::is_organization_admin).await
}

/// The entry point of seeing an organization or a team (its name, its teams): the
/// organization's verified members only.
pub async fn see(
    conn: &mut Conn<'_>,
    actor_id: Option<&str>,
    scope: &Scope,
    known: Option<&Known>,
) -> Result<Authority, AccessError> {
    load_requiring(conn, actor_id, scope, known, Authority::sees_organization).await
}

async fn load_requiring(
    conn: &mut Conn<'_>,
    actor_id: Option<&str>,
    scope: &Scope,
    known: Option<&Known>,
    allowed: fn(&Authority) -> bool,
) -> Result<Authority, AccessError> {
    let authority = match (known, actor_id) {
        (Some(known), Some(user_id)) => match known.get(user_id, scope) {
            Some(authority) => authority,
            None => {
                let authority = Authority::load(conn, actor_id, scope).await?;
                known.remember(user_id, scope, authority);
                authority
            }
        },
        _ => Authority::load(conn, actor_id, scope).await?,
    };
    if allowed(&authority) { Ok(authority) } else { Err(AccessError::Hidden) }
}

/// The authority already read during one HTTP query, by user and scope: a query that reads
/// an organization and then its member list reads the viewer's roles once.
///
/// Only read-only requests carry one (the server adds it to queries, never to mutations or
/// subscriptions), so nothing cached can be changed by the request itself, and it lives no
/// longer than the request: a change committed meanwhile by someone else is seen by the
/// next request, as it would be had the request started a moment earlier. Changes never
/// consult it: `administer` always reads under the scope's lock.
#[derive(Debug, Default)]
pub struct Known(std::sync::Mutex<std::collections::HashMap<(String, String), Authority>>);

impl Known {
    fn get(&self, user_id: &str, scope: &Scope) -> Option<Authority> {
        let known = self.0.lock().ok()?;
        known.get(&(user_id.to_owned(), scope.id().to_owned())).copied()
    }

    /// Records `user_id`'s authority around `scope`, read by the caller.
    pub fn remember(&self, user_id: &str, scope: &Scope, authority: Authority) {
        if let Ok(mut known) = self.0.lock() {
            known.insert((user_id.to_owned(), scope.id().to_owned()), authority);
        }
    }
}

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

    /// Loads the authority of each of `user_ids` around `scope` in one query; users with no
    /// verified membership there are absent.
    pub async fn load_many(
        conn: &mut Conn<'_>,
        user_ids: &[String],
        scope: &Scope,
    ) -> QueryResult<std::collections::HashMap<String, Authority>> {
        let mut authorities = std::collections::HashMap::new();
        if user_ids.is_empty() {
            return Ok(authorities);
        }
        let scope_ids = [scope.organization_id.as_str(), scope.id()];
        let rows: Vec<(String, String, String)> = db_run!(conn, |c| {
            memberships::table
                .filter(memberships::user_id.eq_any(user_ids))
                .filter(memberships::status.eq(Status::Verified.as_str()))
                .filter(memberships::scope_id.eq_any(scope_ids))
                .select((memberships::user_id, memberships::scope_id, memberships::role))
                .load(c)
                .await
        })?;
        for (user_id, scope_id, role) in rows {
            let authority: &mut Authority = authorities
                .entry(user_id)
                .or_insert(Authority { is_team: scope.is_team(), ..Authority::default() });
            if scope_id == scope.organization_id {
                authority.organization_role = Some(Role::parse(&role));
            } else {
                authority.team_role = Some(Role::parse(&role));
            }
        }
        Ok(authorities)
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
