//! Ending pending invitations for the changes of other modules (removing a member, someone
//! leaving, a team deleted): this crate's side of `roster_organizations::pending`.

use futures_util::future::BoxFuture;
use roster_db::Conn;
use roster_db::prelude::QueryResult;
use roster_organizations::pending::PendingInvitations;

use crate::store::{self, State};

/// Cancels invitations: their tokens stop working and their unsent mail is dropped.
#[derive(Debug, Clone, Copy, Default)]
pub struct EndPending;

impl PendingInvitations for EndPending {
    fn end<'a, 'c: 'a>(
        &'a self,
        tx: &'a mut Conn<'c>,
        scope_id: &'a str,
        user_id: &'a str,
    ) -> BoxFuture<'a, QueryResult<()>> {
        Box::pin(async move {
            let now = roster_db::now();
            let pending = store::pending_ids(tx, scope_id, user_id).await?;
            roster_mail::store::drop_unsent(tx, &pending, "the invitation was cancelled", now).await?;
            store::resolve_pending(tx, scope_id, user_id, State::Cancelled, now).await?;
            Ok(())
        })
    }
}
