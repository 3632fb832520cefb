//! One subscriber's stream of `memberListChanged` events: a small state machine over the
//! hub's live batches and the database.
//!
//! Each subscriber keeps the position of the next event it owes the client. Live events from
//! the hub below that position are dropped (the seam between replay and live has neither a
//! gap nor a duplicate); a live event beyond it means something was missed, and the missing
//! events are read from the database first. Events are gap-free per list, so "next position"
//! is all the bookkeeping needed. The subscriber re-checks its session and authority when the
//! hub signals a change that concerns it, and ends with an error when either is gone.

use std::collections::VecDeque;
use std::sync::Arc;

use async_graphql::ID;
use roster_core::Actor;
use roster_core::error::{ErrorCode, internal_error, top_level_error};
use roster_db::{Db, DbError};
use roster_organizations::authority::{self, AccessError};
use roster_organizations::events::{self, EventKind, EventRecord, EventRow, event_cursor};
use roster_organizations::lookup::MemberRecord;
use roster_organizations::members::{self, ActionRules, Member};
use roster_organizations::role::Role;
use roster_organizations::scope::{self, MembershipScope, Scope};
use tokio::sync::broadcast::error::RecvError;

use crate::event::MemberListEvent;
use crate::fanout::{ClassKey, LiveOutlet, Selection};
use crate::live::{Batch, Inbox, LiveEvent, SharedAccess};

/// What a re-check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    Granted,
    Forbidden,
    SignedOut,
    Deleted,
}

/// The error a stream ends with when its team was deleted.
pub(crate) fn scope_gone() -> async_graphql::Error {
    top_level_error(ErrorCode::ScopeDeleted, "This team was deleted.")
}

/// The error a stream ends with when the subscriber's session is gone.
pub(crate) fn signed_out() -> async_graphql::Error {
    top_level_error(ErrorCode::Unauthenticated, "Your session was revoked or has expired; sign in again.")
}

/// An event owed to the client.
pub(crate) enum Owed {
    /// From a live batch: shared with every subscriber of the list on this replica, and
    /// rendered once per class of them when the socket takes shared renders.
    Live(Batch, usize),
    /// Read from the database for this subscriber alone (a replay, or a gap filled). Boxed:
    /// live events are the many.
    Replayed(Box<EventRecord>),
}

impl Owed {
    fn row(&self) -> &EventRow {
        match self {
            Owed::Live(batch, index) => &batch[*index].row,
            Owed::Replayed(record) => &record.0,
        }
    }

    fn member(&self) -> Option<&MemberRecord> {
        match self {
            Owed::Live(batch, index) => batch[*index].member.as_ref(),
            Owed::Replayed(record) => record.1.as_ref(),
        }
    }

    fn into_record(self) -> EventRecord {
        match self {
            Owed::Live(batch, index) => (batch[index].row.clone(), batch[index].member.clone()),
            Owed::Replayed(record) => *record,
        }
    }
}

/// One subscriber's state.
pub(crate) struct Subscriber {
    pub(crate) db: Db,
    pub(crate) scope: Scope,
    pub(crate) user_id: String,
    /// The subscriber, with the session to re-check.
    pub(crate) actor: Actor,
    pub(crate) rules: ActionRules,
    /// The position of the next event owed to the client.
    pub(crate) next: i64,
    /// The list's position when the subscription started: replay runs up to here even when no
    /// live event arrives.
    pub(crate) replay_until: i64,
    pub(crate) backlog: VecDeque<Owed>,
    pub(crate) inbox: Inbox,
    /// Where live events go, rendered once per class, when the socket takes them so, and what
    /// they render.
    pub(crate) shared: Option<(LiveOutlet, Arc<Selection>)>,
    pub(crate) finished: bool,
    /// Set when the list's team was deleted: the events up to the deletion are still owed,
    /// then the stream ends with SCOPE_DELETED.
    pub(crate) deleted: bool,
}

