//! `Subscription.memberListChanged`: a durable, resumable stream of a member list's changes.
//!
//! Each subscriber keeps the position of the next event it owes the client. Live events from
//! the hub below that position are dropped (the seam between replay and live has neither a
//! gap nor a duplicate); a live event beyond it means something was missed, and the missing
//! events are read from the database first. Events are gap-free per list, so "next position"
//! is all the bookkeeping needed.

use std::collections::VecDeque;

use async_graphql::futures_util::Stream;
use async_graphql::{Context, ID, SimpleObject, Subscription};
use chrono::{DateTime, Utc};
use roster_core::Actor;
use roster_core::error::{ErrorCode, internal_error, top_level_error};
use roster_core::page::{decode_cursor, encode_cursor};
use roster_db::{Db, DbError};
use tokio::sync::broadcast::error::RecvError;

use crate::authority::Authority;
use crate::events::{self, EventKind, EventRecord, EventRow};
use crate::live::{LiveHub, Subscription as Feed};
use crate::members::{ActionRules, Member};
use crate::scope::{self, MembershipScope, Scope};
use crate::store::MemberRecord;

/// The cursor kind of event cursors.
pub const CURSOR_KIND: &str = "event";

/// The cursor of a list's event position.
pub fn event_cursor(scope_id: &str, position: i64) -> String {
    encode_cursor(CURSOR_KIND, &format!("{scope_id}:{position}"))
}

/// One change to a member list.
#[derive(Debug, Clone, SimpleObject)]
pub struct MemberListEvent {
    /// Opaque; pass it as `after` to resume the stream right after this event.
    pub cursor: String,
    /// What happened.
    pub kind: EventKind,
    /// Whose membership changed.
    pub user_id: ID,
    /// The member as it is after the change; null when the user left the list.
    pub member: Option<Member>,
    /// When the change was committed.
    pub occurred_at: DateTime<Utc>,
}

/// Member-list subscriptions.
#[derive(Default)]
pub struct OrganizationsSubscription;

#[Subscription]
impl OrganizationsSubscription {
    /// Every change to the scope's member list, in commit order; with `after`, first replays
    /// what came after that cursor (take it from an event, or from `MemberConnection.eventCursor`
    /// to continue exactly where a list was loaded). Without `after`, the stream starts now.
    /// Readable by those who may read the list; FORBIDDEN otherwise. The stream ends with an
    /// error when the subscriber loses access (FORBIDDEN), signs out (UNAUTHENTICATED) or falls
    /// too far behind (SUBSCRIBER_TOO_SLOW: resume from the last cursor received).
    async fn member_list_changed(
        &self,
        ctx: &Context<'_>,
        scope: MembershipScope,
        after: Option<String>,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<MemberListEvent>> + use<>> {
        let hub = ctx.data::<LiveHub>()?.clone();
        let actor = ctx.data::<Actor>()?.clone();
        let forbidden = || top_level_error(ErrorCode::Forbidden, "You may not read this member list.");
        let Actor::User { user_id, session_id } = actor.clone() else { return Err(forbidden()) };
        let db = hub.db().clone();
        let mut conn = db.get().await.map_err(|e| internal_error(&e))?;
        let scope = scope::resolve(&mut conn.conn(), &scope)
            .await
            .map_err(|e| internal_error(&e))?
            .ok_or_else(forbidden)?;
        let authority = Authority::load(&mut conn.conn(), Some(&user_id), &scope)
            .await
            .map_err(|e| internal_error(&e))?;
        if !authority.reads_members() {
            return Err(forbidden());
        }
        let resume_from = after.map(|cursor| parse_cursor(&cursor, &scope)).transpose()?;

        // Subscribe before reading the current position: whatever commits from here on
        // reaches the feed, and whatever committed before is read from the database. The
        // connection goes back to the pool first: the hub may need one of its own, and holding
        // one while waiting for another starves the pool when many subscribe at once.
        drop(conn);
        let feed = hub.subscribe(&scope, &user_id, &session_id).await.map_err(|e| internal_error(&e))?;
        let mut conn = db.get().await.map_err(|e| internal_error(&e))?;
        let current =
            scope::current_position(&mut conn.conn(), &scope).await.map_err(|e| internal_error(&e))?;
        let start = match resume_from {
            None => current,
            Some(position) if position > current => {
                return Err(top_level_error(
                    ErrorCode::BadUserInput,
                    "The cursor is not valid for this list.",
                ));
            }
            Some(position) => {
                if position < current {
                    let first = events::first_position(&mut conn.conn(), scope.id())
                        .await
                        .map_err(|e| internal_error(&e))?;
                    if first.is_none_or(|first| first > position + 1) {
                        return Err(top_level_error(
                            ErrorCode::CursorExpired,
                            "The cursor is older than the events kept; load the list again and subscribe from its eventCursor.",
                        ));
                    }
                }
                position
            }
        };
        drop(conn);
        let mut state = Stream_ {
            db,
            scope,
            user_id,
            actor,
            rules: ActionRules { authority, verified_admins: 0 },
            next: start + 1,
            replay_until: current,
            backlog: VecDeque::new(),
            feed,
            finished: false,
        };
        // Access is checked again now that the signals are wired: a removal or a sign-out
        // that committed after the first check, but before the subscription existed, would
        // otherwise go unnoticed. This also loads the rules for `availableActions`.
        match state.recheck().await.map_err(|e| internal_error(&e))? {
            Access::Granted => {}
            Access::Forbidden => return Err(forbidden()),
            Access::SignedOut => return Err(signed_out()),
        }
        Ok(async_graphql::futures_util::stream::unfold(state, |mut state| async move {
            let item = state.step().await?;
            Some((item, state))
        }))
    }
}

fn signed_out() -> async_graphql::Error {
    top_level_error(ErrorCode::Unauthenticated, "Your session was revoked or has expired; sign in again.")
}

/// What a re-check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    Granted,
    Forbidden,
    SignedOut,
}

