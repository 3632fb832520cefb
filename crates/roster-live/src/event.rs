//! `MemberListEvent`: what a `memberListChanged` stream sends, whether the engine renders it
//! for one subscriber or a shared render for a class of them (`fanout.rs`).

use async_graphql::{ID, SimpleObject};
use chrono::{DateTime, Utc};
use roster_organizations::events::EventKind;
use roster_organizations::members::Member;

/// One change to a member list.
#[derive(Debug, Clone, SimpleObject)]
pub struct MemberListEvent {
    /// Opaque; pass it as `after` to resume the stream right after this event.
    pub cursor: String,
    /// What happened.
    pub kind: EventKind,
    /// Whose membership changed.
    pub user_id: ID,
    /// The `Member.id` of the changed row, also when `member` is null: a client merging events
    /// into a cached list updates, inserts or evicts the `Member` with this id.
    pub member_id: ID,
    /// The member as it is after the change; null when the user left the list.
    pub member: Option<Member>,
    /// When the change was committed.
    pub occurred_at: DateTime<Utc>,
}