impl Subscriber {
    /// The next item for the engine, or `None` when the stream is over. Live events sent to
    /// the outlet are not items: the stream goes on to the next.
    ///
    /// The database reads (re-checks, replays) are boxed: the stream keeps this future's space
    /// for as long as it lives, and inline they would make it about 3 KiB instead of 0.5 per
    /// subscription, for paths an event rarely takes.
    pub(crate) async fn step(&mut self) -> Option<async_graphql::Result<MemberListEvent>> {
        loop {
            if self.finished {
                return None;
            }
            if let Some(owed) = self.backlog.pop_front() {
                if owed.row().position < self.next {
                    continue;
                }
                let kind = match self.admit(owed.row(), owed.member()).await {
                    Ok(kind) => kind,
                    Err(error) => return Some(Err(error)),
                };
                match (&self.shared, owed) {
                    (Some((outlet, selection)), Owed::Live(batch, index)) => {
                        if !self.send_shared(outlet, selection, kind, &batch[index]).await {
                            // The socket is gone.
                            self.finished = true;
                            return None;
                        }
                        continue;
                    }
                    (_, owed) => return Some(Ok(self.event(kind, owed.into_record()))),
                }
            }
            if self.next <= self.replay_until {
                if let Err(e) = Box::pin(self.fill(self.replay_until)).await {
                    return Some(self.fail(internal_error(&e)));
                }
                continue;
            }
            if self.deleted {
                return Some(self.fail(scope_gone()));
            }
            tokio::select! {
                biased;
                // A closed signal is always ready: waiting on it again would spin. Its sender
                // lives as long as the hub, so the hub is gone.
                revoked = self.inbox.session_revoked.recv() => {
                    if matches!(revoked, Err(RecvError::Closed)) {
                        return Some(self.hub_gone());
                    }
                    return Some(self.fail(signed_out()));
                }
                deleted = self.inbox.scope_deleted.recv() => {
                    if matches!(deleted, Err(RecvError::Closed)) {
                        return Some(self.hub_gone());
                    }
                    // The deletion's own events (its members leaving) come first.
                    if let Err(error) = Box::pin(self.mark_deleted()).await {
                        return Some(Err(error));
                    }
                }
                changed = self.inbox.user_changed.recv() => {
                    if matches!(changed, Err(RecvError::Closed)) {
                        return Some(self.hub_gone());
                    }
                    if let Err(error) = Box::pin(self.ensure_access()).await {
                        return Some(Err(error));
                    }
                }
                batch = self.inbox.events.recv() => match batch {
                    Ok(batch) => {
                        let (Some(first), Some(last)) = (batch.first(), batch.last()) else { continue };
                        let (first, last) = (first.row.position, last.row.position);
                        if first <= self.next {
                            let owed = (0..batch.len()).filter(|i| batch[*i].row.position >= self.next);
                            self.backlog.extend(owed.map(|i| Owed::Live(batch.clone(), i)));
                        } else {
                            // Something between what we sent and this batch did not reach us:
                            // read it from the database, up to the end of this batch.
                            self.replay_until = self.replay_until.max(last);
                            if let Err(e) = Box::pin(self.fill(last)).await {
                                return Some(self.fail(internal_error(&e)));
                            }
                        }
                    }
                    Err(RecvError::Lagged(_)) => {
                        metrics::counter!("roster_live_subscribers_too_slow_total").increment(1);
                        let cursor = event_cursor(self.scope.id(), self.next - 1);
                        return Some(self.fail(top_level_error(
                            ErrorCode::SubscriberTooSlow,
                            format!("This subscriber fell too far behind; subscribe again with after: \"{cursor}\"."),
                        )));
                    }
                    Err(RecvError::Closed) => return Some(self.hub_gone()),
                },
            }
        }
    }

    /// The list's position now, as committed.
    async fn position_now(&self) -> Result<i64, DbError> {
        let mut conn = self.db.get().await?;
        Ok(scope::current_position(&mut conn.conn(), &self.scope).await?)
    }

    /// Reads the events from `next` up to `until` from the database into the backlog.
    async fn fill(&mut self, until: i64) -> Result<(), DbError> {
        let mut conn = self.db.get().await?;
        let limit = (until - self.next + 1).clamp(1, 500);
        let records = events::after(&mut conn.conn(), self.scope.id(), self.next - 1, limit).await?;
        if records.is_empty() {
            // Not visible yet (or rolled back): nothing to owe until it commits.
            self.replay_until = self.replay_until.min(self.next - 1);
        }
        self.backlog.extend(records.into_iter().map(|record| Owed::Replayed(Box::new(record))));
        Ok(())
    }

    /// Takes the next event owed: checks it is the one expected, of a kind this server knows,
    /// and that the subscriber may still see it, and counts it as delivered. Returns its kind.
    async fn admit(
        &mut self,
        row: &EventRow,
        member: Option<&MemberRecord>,
    ) -> async_graphql::Result<EventKind> {
        let kind = match EventKind::parse(&row.kind) {
            Ok(kind) => kind,
            // Logged as a server fault, and the stream ends: skipping it would break the
            // gap-free order a client relies on.
            Err(unknown) => return self.fail(internal_error(&unknown)),
        };
        let concerns_admins =
            member.is_some_and(|(m, _, _)| m.role() == Role::Admin) || kind == EventKind::Removed;
        if row.position != self.next {
            // Events are gap-free, so a hole means they were pruned while we read them.
            return self.fail(top_level_error(
                ErrorCode::CursorExpired,
                "Some events are no longer kept; load the list again and subscribe from its eventCursor.",
            ));
        }
        if row.user_id == self.user_id || concerns_admins {
            Box::pin(self.ensure_access()).await?;
        }
        self.next = row.position + 1;
        metrics::counter!("roster_live_events_delivered_total").increment(1);
        Ok(kind)
    }

