//! Inviting many people at once: each item is an invitation of its own (one transaction
//! each, counted against the same limits), answered in input order, so one bad item does not
//! stop the others.

use roster_db::Db;
use roster_organizations::members::Member;
use roster_organizations::role::Role;
use roster_organizations::scope::MembershipScope;

use crate::invite::{InviteError, invite};
use crate::settings::InvitationSettings;

/// The most items one call may carry.
pub const MAX_ITEMS: usize = 100;

/// One person to invite.
#[derive(Debug, Clone)]
pub struct Item {
    /// Their email.
    pub email: String,
    /// The role; MEMBER when omitted.
    pub role: Option<Role>,
}

/// The call carried more than [`MAX_ITEMS`] items; nobody was invited.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("too many items")]
pub struct TooMany;

/// Invites every item into the scope, one after another, and returns each item's outcome in
/// input order.
#[tracing::instrument(skip_all, fields(items = items.len()))]
pub async fn invite_many(
    db: &Db,
    settings: &InvitationSettings,
    actor_id: &str,
    requested: &MembershipScope,
    items: &[Item],
) -> Result<Vec<Result<Member, InviteError>>, TooMany> {
    if items.len() > MAX_ITEMS {
        return Err(TooMany);
    }
    let mut outcomes = Vec::with_capacity(items.len());
    for item in items {
        outcomes.push(invite(db, settings, actor_id, requested, &item.email, item.role).await);
    }
    Ok(outcomes)
}