/// Reads an event cursor for `scope`: the position it stands for.
fn parse_cursor(cursor: &str, scope: &Scope) -> async_graphql::Result<i64> {
    let text = decode_cursor(CURSOR_KIND, cursor)?;
    let bad = || top_level_error(ErrorCode::BadUserInput, "The cursor is not valid for this list.");
    let (scope_id, position) = text.rsplit_once(':').ok_or_else(bad)?;
    if scope_id != scope.id() {
        return Err(bad());
    }
    position.parse::<i64>().ok().filter(|p| *p >= 0).ok_or_else(bad)
}

// Named with a trailing underscore so it does not shadow `futures::Stream`.
struct Stream_ {
    db: Db,
    scope: Scope,
    user_id: String,
    /// The subscriber, with the session to re-check.
    actor: Actor,
    rules: ActionRules,
    /// The position of the next event owed to the client.
    next: i64,
    /// The list's position when the subscription started: replay runs up to here even when no
    /// live event arrives.
    replay_until: i64,
    backlog: VecDeque<EventRecord>,
    feed: Feed,
    finished: bool,
}

impl Stream_ {
    /// The next item, or `None` when the stream is over.
    async fn step(&mut self) -> Option<async_graphql::Result<MemberListEvent>> {
        loop {
            if self.finished {
                return None;
            }
            if let Some((row, member)) = self.backlog.pop_front() {
                if row.position < self.next {
                    continue;
                }
                return Some(self.emit(row, member).await);
            }
            if self.next <= self.replay_until {
                if let Err(e) = self.fill(self.replay_until).await {
                    return Some(self.fail(internal_error(&e)));
                }
                continue;
            }
            tokio::select! {
                biased;
                revoked = self.feed.session_revoked.recv() => {
                    if !matches!(revoked, Err(RecvError::Closed)) {
                        return Some(self.fail(signed_out()));
                    }
                }
                changed = self.feed.user_changed.recv() => {
                    if !matches!(changed, Err(RecvError::Closed)) && let Err(error) = self.ensure_access().await {
                        return Some(Err(error));
                    }
                }
                batch = self.feed.events.recv() => match batch {
                    Ok(batch) => {
                        let (Some(first), Some(last)) = (batch.first(), batch.last()) else { continue };
                        let (first, last) = (first.row.position, last.row.position);
                        if first <= self.next {
                            let owed = batch.iter().filter(|event| event.row.position >= self.next);
                            self.backlog.extend(owed.map(|event| (event.row.clone(), event.member.clone())));
                        } else {
                            // Something between what we sent and this batch did not reach us:
                            // read it from the database, up to the end of this batch.
                            self.replay_until = self.replay_until.max(last);
                            if let Err(e) = self.fill(last).await {
                                return Some(self.fail(internal_error(&e)));
                            }
                        }
                    }
                    Err(RecvError::Lagged(_)) => {
                        let cursor = event_cursor(self.scope.id(), self.next - 1);
                        return Some(self.fail(top_level_error(
                            ErrorCode::SubscriberTooSlow,
                            format!("This subscriber fell too far behind; subscribe again with after: \"{cursor}\"."),
                        )));
                    }
                    Err(RecvError::Closed) => {
                        let cursor = event_cursor(self.scope.id(), self.next - 1);
                        return Some(self.fail(top_level_error(
                            ErrorCode::ServiceUnavailable,
                            format!("The server is shutting down; subscribe again with after: \"{cursor}\"."),
                        )));
                    }
                },
            }
        }
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
        self.backlog.extend(records);
        Ok(())
    }