    /// The event as this subscriber's rules build it; `kind` is the row's, as `admit` read it.
    fn event(&self, kind: EventKind, (row, member): EventRecord) -> MemberListEvent {
        MemberListEvent {
            cursor: event_cursor(&row.scope_id, row.position),
            kind,
            member_id: members::member_id(&row.scope_id, &row.user_id),
            user_id: ID(row.user_id),
            member: member.map(|record| Member::new(record, &self.rules)),
            occurred_at: row.occurred_at.and_utc(),
        }
    }

    /// Sends a live event to the outlet, rendered once for this subscriber's class; false
    /// when the socket is gone.
    async fn send_shared(
        &self,
        outlet: &LiveOutlet,
        selection: &Arc<Selection>,
        kind: EventKind,
        event: &LiveEvent,
    ) -> bool {
        let involved = event.row.user_id == self.user_id
            || event
                .member
                .as_ref()
                .and_then(|(_, _, inviter)| inviter.as_ref())
                .is_some_and(|i| i.id == self.user_id);
        let class = ClassKey {
            selection: selection.clone(),
            rules: self.rules.class(),
            viewer: involved.then(|| self.user_id.clone()),
        };
        let payload = self
            .inbox
            .watch
            .rendered(event.row.position, class, || {
                let event = self.event(kind, (event.row.clone(), event.member.clone()));
                outlet.socket.render(selection, self.actor.clone(), event)
            })
            .await;
        outlet.socket.send(&payload).await
    }

    /// Re-reads the subscriber's session and authority, and refreshes the action rules: once,
    /// when the subscription starts (later re-checks share a snapshot, see `ensure_access`).
    pub(crate) async fn recheck(&mut self) -> Result<Access, DbError> {
        if !roster_identity::service::session_is_live(&self.db, &self.actor).await? {
            return Ok(Access::SignedOut);
        }
        let mut conn = self.db.get().await?;
        let mut conn = conn.conn();
        if let Some(team_id) = &self.scope.team_id
            && scope::resolve(&mut conn, &MembershipScope::TeamId(team_id.as_str().into())).await?.is_none()
        {
            return Ok(Access::Deleted);
        }
        let authority = match authority::read_members(&mut conn, Some(&self.user_id), &self.scope, None).await
        {
            Ok(authority) => authority,
            Err(AccessError::Hidden | AccessError::NotAuthorized) => return Ok(Access::Forbidden),
            Err(AccessError::Db(e)) => return Err(e),
        };
        self.rules = ActionRules::load(&mut conn, authority, &self.scope).await?;
        Ok(Access::Granted)
    }

    /// Re-checks access after a change, from the list's shared snapshot (one read for all of
    /// its subscribers on this replica), ending the stream with the reason when it is gone.
    /// The session is not re-read here: its revocation and expiry end the socket itself
    /// (`ws.rs` in the server), also after the hub reconnects.
    async fn ensure_access(&mut self) -> async_graphql::Result<()> {
        if self.deleted {
            // Draining the deletion's own events; the stream ends right after them.
            return Ok(());
        }
        match self.inbox.watch.access().await {
            Ok(SharedAccess::Granted(rules)) => {
                self.rules = rules;
                Ok(())
            }
            Ok(SharedAccess::Forbidden) => self.fail(top_level_error(
                ErrorCode::Forbidden,
                "You no longer have access to this member list.",
            )),
            Ok(SharedAccess::Deleted) => self.mark_deleted().await,
            Err(e) => self.fail(internal_error(&e)),
        }
    }

    /// The list's team is gone: owe the events up to now, then end with SCOPE_DELETED.
    async fn mark_deleted(&mut self) -> async_graphql::Result<()> {
        self.deleted = true;
        match self.position_now().await {
            Ok(position) => {
                self.replay_until = self.replay_until.max(position);
                Ok(())
            }
            Err(e) => self.fail(internal_error(&e)),
        }
    }

    /// The hub that feeds this stream is gone (the server is shutting down): the stream ends
    /// with the cursor to resume from elsewhere.
    fn hub_gone<T>(&mut self) -> async_graphql::Result<T> {
        let cursor = event_cursor(self.scope.id(), self.next - 1);
        self.fail(top_level_error(
            ErrorCode::ServiceUnavailable,
            format!("The server is shutting down; subscribe again with after: \"{cursor}\"."),
        ))
    }

