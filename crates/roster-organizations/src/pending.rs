//! Pending invitations that a membership change ends.
//!
//! Removing someone from an organization, someone leaving it, or a team being deleted ends
//! the memberships it leaves behind, and with a pending membership goes its invitation: the
//! token rows must be cancelled and unsent mail dropped. Those tables belong to
//! `roster-invitations`, which sits above this crate. So this crate asks through a port,
//! [`PendingInvitations`], which `roster-invitations` implements and the server hands to the
//! resolvers in the GraphQL context ([`Invitations`]).
//! `crate::membership::end` and `end_every` call it for each pending membership they end.

use std::sync::Arc;

use futures_util::future::BoxFuture;
use roster_db::Conn;
use roster_db::prelude::QueryResult;

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
