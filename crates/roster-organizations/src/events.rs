//! Member-list events: written in the transaction of each membership change, read by
//! subscriptions.

use async_graphql::Enum;
use chrono::NaiveDateTime;
use roster_core::page::encode_cursor;
use roster_db::prelude::*;
use roster_db::schema::member_list_events;
use roster_db::{Conn, db_run};

use crate::scope::{self, LockedScope};
use crate::store::{MemberRecord, MembershipRow};

/// The PostgreSQL channel writers notify and replicas listen on.
pub const CHANNEL: &str = "roster_member_events";

/// The channel on which deleted scopes (teams) are announced, so their subscribers' streams
/// end at once, on every replica.
pub const SCOPES_CHANNEL: &str = "roster_scopes";

/// The cursor kind of event cursors.
pub const CURSOR_KIND: &str = "event";

/// The cursor of a list's event position: what `MemberConnection.eventCursor` answers, and
/// what a live subscription resumes from.
pub fn event_cursor(scope_id: &str, position: i64) -> String {
    encode_cursor(CURSOR_KIND, &format!("{scope_id}:{position}"))
}

/// Announces, at commit, that the list `scope_id` is gone (PostgreSQL; see
/// [`announce_deleted`] for this process on SQLite).
pub(crate) async fn scope_deleted(conn: &mut Conn<'_>, scope_id: &str) -> QueryResult<()> {
    roster_db::notify::notify(conn, SCOPES_CHANNEL, scope_id).await
}

/// Tells this process's listeners that the list `scope_id` is gone, after the commit.
pub(crate) fn announce_deleted(db: &roster_db::Db, scope_id: &str) {
    db.announce(SCOPES_CHANNEL, scope_id);
}

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

    /// Reads the stored form. A kind this server does not know (written by a newer version
    /// during a rolling upgrade, or by a bug) is an error, never a guess: shown as another
    /// kind, it would tell a client the wrong thing about a member.
    pub fn parse(text: &str) -> Result<EventKind, UnknownEventKind> {
        match text {
            "INVITED" => Ok(EventKind::Invited),
            "INVITATION_RESENT" => Ok(EventKind::InvitationResent),
            "INVITATION_CANCELLED" => Ok(EventKind::InvitationCancelled),
            "JOINED" => Ok(EventKind::Joined),
            "REMOVED" => Ok(EventKind::Removed),
            "ROLE_CHANGED" => Ok(EventKind::RoleChanged),
            other => Err(UnknownEventKind(other.to_owned())),
        }
    }

    /// Whether the user is no longer in the list after this event.
    pub fn leaves_list(self) -> bool {
        matches!(self, EventKind::InvitationCancelled | EventKind::Removed)
    }
}

/// A stored event kind this server does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown member-list event kind `{0}`")]
pub struct UnknownEventKind(pub String);

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
    /// The membership after the change (null when the user left the list).
    pub membership_id: Option<String>,
    /// Its role then.
    pub member_role: Option<String>,
    /// Its status then.
    pub member_status: Option<String>,
    /// When they had been invited.
    pub member_invited_at: Option<NaiveDateTime>,
    /// Who had invited them.
    pub member_invited_by: Option<String>,
    /// When they had joined.
    pub member_joined_at: Option<NaiveDateTime>,
}