    fn fail<T>(&mut self, error: async_graphql::Error) -> async_graphql::Result<T> {
        self.finished = true;
        Err(error)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use tokio::sync::broadcast;

    use super::*;
    use crate::live::LiveEvent;
    use roster_organizations::authority::Authority;

    fn event(position: i64) -> crate::live::Batch {
        Arc::new(vec![LiveEvent {
            row: EventRow {
                scope_id: "org_1".into(),
                position,
                organization_id: "org_1".into(),
                kind: "INVITED".into(),
                user_id: "usr_other".into(),
                occurred_at: roster_db::now(),
                membership_id: None,
                member_role: None,
                member_status: None,
                member_invited_at: None,
                member_invited_by: None,
                member_joined_at: None,
            },
            member: None,
        }])
    }

    /// The senders of a subscriber's signals: a closed signal would wake it over and over.
    type Signals = [broadcast::Sender<()>; 3];

    /// A subscriber of `org_1` fed by `events`, and the senders of its signals, which nobody
    /// fires.
    fn standalone(db: Db, events: broadcast::Receiver<crate::live::Batch>) -> (Subscriber, Signals) {
        let (user, user_changed) = broadcast::channel(1);
        let (session, session_revoked) = broadcast::channel(1);
        let (scope_gone, scope_deleted) = broadcast::channel(1);
        let scope = Scope { organization_id: "org_1".into(), team_id: None };
        let watch = crate::live::Watch::standalone(db.clone(), scope.clone(), "usr_me");
        let subscriber = Subscriber {
            db,
            scope,
            user_id: "usr_me".into(),
            actor: Actor::Anonymous,
            rules: ActionRules { authority: Authority::default(), verified_admins: 0 },
            next: 1,
            replay_until: 0,
            backlog: VecDeque::new(),
            inbox: Inbox { events, user_changed, session_revoked, scope_deleted, watch },
            shared: None,
            finished: false,
            deleted: false,
        };
        (subscriber, [user, session, scope_gone])
    }

    /// Every live subscription keeps a step's space for its whole life: 10,000 subscribers
    /// pay for each byte 10,000 times. The database reads inside it are boxed to keep it so.
    #[test]
    fn a_step_is_small_while_it_waits() {
        let dir = std::env::temp_dir().join(format!("roster-size-{}", roster_core::id::unique()));
        let url = roster_db::DatabaseUrl::Sqlite(dir.join("unused.db"));
        let db = Db::connect(&url, &roster_db::PoolOptions::default()).expect("a pool");
        let (_sender, events) = broadcast::channel(1);
        let (mut subscriber, _signals) = standalone(db, events);
        let step = subscriber.step();
        assert!(std::mem::size_of_val(&step) <= 1024, "a step takes {} bytes", std::mem::size_of_val(&step));
        drop(step);
        let _ = std::fs::remove_dir_all(dir);
    }

    /// A signal whose sender is gone ends the stream, where a biased wait on it would spin.
    #[tokio::test]
    async fn a_closed_signal_ends_the_stream_instead_of_spinning() {
        let dir = std::env::temp_dir().join(format!("roster-closed-{}", roster_core::id::unique()));
        let url = roster_db::DatabaseUrl::Sqlite(dir.join("unused.db"));
        let db = Db::connect(&url, &roster_db::PoolOptions::default()).expect("a pool");
        let (_sender, events) = broadcast::channel(1);
        let (mut stream, signals) = standalone(db, events);
        drop(signals);
        let step = tokio::time::timeout(std::time::Duration::from_secs(5), stream.step());
        let error = step.await.expect("the step ends").and_then(Result::err).expect("with an error");
        let code = error.extensions.as_ref().and_then(|e| e.get("code")).map(ToString::to_string);
        assert_eq!(code.as_deref(), Some("\"SERVICE_UNAVAILABLE\""));
        assert!(stream.step().await.is_none(), "and then it is over");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn a_subscriber_that_falls_behind_its_buffer_ends_with_a_resume_cursor() {
        let dir = std::env::temp_dir().join(format!("roster-lag-{}", roster_core::id::unique()));
        let url = roster_db::DatabaseUrl::Sqlite(dir.join("unused.db"));
        let db = Db::connect(&url, &roster_db::PoolOptions::default()).expect("a pool");
        // A buffer of one event, and three events sent before the subscriber reads any.
        let (sender, events) = broadcast::channel(1);
        let (mut stream, _signals) = standalone(db, events);
        for position in 1..=3 {
            let _ = sender.send(event(position));
        }
        let error = stream.step().await.and_then(Result::err).expect("the stream ends with an error");
        let code = error.extensions.as_ref().and_then(|e| e.get("code")).map(ToString::to_string);
        assert_eq!(code.as_deref(), Some("\"SUBSCRIBER_TOO_SLOW\""));
        assert!(error.message.contains(&event_cursor("org_1", 0)), "{}", error.message);
        assert!(stream.step().await.is_none(), "and then it is over");
        let _ = std::fs::remove_dir_all(dir);
    }
}
