//! `Subscription.memberListChanged`: the list that refreshes by itself ("The user list
//! refreshes automatically to show the updated status"). This file holds the resolver and its
//! cursor policy (where a stream starts, and which cursors are refused); `subscriber.rs` holds
//! the per-subscriber state machine.

use std::collections::VecDeque;

use async_graphql::futures_util::Stream;
use async_graphql::futures_util::future::Either;
use async_graphql::futures_util::stream;
use async_graphql::{Context, Subscription};
use roster_core::error::{ErrorCode, top_level_error};
use roster_core::page::decode_cursor;
use roster_core::{Actor, OrInternal as _};
use roster_organizations::authority::{self, AccessError};
use roster_organizations::events::{self, CURSOR_KIND};
use roster_organizations::members::ActionRules;
use roster_organizations::scope::{self, MembershipScope, Scope};

use crate::event::MemberListEvent;
use crate::fanout::{LiveOutlet, RenderingEvent, Selection};
use crate::live::LiveHub;
use crate::subscriber::{Access, Subscriber, signed_out};

/// Member-list subscriptions.
#[derive(Default)]
pub struct OrganizationsSubscription;

#[Subscription]
impl OrganizationsSubscription {
    /// Every change to the scope's member list, in commit order; with `after`, first replays
    /// what came after that cursor (take it from an event, or from `MemberConnection.eventCursor`
    /// to continue exactly where a list was loaded). Without `after`, the stream starts now.
    /// A replay starts no earlier than the subscriber joined the list (an organization's admins
    /// excepted, who may read its audit log anyway): an older cursor is CURSOR_EXPIRED, as is
    /// one older than the events kept. Readable by those who may read the list; FORBIDDEN
    /// otherwise. The stream ends with an
    /// error when the subscriber loses access (FORBIDDEN), signs out (UNAUTHENTICATED) or falls
    /// too far behind (SUBSCRIBER_TOO_SLOW: resume from the last cursor received).
    async fn member_list_changed(
        &self,
        ctx: &Context<'_>,
        scope: MembershipScope,
        after: Option<String>,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<MemberListEvent>> + use<>> {
        let field = ctx.field();
        let response_key = field.alias().unwrap_or(field.name());
        if let Some(rendering) = ctx.data_opt::<RenderingEvent>() {
            // A shared render (see `fanout.rs`): this one event, as the class sees it.
            let event = (rendering.field == response_key).then(|| Ok(rendering.event.clone()));
            return Ok(Either::Left(stream::iter(event)));
        }
        let hub = ctx.data::<LiveHub>()?.clone();
        let actor = ctx.data::<Actor>()?.clone();
        let shared = ctx.data_opt::<LiveOutlet>().and_then(|outlet| {
            Some((outlet.clone(), outlet.selection(response_key, &root_variable_uses(ctx))?))
        });
        // Boxed: the engine keeps this future's space for the stream's whole life, and the
        // opening's database reads are most of it (about 4 KiB per subscription otherwise).
        let subscriber = Box::pin(open(hub, actor, scope, after, shared)).await?;
        Ok(Either::Right(stream::unfold(subscriber, |mut subscriber| async move {
            let item = subscriber.step().await?;
            Some((item, subscriber))
        })))
    }
}

/// Opens a subscriber: checks that `actor` may read the list, wires its signals, and works out
/// where its stream starts.
async fn open(
    hub: LiveHub,
    actor: Actor,
    scope: MembershipScope,
    after: Option<String>,
    shared: Option<(LiveOutlet, std::sync::Arc<Selection>)>,
) -> async_graphql::Result<Subscriber> {
    let forbidden = || top_level_error(ErrorCode::Forbidden, "You may not read this member list.");
    let Actor::User { user_id, session_id } = actor.clone() else { return Err(forbidden()) };
    let db = hub.db().clone();
    let (scope, authority, joined_at) = {
        let mut conn = db.get().await.or_internal()?;
        let mut conn = conn.conn();
        let scope = scope::resolve(&mut conn, &scope).await.or_internal()?.ok_or_else(forbidden)?;
        let authority = match authority::read_members(&mut conn, Some(&user_id), &scope, None).await {
            Ok(authority) => authority,
            Err(AccessError::Hidden | AccessError::NotAuthorized) => return Err(forbidden()),
            Err(AccessError::Db(e)) => return Err(e).or_internal(),
        };
        let joined_at = if after.is_some() {
            replay_floor(&mut conn, &scope, &user_id, &authority).await.or_internal()?
        } else {
            None
        };
        (scope, authority, joined_at)
    };
    let resume_from = after.map(|cursor| parse_cursor(&cursor, &scope)).transpose()?;

    // Subscribe before reading the current position: whatever commits from here on
    // reaches the inbox, and whatever committed before is read from the database. The
    // connection went back to the pool first: the hub may need one of its own, and holding
    // one while waiting for another starves the pool when many subscribe at once.
    let inbox = hub.subscribe(&scope, &user_id, &session_id).await.or_internal()?;
    let (start, current) = start_position(&db, &scope, resume_from, joined_at).await?;
    let mut subscriber = Subscriber {
        db,
        scope,
        user_id,
        actor,
        rules: ActionRules { authority, verified_admins: 0 },
        next: start + 1,
        replay_until: current,
        backlog: VecDeque::new(),
        inbox,
        shared,
        finished: false,
        deleted: false,
    };
    // Access is checked again now that the signals are wired: a removal or a sign-out
    // that committed after the first check, but before the subscription existed, would
    // otherwise go unnoticed. This also loads the rules for `availableActions`.
    match subscriber.recheck().await.or_internal()? {
        Access::Granted => {}
        Access::Forbidden => return Err(forbidden()),
        Access::SignedOut => return Err(signed_out()),
        Access::Deleted => return Err(forbidden()),
    }
    Ok(subscriber)
}

/// The variables the root field's arguments use, a name once per use.
fn root_variable_uses(ctx: &Context<'_>) -> Vec<String> {
    let mut uses = Vec::new();
    for (_, value) in &ctx.item.node.arguments {
        // Resolving the variables visits each use; the resolved value is thrown away.
        let _ = value.node.clone().into_const_with(|name| {
            uses.push(name.to_string());
            Ok::<_, std::convert::Infallible>(async_graphql::Value::Null)
        });
    }
    uses
}

/// When the membership that lets `user_id` read the list was made verified: a replay starts
/// no earlier, so a member who joined today does not read who was invited, cancelled or
/// demoted before. `None` when there is no such limit: the organization's admins may read its
/// audit log anyway, so they may replay the whole retention. (Were a list read with an API
/// key, the limit would be the key's creation.)
async fn replay_floor(
    conn: &mut roster_db::Conn<'_>,
    scope: &Scope,
    user_id: &str,
    authority: &authority::Authority,
) -> Result<Option<chrono::NaiveDateTime>, roster_db::DbError> {
    if authority.is_organization_admin() {
        return Ok(None);
    }
    // Not an admin, so the access comes from a verified membership in the list's own scope
    // (a team's readers are its members and the organization's admins).
    let membership = roster_organizations::lookup::membership(conn, scope.id(), user_id).await?;
    // Without a date (none is written so, or the membership went meanwhile), only what happens
    // from now on.
    Ok(Some(membership.and_then(|m| m.joined_at).unwrap_or_else(roster_db::now)))
}

/// The cursor policy: where a stream starts, given the list's position now, the cursor the
/// client resumes from (`after`) and when the subscriber joined the list (`joined_at`, see
/// [`replay_floor`]). No cursor starts now; a cursor ahead of the list is BAD_USER_INPUT; one
/// older than the events kept, or than the subscriber's joining, is CURSOR_EXPIRED. Returns
/// the start and the current position.
async fn start_position(
    db: &roster_db::Db,
    scope: &Scope,
    resume_from: Option<i64>,
    joined_at: Option<chrono::NaiveDateTime>,
) -> async_graphql::Result<(i64, i64)> {
    let mut conn = db.get().await.or_internal()?;
    let mut conn = conn.conn();
    let current = scope::current_position(&mut conn, scope).await.or_internal()?;
    let start = match resume_from {
        None => current,
        Some(position) if position > current => {
            return Err(top_level_error(ErrorCode::BadUserInput, "The cursor is not valid for this list."));
        }
        Some(position) => {
            if position < current {
                let first = events::first_position(&mut conn, scope.id()).await.or_internal()?;
                let before_joining = match joined_at {
                    // Events up to the last one before the joining are not the member's to read.
                    Some(at) => events::last_before(&mut conn, scope.id(), at)
                        .await
                        .or_internal()?
                        .is_some_and(|last| position < last),
                    None => false,
                };
                if before_joining || first.is_none_or(|first| first > position + 1) {
                    return Err(top_level_error(
                        ErrorCode::CursorExpired,
                        "The cursor is older than the events kept for you; load the list again and subscribe from its eventCursor.",
                    ));
                }
            }
            position
        }
    };
    Ok((start, current))
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

/// What `memberListChanged` reads from the schema's data: checked at startup.
pub fn needs() -> Vec<roster_core::port::Port> {
    use roster_core::port::Port;
    vec![Port::of::<Actor>(), Port::of::<LiveHub>()]
}