impl EventRow {
    /// The membership as it was after the change, rebuilt from the event.
    fn membership(&self) -> Option<MembershipRow> {
        let (id, role, status) =
            (self.membership_id.clone()?, self.member_role.clone()?, self.member_status.clone()?);
        let team_id = (self.scope_id != self.organization_id).then(|| self.scope_id.clone());
        Some(MembershipRow {
            id,
            scope_id: self.scope_id.clone(),
            organization_id: self.organization_id.clone(),
            team_id,
            user_id: self.user_id.clone(),
            role,
            status,
            invited_at: self.member_invited_at,
            invited_by: self.member_invited_by.clone(),
            joined_at: self.member_joined_at,
        })
    }
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
/// row (with `member`, the membership as it is after the change, or `None` when the user left
/// the list) and, on PostgreSQL, notifies every replica at commit. Only `crate::membership`
/// calls it, next to the change and its audit entry.
pub(crate) async fn append(
    conn: &mut Conn<'_>,
    scope: &LockedScope,
    kind: EventKind,
    user_id: &str,
    member: Option<&MembershipRow>,
) -> QueryResult<Change> {
    let position = scope::next_position(conn, scope).await?;
    let row = EventRow {
        scope_id: scope.id().to_owned(),
        position,
        organization_id: scope.organization_id.clone(),
        kind: kind.as_str().to_owned(),
        user_id: user_id.to_owned(),
        occurred_at: roster_db::now(),
        membership_id: member.map(|m| m.id.clone()),
        member_role: member.map(|m| m.role.clone()),
        member_status: member.map(|m| m.status.clone()),
        member_invited_at: member.and_then(|m| m.invited_at),
        member_invited_by: member.and_then(|m| m.invited_by.clone()),
        member_joined_at: member.and_then(|m| m.joined_at),
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

/// An event with the member as they were after it (absent when the user left the list).
pub type EventRecord = (EventRow, Option<MemberRecord>);

/// The scope's events after `position`, in order, at most `limit`, each with its member as
/// the event recorded them. Two queries, whatever the number of events: the events, then the
/// users they name (members and inviters).
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
    let mut user_ids: Vec<String> = events
        .iter()
        .flat_map(|e| std::iter::once(e.user_id.clone()).chain(e.member_invited_by.clone()))
        .collect();
    user_ids.sort();
    user_ids.dedup();
    let users = roster_identity::store::users_by_ids(conn, &user_ids).await?;
    let user = |id: &str| users.iter().find(|u| u.id == id).cloned();
    Ok(events
        .into_iter()
        .map(|event| {
            let member = event.membership().and_then(|membership| {
                let inviter = membership.invited_by.as_deref().and_then(user);
                Some((membership.clone(), user(&membership.user_id)?, inviter))
            });
            (event, member)
        })
        .collect())
}

/// The newest event position of each of `scope_ids` (those with events kept), in one query:
/// how the hub's periodic catch-up finds the lists that moved without a wake-up.
pub async fn latest_positions(
    conn: &mut Conn<'_>,
    scope_ids: &[String],
) -> QueryResult<Vec<(String, Option<i64>)>> {
    db_run!(conn, |c| {
        member_list_events::table
            .filter(member_list_events::scope_id.eq_any(scope_ids))
            .group_by(member_list_events::scope_id)
            .select((member_list_events::scope_id, diesel::dsl::max(member_list_events::position)))
            .load(c)
            .await
    })
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

/// The newest position of the scope's events that happened before `at`, if any are kept: a
/// member who joined at `at` may resume from here, not from earlier.
pub async fn last_before(conn: &mut Conn<'_>, scope_id: &str, at: NaiveDateTime) -> QueryResult<Option<i64>> {
    db_run!(conn, |c| {
        member_list_events::table
            .filter(member_list_events::scope_id.eq(scope_id))
            .filter(member_list_events::occurred_at.lt(at))
            .select(diesel::dsl::max(member_list_events::position))
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

/// Tells this process's listeners about committed changes (see `Db::announce`), after the
/// transaction that appended them has committed: `crate::membership::transaction` does.
pub(crate) fn announce(db: &roster_db::Db, changes: &[Change]) {
    for change in changes {
        db.announce(CHANNEL, &change.payload());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_and_an_unknown_one_is_an_error() {
        use EventKind::*;
        for kind in [Invited, InvitationResent, InvitationCancelled, Joined, Removed, RoleChanged] {
            assert_eq!(EventKind::parse(kind.as_str()), Ok(kind));
        }
        assert_eq!(EventKind::parse("SUSPENDED"), Err(UnknownEventKind("SUSPENDED".into())));
        assert!(EventKind::parse("role_changed").is_err(), "stored kinds are exact");
    }

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
