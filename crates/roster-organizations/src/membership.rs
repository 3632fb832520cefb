//! The one way to change a membership, for this crate's operations and every module above
//! it: invite (a pending membership), verify (pending to verified), join (verified at once),
//! change a role, resend, end.
//!
//! A membership change is five steps: lock the scope, write the row, record the audit entry,
//! append the list's event, and announce the event after the commit. Here they cannot be
//! separated:
//! - every write takes a [`LockedScope`], which only `scope::lock` (or
//!   `authority::administer`, which calls it) hands out;
//! - each write records its audit entry and appends its event itself, in the caller's
//!   transaction; a caller chooses an audit code where callers differ (removed or left), never
//!   whether there is one;
//! - each write takes the transaction's [`Changes`], which only [`transaction`] hands out, and
//!   [`transaction`] announces them once the transaction has committed (or drops them with a
//!   rollback).
//!
//! Announcing goes through `roster_db` (`Db::announce` here, the NOTIFY written with each
//! event on PostgreSQL); `roster-live`, above this crate, listens there.

use chrono::NaiveDateTime;
use futures_util::future::BoxFuture;
use roster_audit::AuditCode;
use roster_core::id::{IdKind, new_id};
use roster_db::prelude::QueryResult;
use roster_db::{Conn, Db, DbError};

use crate::events::{self, Change, EventKind};
use crate::pending::PendingInvitations;
use crate::role::{Role, Status};
use crate::scope::{self, LockedScope, Scope};
use crate::store::{self, MembershipRow};

/// What a transaction will announce once it commits, in the order it happened. Only
/// [`transaction`] makes one, and it announces what it holds after the commit.
#[derive(Default)]
pub struct Changes(Vec<Announcement>);

enum Announcement {
    Change(Change),
    ScopeDeleted(String),
    Other(Box<dyn FnOnce(&Db) + Send>),
}

impl std::fmt::Debug for Changes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut list = f.debug_list();
        for announcement in &self.0 {
            match announcement {
                Announcement::Change(change) => list.entry(change),
                Announcement::ScopeDeleted(scope_id) => list.entry(&format_args!("deleted {scope_id}")),
                Announcement::Other(_) => list.entry(&format_args!("another module's")),
            };
        }
        list.finish()
    }
}

impl Changes {
    fn push(&mut self, change: Change) {
        self.0.push(Announcement::Change(change));
    }

    /// The scope (a team being deleted) is gone: its subscribers' streams end, on every
    /// replica (NOTIFY at commit) and in this process (after the commit).
    pub async fn scope_deleted(&mut self, tx: &mut Conn<'_>, scope: &LockedScope) -> QueryResult<()> {
        events::scope_deleted(tx, scope.id()).await?;
        self.0.push(Announcement::ScopeDeleted(scope.id().to_owned()));
        Ok(())
    }

    /// Another module's announcement that belongs to this transaction (sessions revoked by
    /// an accept, say), made after the commit in its place among the membership changes, so
    /// this process hears them in the order PostgreSQL's NOTIFYs would arrive.
    pub fn after_commit(&mut self, announce: impl FnOnce(&Db) + Send + 'static) {
        self.0.push(Announcement::Other(Box::new(announce)));
    }

    fn announce(self, db: &Db) {
        for announcement in self.0 {
            match announcement {
                Announcement::Change(change) => events::announce(db, std::slice::from_ref(&change)),
                Announcement::ScopeDeleted(scope_id) => events::announce_deleted(db, &scope_id),
                Announcement::Other(announce) => announce(db),
            }
        }
    }
}

/// Runs `f` in one transaction on a connection of its own and, once the transaction has
/// committed, announces the [`Changes`] that `f` collected; on an error nothing is announced
/// (nothing happened). Every membership change runs in one of these.
pub async fn transaction<R, E, F>(db: &Db, f: F) -> Result<R, E>
where
    F: for<'r> FnOnce(&'r mut Conn<'_>, &'r mut Changes) -> BoxFuture<'r, Result<R, E>> + Send + 'static,
    E: From<diesel::result::Error> + From<DbError> + Send + 'static,
    R: Send + 'static,
{
    let mut conn = db.get().await?;
    let (result, changes) = conn
        .transaction(move |tx| {
            Box::pin(async move {
                let mut changes = Changes::default();
                let result = f(tx, &mut changes).await?;
                Ok::<_, E>((result, changes))
            })
        })
        .await?;
    changes.announce(db);
    Ok(result)
}

/// Someone to list as invited (UNVERIFIED) in a scope.
#[derive(Debug, Clone, Copy)]
pub struct Invitee<'a> {
    /// The user invited.
    pub user_id: &'a str,
    /// The role the invitation grants.
    pub role: Role,
    /// Who invites; `None` for the operator (`roster admin create-organization`).
    pub invited_by: Option<&'a str>,
    /// Now.
    pub at: NaiveDateTime,
}

