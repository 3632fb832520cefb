//! Where a membership lives.

use async_graphql::{ID, OneofObject};
use roster_core::id::IdKind;
use roster_db::prelude::*;
use roster_db::schema::{organizations, teams};
use roster_db::{Conn, db_run};

/// Where a membership lives: exactly one of the two fields is given.
#[derive(Debug, Clone, OneofObject)]
pub enum MembershipScope {
    /// An organization's own member list.
    OrganizationId(ID),
    /// A team's member list.
    TeamId(ID),
}

/// A scope that exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// The organization (for a team, the team's organization).
    pub organization_id: String,
    /// The team, for a team scope.
    pub team_id: Option<String>,
}

impl Scope {
    /// The id that member rows of this scope carry in `scope_id`.
    pub fn id(&self) -> &str {
        self.team_id.as_deref().unwrap_or(&self.organization_id)
    }

    /// Whether this is a team.
    pub fn is_team(&self) -> bool {
        self.team_id.is_some()
    }
}

/// Looks the scope up. `None` when it does not exist (or the id is malformed).
pub async fn resolve(conn: &mut Conn<'_>, scope: &MembershipScope) -> QueryResult<Option<Scope>> {
    match scope {
        MembershipScope::OrganizationId(id) => {
            if !IdKind::Organization.matches(id) {
                return Ok(None);
            }
            let found: Option<String> = db_run!(conn, |c| {
                organizations::table.find(id.as_str()).select(organizations::id).first(c).await.optional()
            })?;
            Ok(found.map(|organization_id| Scope { organization_id, team_id: None }))
        }
        MembershipScope::TeamId(id) => {
            if !IdKind::Team.matches(id) {
                return Ok(None);
            }
            // A deleted team's row stays (its audit entries refer to it); it is no scope.
            let found: Option<String> = db_run!(conn, |c| {
                teams::table
                    .find(id.as_str())
                    .filter(teams::deleted_at.is_null())
                    .select(teams::organization_id)
                    .first(c)
                    .await
                    .optional()
            })?;
            Ok(found.map(|organization_id| Scope { organization_id, team_id: Some(id.to_string()) }))
        }
    }
}

/// Takes the locks a change to the scope needs, for the rest of the transaction: the
/// organization's row, then (for a team) the team's row. Always in that order, which keeps
/// PostgreSQL free of deadlocks.
///
/// Every membership change calls this before it reads anything it decides on (the actor's
/// authority included), so changes within one organization are serialised: an admin removed a
/// moment ago cannot still invite, two admins removing each other cannot both see "another
/// admin remains", and two resends cannot both leave a live token. The updates change nothing;
/// they are there for the row locks (SQLite's IMMEDIATE transaction already holds the database).
///
/// The [`LockedScope`] it returns is what `crate::membership`'s writes ask for: holding one
/// is the proof that this lock was taken.
pub async fn lock(conn: &mut Conn<'_>, scope: &Scope) -> QueryResult<LockedScope> {
    db_run!(conn, |c| {
        diesel::update(organizations::table.find(&scope.organization_id))
            .set(organizations::event_seq.eq(organizations::event_seq))
            .execute(c)
            .await
    })?;
    if let Some(team_id) = &scope.team_id {
        db_run!(conn, |c| {
            diesel::update(teams::table.find(team_id))
                .set(teams::event_seq.eq(teams::event_seq))
                .execute(c)
                .await
        })?;
    }
    Ok(LockedScope(scope.clone()))
}

/// A scope whose lock ([`lock`]) the current transaction holds. Only this crate makes one,
/// so a function that takes one cannot be reached without the lock; it reads as the
/// [`Scope`] it locks.
///
/// It means something only inside the transaction that took the lock: it is not `Clone`,
/// and [`LockedScope::into_scope`] is how a result leaves the transaction.
#[derive(Debug, PartialEq, Eq)]
pub struct LockedScope(Scope);

impl LockedScope {
    /// A scope that is locked without [`lock`]: an organization inserted by this transaction
    /// (nobody else sees it before the commit), or a team of an organization this
    /// transaction locked (every change to a team takes its organization's lock first).
    pub(crate) fn assume(scope: Scope) -> LockedScope {
        LockedScope(scope)
    }

    /// The scope's organization, locked too: [`lock`] locks a team's organization first.
    pub fn organization(&self) -> LockedScope {
        LockedScope(Scope { organization_id: self.0.organization_id.clone(), team_id: None })
    }

    /// The scope, for what outlives the transaction.
    pub fn into_scope(self) -> Scope {
        self.0
    }
}

impl std::ops::Deref for LockedScope {
    type Target = Scope;

    fn deref(&self) -> &Scope {
        &self.0
    }
}

/// Advances the scope's event counter and returns the new position. The caller holds the
/// scope's lock, so positions are handed out in commit order without gaps.
pub(crate) async fn next_position(conn: &mut Conn<'_>, scope: &LockedScope) -> QueryResult<i64> {
    match &scope.team_id {
        Some(team_id) => db_run!(conn, |c| {
            diesel::update(teams::table.find(team_id))
                .set(teams::event_seq.eq(teams::event_seq + 1))
                .returning(teams::event_seq)
                .get_result(c)
                .await
        }),
        None => db_run!(conn, |c| {
            diesel::update(organizations::table.find(&scope.organization_id))
                .set(organizations::event_seq.eq(organizations::event_seq + 1))
                .returning(organizations::event_seq)
                .get_result(c)
                .await
        }),
    }
}

/// Records an audit entry about this scope (an organization, or a team with its
/// organization), in the caller's transaction: for changes that are not to a membership
/// (a team renamed, an account reclaimed). A membership change writes its own entry through
/// `crate::membership`, which cannot leave it out.
pub async fn audit(
    conn: &mut Conn<'_>,
    scope: &Scope,
    code: roster_audit::AuditCode,
    actor_id: Option<&str>,
    target_id: Option<&str>,
) -> QueryResult<()> {
    let entry = roster_audit::NewEntry {
        code,
        organization_id: &scope.organization_id,
        team_id: scope.team_id.as_deref(),
        actor_id,
        target_id,
    };
    roster_audit::record(conn, entry).await
}

/// What a scope is called, for people (an invitation email, say).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeNames {
    /// The organization's name.
    pub organization: String,
    /// The team's name, for a team scope.
    pub team: Option<String>,
}

impl ScopeNames {
    /// "Acme" for an organization, "Acme / Design" for a team.
    pub fn display(&self) -> String {
        match &self.team {
            Some(team) => format!("{} / {team}", self.organization),
            None => self.organization.clone(),
        }
    }
}

/// The names of a scope that exists.
pub async fn names(conn: &mut Conn<'_>, scope: &Scope) -> QueryResult<ScopeNames> {
    let organization: String = db_run!(conn, |c| {
        organizations::table.find(&scope.organization_id).select(organizations::name).first(c).await
    })?;
    let team = match &scope.team_id {
        Some(team_id) => {
            Some(db_run!(conn, |c| teams::table.find(team_id).select(teams::name).first::<String>(c).await)?)
        }
        None => None,
    };
    Ok(ScopeNames { organization, team })
}

/// The position of the scope's latest event (0 before any).
pub async fn current_position(conn: &mut Conn<'_>, scope: &Scope) -> QueryResult<i64> {
    match &scope.team_id {
        Some(team_id) => {
            db_run!(conn, |c| teams::table.find(team_id).select(teams::event_seq).first(c).await)
        }
        None => db_run!(conn, |c| {
            organizations::table.find(&scope.organization_id).select(organizations::event_seq).first(c).await
        }),
    }
}
