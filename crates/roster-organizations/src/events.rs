//! Member-list events: written in the transaction of each membership change, read by
//! subscriptions.

use async_graphql::Enum;
use chrono::NaiveDateTime;
use roster_db::prelude::*;
use roster_db::schema::member_list_events;
use roster_db::{Conn, db_run};

use crate::scope::{self, Scope};
use crate::store::{self, MemberRecord};

/// The PostgreSQL channel writers notify and replicas listen on.
pub const CHANNEL: &str = "roster_member_events";

/// What happened to a member list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(name = "MemberListEventKind")]
pub enum EventKind {
    /// Someone was invited: a new UNVERIFIED member.
    Invited,
    /// A pending invitation was sent again.
    InvitationResent,
    /// A pending invitation was cancelled: the user left the list.
    InvitationCancelled,
    /// Someone became a VERIFIED member (accepted, or created the organization).
    Joined,
    /// A verified member was removed: the user left the list.
    Removed,
    /// A member's role changed.
    RoleChanged,
}

impl EventKind {
    /// The stored form.
    pub const fn as_str(self) -> &'static str {
        match self {
            EventKind::Invited => "INVITED",
            EventKind::InvitationResent => "INVITATION_RESENT",
            EventKind::InvitationCancelled => "INVITATION_CANCELLED",
            EventKind::Joined => "JOINED",
            EventKind::Removed => "REMOVED",
            EventKind::RoleChanged => "ROLE_CHANGED",
        }
    }

    /// Reads the stored form.
    pub fn parse(text: &str) -> EventKind {
        match text {
            "INVITED" => EventKind::Invited,
            "INVITATION_RESENT" => EventKind::InvitationResent,
            "INVITATION_CANCELLED" => EventKind::InvitationCancelled,
            "JOINED" => EventKind::Joined,
            "REMOVED" => EventKind::Removed,
            _ => EventKind::RoleChanged,
        }
    }

    /// Whether the user is no longer in the list after this event.
    pub fn leaves_list(self) -> bool {
        matches!(self, EventKind::InvitationCancelled | EventKind::Removed)
    }
}

/// A row of `member_list_events`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = member_list_events)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct EventRow {
    /// The organization's or team's id.
    pub scope_id: String,
    /// 1, 2, 3, … within the scope, in commit order.
    pub position: i64,
    /// The organization (for a team, its organization).
    pub organization_id: String,
    /// `EventKind::as_str`.
    pub kind: String,
    /// Whose membership changed.
    pub user_id: String,
    /// When the change was committed.
    pub occurred_at: NaiveDateTime,
}

/// A change just written, as announced to listeners. The payload of a NOTIFY is
/// `scope_id position organization_id user_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The list that changed.
    pub scope_id: String,
    /// The event's position.
    pub position: i64,
    /// The organization.
    pub organization_id: String,
    /// Whose membership changed.
    pub user_id: String,
}

impl Change {
    /// The NOTIFY payload.
    pub fn payload(&self) -> String {
        format!("{} {} {} {}", self.scope_id, self.position, self.organization_id, self.user_id)
    }

    /// Reads a NOTIFY payload.
    pub fn parse(payload: &str) -> Option<Change> {
        let mut parts = payload.split(' ');
        let change = Change {
            scope_id: parts.next()?.to_owned(),
            position: parts.next()?.parse().ok()?,
            organization_id: parts.next()?.to_owned(),
            user_id: parts.next()?.to_owned(),
        };
        parts.next().is_none().then_some(change)
    }
}

/// Records an event in the caller's transaction: takes the scope's next position, writes the
/// row and, on PostgreSQL, notifies every replica at commit.
pub async fn append(
    conn: &mut Conn<'_>,
    scope: &Scope,
    kind: EventKind,
    user_id: &str,
) -> QueryResult<Change> {
    let position = scope::next_position(conn, scope).await?;
    let row = EventRow {
        scope_id: scope.id().to_owned(),
        position,
        organization_id: scope.organization_id.clone(),
        kind: kind.as_str().to_owned(),
        user_id: user_id.to_owned(),
        occurred_at: roster_db::now(),
    };
    db_run!(conn, |c| diesel::insert_into(member_list_events::table).values(&row).execute(c).await)?;
    let change = Change {
        scope_id: row.scope_id,
        position,
        organization_id: row.organization_id,
        user_id: row.user_id,
    };
    roster_db::notify::notify(conn, CHANNEL, &change.payload()).await?;
    Ok(change)
}

/// An event with the member as it is now (absent when the user is no longer listed).
pub type EventRecord = (EventRow, Option<MemberRecord>);

/// The scope's events after `position`, in order, at most `limit`, each with its member. Two
/// queries, whatever the number of events: the events, then their members.
pub async fn after(
    conn: &mut Conn<'_>,
    scope_id: &str,
    position: i64,
    limit: i64,
) -> QueryResult<Vec<EventRecord>> {
    let events: Vec<EventRow> = db_run!(conn, |c| {
        member_list_events::table
            .filter(member_list_events::scope_id.eq(scope_id))
            .filter(member_list_events::position.gt(position))
            .order(member_list_events::position.asc())
            .limit(limit)
            .select(EventRow::as_select())
            .load(c)
            .await
    })?;
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let mut user_ids: Vec<String> = events.iter().map(|e| e.user_id.clone()).collect();
    user_ids.sort();
    user_ids.dedup();
    let members = store::member_records(conn, scope_id, &user_ids).await?;
    Ok(events
        .into_iter()
        .map(|event| {
            let member = if EventKind::parse(&event.kind).leaves_list() {
                None
            } else {
                members.iter().find(|(m, _, _)| m.user_id == event.user_id).cloned()
            };
            (event, member)
        })
        .collect())
}

/// The oldest position still kept for the scope, if any.
pub async fn first_position(conn: &mut Conn<'_>, scope_id: &str) -> QueryResult<Option<i64>> {
    db_run!(conn, |c| {
        member_list_events::table
            .filter(member_list_events::scope_id.eq(scope_id))
            .select(diesel::dsl::min(member_list_events::position))
            .first(c)
            .await
    })
}

/// Deletes events that happened before `before`. Returns how many went.
pub async fn prune(conn: &mut Conn<'_>, before: NaiveDateTime) -> QueryResult<usize> {
    db_run!(conn, |c| {
        diesel::delete(member_list_events::table.filter(member_list_events::occurred_at.lt(before)))
            .execute(c)
            .await
    })
}

/// Tells this process's listeners about committed changes (see `Db::announce`). Call it after
/// the transaction that appended them has committed.
pub fn announce(db: &roster_db::Db, changes: &[Change]) {
    for change in changes {
        db.announce(CHANNEL, &change.payload());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notify_payloads_round_trip() {
        let change = Change {
            scope_id: "team_1".into(),
            position: 42,
            organization_id: "org_1".into(),
            user_id: "usr_1".into(),
        };
        assert_eq!(Change::parse(&change.payload()), Some(change));
        assert_eq!(Change::parse("team_1 x org_1 usr_1"), None);
        assert_eq!(Change::parse("team_1 1 org_1"), None);
    }
}