/// Lists someone as invited, with the audit entry "Admin invited user" (by `invited_by`) and
/// an INVITED event. `None` when the user is already listed in the scope (pending or not).
pub async fn invite(
    tx: &mut Conn<'_>,
    scope: &LockedScope,
    changes: &mut Changes,
    invitee: Invitee<'_>,
) -> QueryResult<Option<MembershipRow>> {
    let row = MembershipRow {
        id: new_id(IdKind::Membership),
        scope_id: scope.id().to_owned(),
        organization_id: scope.organization_id.clone(),
        team_id: scope.team_id.clone(),
        user_id: invitee.user_id.to_owned(),
        role: invitee.role.as_str().to_owned(),
        status: Status::Unverified.as_str().to_owned(),
        invited_at: Some(invitee.at),
        invited_by: invitee.invited_by.map(str::to_owned),
        joined_at: None,
    };
    if !store::insert_membership(tx, &row).await? {
        return Ok(None);
    }
    scope::audit(tx, scope, AuditCode::MemberInvited, invitee.invited_by, Some(invitee.user_id)).await?;
    changes.push(events::append(tx, scope, EventKind::Invited, invitee.user_id, Some(&row)).await?);
    Ok(Some(row))
}

/// Records that a pending `membership` of the scope was invited again (by `actor_id`): the
/// audit entry "Admin resent user invite" and an INVITATION_RESENT event. The row itself
/// does not change.
pub async fn resent(
    tx: &mut Conn<'_>,
    scope: &LockedScope,
    changes: &mut Changes,
    membership: &MembershipRow,
    actor_id: &str,
) -> QueryResult<()> {
    debug_assert_eq!(membership.scope_id, scope.id(), "a membership of the locked scope");
    let user_id = membership.user_id.as_str();
    scope::audit(tx, scope, AuditCode::InvitationResent, Some(actor_id), Some(user_id)).await?;
    changes.push(events::append(tx, scope, EventKind::InvitationResent, user_id, Some(membership)).await?);
    Ok(())
}

/// Makes a pending membership verified (an invitation accepted), with the audit entry "User
/// accepted invite" and a JOINED event. `None` when the user has no pending membership here.
pub async fn verify(
    tx: &mut Conn<'_>,
    scope: &LockedScope,
    changes: &mut Changes,
    user_id: &str,
    at: NaiveDateTime,
) -> QueryResult<Option<MembershipRow>> {
    let Some(row) = store::verify_membership(tx, scope.id(), user_id, at).await? else {
        return Ok(None);
    };
    scope::audit(tx, scope, AuditCode::InvitationAccepted, Some(user_id), Some(user_id)).await?;
    changes.push(events::append(tx, scope, EventKind::Joined, user_id, Some(&row)).await?);
    Ok(Some(row))
}

/// Someone to list as a verified member at once, with no invitation of their own to accept.
#[derive(Debug, Clone, Copy)]
pub struct Joiner<'a> {
    /// The user joining, who is also the audit entry's actor.
    pub user_id: &'a str,
    /// Their role.
    pub role: Role,
    /// When they were invited (to the team whose invitation brought them), if they were.
    pub invited_at: Option<NaiveDateTime>,
    /// Who invited them, if anyone.
    pub invited_by: Option<&'a str>,
    /// Now.
    pub at: NaiveDateTime,
}

/// Lists someone as a verified member, with an audit entry `code` (an organization's
/// creator: "Created organization"; a team invitation's accepter joining its organization:
/// "User accepted invite") and a JOINED event. `None` when the user is already listed.
pub async fn join(
    tx: &mut Conn<'_>,
    scope: &LockedScope,
    changes: &mut Changes,
    joiner: Joiner<'_>,
    code: AuditCode,
) -> QueryResult<Option<MembershipRow>> {
    let row = MembershipRow {
        id: new_id(IdKind::Membership),
        scope_id: scope.id().to_owned(),
        organization_id: scope.organization_id.clone(),
        team_id: scope.team_id.clone(),
        user_id: joiner.user_id.to_owned(),
        role: joiner.role.as_str().to_owned(),
        status: Status::Verified.as_str().to_owned(),
        invited_at: joiner.invited_at,
        invited_by: joiner.invited_by.map(str::to_owned),
        joined_at: Some(joiner.at),
    };
    if !store::insert_membership(tx, &row).await? {
        return Ok(None);
    }
    scope::audit(tx, scope, code, Some(joiner.user_id), Some(joiner.user_id)).await?;
    changes.push(events::append(tx, scope, EventKind::Joined, joiner.user_id, Some(&row)).await?);
    Ok(Some(row))
}

/// Gives a member (pending or verified) a new role, with the audit entry "Admin changed
/// member role" (by `actor_id`) and a ROLE_CHANGED event. `None` when there is no such
/// member. Whether the change is allowed (the last admin) is the caller's to decide first.
pub async fn change_role(
    tx: &mut Conn<'_>,
    scope: &LockedScope,
    changes: &mut Changes,
    user_id: &str,
    role: Role,
    actor_id: &str,
) -> QueryResult<Option<MembershipRow>> {
    let Some(row) = store::set_role(tx, scope.id(), user_id, role).await? else {
        return Ok(None);
    };
    scope::audit(tx, scope, AuditCode::RoleChanged, Some(actor_id), Some(user_id)).await?;
    changes.push(events::append(tx, scope, EventKind::RoleChanged, user_id, Some(&row)).await?);
    Ok(Some(row))
}

