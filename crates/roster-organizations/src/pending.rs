//! Pending invitations that a membership change ends.
//!
//! Removing someone from an organization, someone leaving it, or a team being deleted ends
//! the memberships it leaves behind, and with a pending membership goes its invitation: the
//! token rows must be cancelled and unsent mail dropped. Those tables belong to
//! `roster-invitations`, which sits above this crate. So this crate asks through a port,
//! [`PendingInvitations`], which `roster-invitations` implements and the server hands to the
//! resolvers in the GraphQL context ([`Invitations`]).

use std::sync::Arc;

use futures_util::future::BoxFuture;
use roster_audit::AuditCode;
use roster_db::Conn;
use roster_db::prelude::QueryResult;

use crate::events::{self, Change, EventKind};
use crate::role::Status;
use crate::scope::{self, Scope};
use crate::store;

/// Ends invitations, in the caller's transaction.
pub trait PendingInvitations: Send + Sync + 'static {
    /// Cancels the pending invitation of `user_id` in the scope `scope_id`: its token stops
    /// working and its unsent email is dropped.
    fn end<'a, 'c: 'a>(
        &'a self,
        tx: &'a mut Conn<'c>,
        scope_id: &'a str,
        user_id: &'a str,
    ) -> BoxFuture<'a, QueryResult<()>>;
}

/// The port as the GraphQL context carries it.
#[derive(Clone)]
pub struct Invitations(pub Arc<dyn PendingInvitations>);

/// Ends a membership that left the scope's list: a verified one is REMOVED; a pending one is
/// a cancellation, so its invitation ends too, with an "Admin cancelled user invite" entry
/// (all cancellations are logged) and an INVITATION_CANCELLED event.
pub async fn end_membership(
    tx: &mut Conn<'_>,
    invitations: &dyn PendingInvitations,
    scope: &Scope,
    user_id: &str,
    status: Status,
    actor_id: &str,
) -> QueryResult<Change> {
    let kind = match status {
        Status::Verified => EventKind::Removed,
        Status::Unverified => {
            invitations.end(tx, scope.id(), user_id).await?;
            scope::audit(tx, scope, AuditCode::InvitationCancelled, Some(actor_id), Some(user_id)).await?;
            EventKind::InvitationCancelled
        }
    };
    events::append(tx, scope, kind, user_id, None).await
}

/// Takes `user_id` out of every team of the organization (they leave it, are removed from it,
/// or their invitation to it was cancelled), each team's list and log recording how.
pub async fn leave_teams(
    tx: &mut Conn<'_>,
    invitations: &dyn PendingInvitations,
    organization: &Scope,
    user_id: &str,
    actor_id: &str,
) -> QueryResult<Vec<Change>> {
    let mut changes = Vec::new();
    for (team_id, status) in
        store::delete_team_memberships_in(tx, &organization.organization_id, user_id).await?
    {
        let team = Scope { organization_id: organization.organization_id.clone(), team_id: Some(team_id) };
        changes.push(end_membership(tx, invitations, &team, user_id, status, actor_id).await?);
    }
    Ok(changes)
}