    async fn emit(
        &mut self,
        row: EventRow,
        member: Option<MemberRecord>,
    ) -> async_graphql::Result<MemberListEvent> {
        let concerns_admins = member.as_ref().is_some_and(|(m, _, _)| m.role() == crate::role::Role::Admin)
            || EventKind::parse(&row.kind) == EventKind::Removed;
        if row.position != self.next {
            // Events are gap-free, so a hole means they were pruned while we read them.
            return self.fail(top_level_error(
                ErrorCode::CursorExpired,
                "Some events are no longer kept; load the list again and subscribe from its eventCursor.",
            ));
        }
        if row.user_id == self.user_id || concerns_admins {
            self.ensure_access().await?;
        }
        self.next = row.position + 1;
        Ok(MemberListEvent {
            cursor: event_cursor(&row.scope_id, row.position),
            kind: EventKind::parse(&row.kind),
            user_id: ID(row.user_id),
            member: member.map(|record| Member::new(record, &self.rules)),
            occurred_at: row.occurred_at.and_utc(),
        })
    }

    /// Re-reads the subscriber's session and authority, and refreshes the action rules.
    async fn recheck(&mut self) -> Result<Access, DbError> {
        if !roster_identity::service::session_is_live(&self.db, &self.actor).await? {
            return Ok(Access::SignedOut);
        }
        let mut conn = self.db.get().await?;
        let authority = Authority::load(&mut conn.conn(), Some(&self.user_id), &self.scope).await?;
        if !authority.reads_members() {
            return Ok(Access::Forbidden);
        }
        self.rules = ActionRules::load(&mut conn.conn(), authority, &self.scope).await?;
        Ok(Access::Granted)
    }

    /// [`Stream_::recheck`], ending the stream with the reason when access is gone.
    async fn ensure_access(&mut self) -> async_graphql::Result<()> {
        match self.recheck().await {
            Ok(Access::Granted) => Ok(()),
            Ok(Access::Forbidden) => self.fail(top_level_error(
                ErrorCode::Forbidden,
                "You no longer have access to this member list.",
            )),
            Ok(Access::SignedOut) => self.fail(signed_out()),
            Err(e) => self.fail(internal_error(&e)),
        }
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

    fn event(position: i64) -> crate::live::Batch {
        Arc::new(vec![LiveEvent {
            row: EventRow {
                scope_id: "org_1".into(),
                position,
                organization_id: "org_1".into(),
                kind: "INVITED".into(),
                user_id: "usr_other".into(),
                occurred_at: roster_db::now(),
            },
            member: None,
        }])
    }

    #[tokio::test]
    async fn a_subscriber_that_falls_behind_its_buffer_ends_with_a_resume_cursor() {
        let dir = std::env::temp_dir().join(format!("roster-lag-{}", roster_core::id::unique()));
        let url = roster_db::DatabaseUrl::Sqlite(dir.join("unused.db"));
        let db = Db::connect(&url, &roster_db::PoolOptions::default()).expect("a pool");
        // A buffer of one event, and three events sent before the subscriber reads any.
        let (sender, events) = broadcast::channel(1);
        let (_user, user_changed) = broadcast::channel(1);
        let (_session, session_revoked) = broadcast::channel(1);
        let mut stream = Stream_ {
            db,
            scope: Scope { organization_id: "org_1".into(), team_id: None },
            user_id: "usr_me".into(),
            actor: Actor::Anonymous,
            rules: ActionRules { authority: Authority::default(), verified_admins: 0 },
            next: 1,
            replay_until: 0,
            backlog: VecDeque::new(),
            feed: Feed { events, user_changed, session_revoked },
            finished: false,
        };
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