/// A membership to end, and how it is logged.
#[derive(Debug, Clone, Copy)]
pub struct Ending<'a> {
    /// Whose membership.
    pub user_id: &'a str,
    /// The status it must still have: VERIFIED for a removal or a departure, UNVERIFIED for a
    /// cancellation. Of concurrent ends, the first wins and the others find nothing.
    pub status: Status,
    /// Who ends it (the member themselves when they leave).
    pub actor_id: &'a str,
    /// The audit entry: "Admin removed member", "Member left" or "Admin cancelled user invite".
    pub code: AuditCode,
}

/// Ends a membership: the user leaves the scope's list (a REMOVED event, or
/// INVITATION_CANCELLED for a pending one, whose invitation `invitations` ends too), with the
/// audit entry `ending.code`. Ending an organization membership also ends the user's
/// memberships in its teams, each logged and announced on its team's list. `false` when the
/// user has no membership with `ending.status` here.
pub async fn end(
    tx: &mut Conn<'_>,
    scope: &LockedScope,
    changes: &mut Changes,
    invitations: &dyn PendingInvitations,
    ending: Ending<'_>,
) -> QueryResult<bool> {
    let Ending { user_id, status, actor_id, code } = ending;
    if !store::delete_membership(tx, scope.id(), user_id, status).await? {
        return Ok(false);
    }
    // The entries are written in the order the audit log has always shown them (newest
    // first): a removal above the team memberships it ended, a cancellation below them.
    match status {
        Status::Verified => {
            changes.push(events::append(tx, scope, EventKind::Removed, user_id, None).await?);
            if !scope.is_team() {
                leave_teams(tx, invitations, scope, changes, user_id, actor_id).await?;
            }
            scope::audit(tx, scope, code, Some(actor_id), Some(user_id)).await?;
        }
        Status::Unverified => {
            invitations.end(tx, scope.id(), user_id).await?;
            scope::audit(tx, scope, code, Some(actor_id), Some(user_id)).await?;
            changes.push(events::append(tx, scope, EventKind::InvitationCancelled, user_id, None).await?);
            if !scope.is_team() {
                leave_teams(tx, invitations, scope, changes, user_id, actor_id).await?;
            }
        }
    }
    Ok(true)
}

/// Ends every membership of a team being deleted: each member leaves its list (REMOVED), and
/// each pending invitation is cancelled, logged and ended through `invitations`. The team's
/// own entry ("Admin deleted team") is the caller's.
pub async fn end_every(
    tx: &mut Conn<'_>,
    team: &LockedScope,
    changes: &mut Changes,
    invitations: &dyn PendingInvitations,
    actor_id: &str,
) -> QueryResult<()> {
    debug_assert!(team.is_team(), "an organization's memberships end with it, not this way");
    for (user_id, status) in store::delete_memberships_of(tx, team.id()).await? {
        ended(tx, invitations, team, changes, &user_id, status, actor_id).await?;
    }
    Ok(())
}

/// Takes `user_id` out of every team of the organization (they leave it, are removed from it,
/// or their invitation to it was cancelled), each team's list and log recording how.
async fn leave_teams(
    tx: &mut Conn<'_>,
    invitations: &dyn PendingInvitations,
    organization: &LockedScope,
    changes: &mut Changes,
    user_id: &str,
    actor_id: &str,
) -> QueryResult<()> {
    for (team_id, status) in
        store::delete_team_memberships_in(tx, &organization.organization_id, user_id).await?
    {
        let team = LockedScope::assume(Scope {
            organization_id: organization.organization_id.clone(),
            team_id: Some(team_id),
        });
        ended(tx, invitations, &team, changes, user_id, status, actor_id).await?;
    }
    Ok(())
}

/// Records a membership deleted with others (its team's, or the user's teams'): a verified
/// one is REMOVED; a pending one is a cancellation, so its invitation ends too, with an
/// "Admin cancelled user invite" entry (all cancellations are logged) and an
/// INVITATION_CANCELLED event.
async fn ended(
    tx: &mut Conn<'_>,
    invitations: &dyn PendingInvitations,
    scope: &LockedScope,
    changes: &mut Changes,
    user_id: &str,
    status: Status,
    actor_id: &str,
) -> QueryResult<()> {
    let kind = match status {
        Status::Verified => EventKind::Removed,
        Status::Unverified => {
            invitations.end(tx, scope.id(), user_id).await?;
            scope::audit(tx, scope, AuditCode::InvitationCancelled, Some(actor_id), Some(user_id)).await?;
            EventKind::InvitationCancelled
        }
    };
    changes.push(events::append(tx, scope, kind, user_id, None).await?);
    Ok(())
}
