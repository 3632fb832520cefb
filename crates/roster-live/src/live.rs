//! The live hub: one per process. It learns of committed member-list changes (PostgreSQL
//! LISTEN on every replica, or in-process announcements on SQLite, backed by a periodic
//! poll), reads each new event once from the database, and fans it out to the process's
//! subscribers of that list. One read per event per replica, not one per subscriber.
//!
//! It also relays two signals that end subscriptions early: a user's membership changed
//! somewhere (their access is re-checked at once), and a session was revoked.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt as _;
use roster_db::notify::Notification;
use roster_db::{DatabaseUrl, Db, DbError};
use roster_identity::service::SESSIONS_CHANNEL;
use roster_organizations::authority::Authority;
use roster_organizations::events::{self, CHANNEL, Change, EventRow, SCOPES_CHANNEL};
use roster_organizations::lookup::{self, MemberRecord};
use roster_organizations::members::ActionRules;
use roster_organizations::scope::{self, MembershipScope, Scope};
use tokio::sync::{broadcast, watch};

use crate::fanout::{ClassKey, Renders};

/// The channel each hub notifies itself on, with its listener's name as the payload.
const HEARTBEAT_CHANNEL: &str = "roster_heartbeat";

/// Hub settings.
#[derive(Debug, Clone)]
pub struct LiveSettings {
    /// How long events are kept for resuming; older cursors get CURSOR_EXPIRED.
    pub retention: Duration,
    /// Events a subscriber may fall behind before its stream ends (it then resumes from its
    /// last cursor).
    pub buffer: usize,
    /// How often every watched list is checked without a wake-up, in case one was missed.
    pub poll: Duration,
    /// How often the listener proves it still hears: the hub notifies itself through the
    /// pool, and a listener that has heard nothing for two intervals is replaced.
    pub heartbeat: Duration,
    /// Where to LISTEN, when not on the pool's database URL (a pooler in transaction mode,
    /// such as PgBouncer, cannot LISTEN: point this at the server itself).
    pub listen_url: Option<String>,
}

impl Default for LiveSettings {
    fn default() -> Self {
        Self {
            retention: Duration::from_secs(7 * 24 * 3600),
            buffer: 256,
            poll: Duration::from_secs(1),
            heartbeat: Duration::from_secs(10),
            listen_url: None,
        }
    }
}

/// An event as delivered to subscribers: the row and the member as it is now (absent when
/// the user left the list).
#[derive(Debug)]
pub struct LiveEvent {
    /// The event.
    pub row: EventRow,
    /// The member's record, for building the `member` field.
    pub member: Option<MemberRecord>,
}

/// Consecutive events of one list, as read together. A burst is one slot in a subscriber's
/// buffer, so only a subscriber that is really slow falls behind.
pub type Batch = Arc<Vec<LiveEvent>>;

struct Feed {
    sender: broadcast::Sender<Batch>,
    /// The last position broadcast. The async mutex also keeps one reader per list at a time,
    /// so events go out in order.
    delivered: tokio::sync::Mutex<Option<i64>>,
    scope: Scope,
    /// The users subscribed to this list here, with how many subscriptions each.
    watchers: Mutex<HashMap<String, usize>>,
    /// The latest access snapshot of the watchers, shared by all of them (see [`Watch`]).
    access: tokio::sync::Mutex<Option<Arc<AccessSnapshot>>>,
    /// The renders of the latest events, per class of subscribers (see `fanout.rs`).
    renders: Mutex<Renders>,
}

impl Feed {
    /// A list's feed, with room for `buffer` batches per subscriber, nobody watching yet.
    fn new(scope: Scope, buffer: usize) -> Feed {
        Feed {
            sender: broadcast::channel(buffer.max(1)).0,
            delivered: tokio::sync::Mutex::new(None),
            scope,
            watchers: Mutex::default(),
            access: tokio::sync::Mutex::new(None),
            renders: Mutex::default(),
        }
    }
}

/// What the list's watchers may do, as read once for all of them: after a change, every
/// subscriber of a large list re-checks its access, and one read serves them all.
#[derive(Debug)]
struct AccessSnapshot {
    /// The hub's generation when it was read: any later change makes it stale.
    generation: u64,
    /// The users it covers (the watchers then).
    users: std::collections::HashSet<String>,
    /// Whether the list's scope still exists (a team may be deleted).
    exists: bool,
    /// Each covered user's verified roles around the scope.
    authorities: HashMap<String, Authority>,
    /// The organization's verified admins, for `availableActions`.
    verified_admins: i64,
}

/// One subscriber's place among its list's watchers: it counts the user as watching until
/// dropped, and answers access re-checks from the list's shared snapshot.
pub struct Watch {
    inner: Arc<Inner>,
    feed: Arc<Feed>,
    user_id: String,
}

/// A subscriber's access, as the shared snapshot says.
#[derive(Debug, Clone, Copy)]
pub enum SharedAccess {
    /// May read the list, with these rules for `availableActions`.
    Granted(ActionRules),
    /// May not read the list (any more).
    Forbidden,
    /// The list's team was deleted.
    Deleted,
}

impl Watch {
    /// Counts `user_id` among the feed's watchers (and in `/metrics`) until dropped.
    fn new(inner: Arc<Inner>, feed: Arc<Feed>, user_id: &str) -> Watch {
        *feed.watchers.lock().unwrap_or_else(|p| p.into_inner()).entry(user_id.to_owned()).or_default() += 1;
        metrics::gauge!("roster_live_subscriptions").increment(1);
        Watch { inner, feed, user_id: user_id.to_owned() }
    }

    /// The subscriber's access now. The snapshot is read at most once per change the hub
    /// learns of (a generation), by the first watcher that asks; the others wait for it
    /// without holding a connection. A change is counted before its events are delivered,
    /// so a re-check prompted by an event always sees that event's change.
    pub async fn access(&self) -> Result<SharedAccess, DbError> {
        let mut slot = self.feed.access.lock().await;
        let generation = self.inner.generation.load(Ordering::SeqCst);
        let fresh = slot
            .as_ref()
            .filter(|snapshot| snapshot.generation >= generation && snapshot.users.contains(&self.user_id))
            .cloned();
        let snapshot = match fresh {
            Some(snapshot) => snapshot,
            None => {
                let users: Vec<String> =
                    self.feed.watchers.lock().unwrap_or_else(|p| p.into_inner()).keys().cloned().collect();
                let snapshot =
                    Arc::new(read_snapshot(&self.inner.db, &self.feed.scope, users, generation).await?);
                *slot = Some(snapshot.clone());
                snapshot
            }
        };
        if !snapshot.exists {
            return Ok(SharedAccess::Deleted);
        }
        let authority = snapshot
            .authorities
            .get(&self.user_id)
            .copied()
            .unwrap_or(Authority { is_team: self.feed.scope.is_team(), ..Authority::default() });
        if !authority.reads_members() {
            return Ok(SharedAccess::Forbidden);
        }
        Ok(SharedAccess::Granted(ActionRules { authority, verified_admins: snapshot.verified_admins }))
    }

    /// The live event at `position` as `class` reads it: rendered by `render` for the first
    /// subscriber of the class to ask, and shared with the rest (who wait for it meanwhile).
    pub(crate) async fn rendered<F: Future<Output = String>>(
        &self,
        position: i64,
        class: ClassKey,
        render: impl FnOnce() -> F,
    ) -> Arc<str> {
        let cell = self.feed.renders.lock().unwrap_or_else(|p| p.into_inner()).cell(position, class);
        cell.get_or_init(|| async {
            self.inner.renders.fetch_add(1, Ordering::Relaxed);
            metrics::counter!("roster_live_renders_total").increment(1);
            Arc::from(render().await)
        })
        .await
        .clone()
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        metrics::gauge!("roster_live_subscriptions").decrement(1);
        let mut watchers = self.feed.watchers.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(count) = watchers.get_mut(&self.user_id) {
            *count -= 1;
            if *count == 0 {
                watchers.remove(&self.user_id);
            }
        }
    }
}

/// Reads the access of `users` around `scope` in one checkout: whether the scope exists, the
/// users' verified roles (one query for all), and the organization's verified admins.
async fn read_snapshot(
    db: &Db,
    scope: &Scope,
    users: Vec<String>,
    generation: u64,
) -> Result<AccessSnapshot, DbError> {
    let mut conn = db.get().await?;
    let mut conn = conn.conn();
    let exists = match &scope.team_id {
        Some(team_id) => {
            scope::resolve(&mut conn, &MembershipScope::TeamId(team_id.as_str().into())).await?.is_some()
        }
        None => true,
    };
    let authorities = Authority::load_many(&mut conn, &users, scope).await?;
    let verified_admins = lookup::verified_admins(&mut conn, &scope.organization_id).await?;
    Ok(AccessSnapshot {
        generation,
        users: users.into_iter().collect(),
        exists,
        authorities,
        verified_admins,
    })
}

struct Inner {
    db: Db,
    /// The `application_name` of this hub's listening connection, so operators (and the fault
    /// tests) can tell it apart in `pg_stat_activity`.
    listener_name: String,
    settings: LiveSettings,
    feeds: Mutex<HashMap<String, Arc<Feed>>>,
    signals: Mutex<HashMap<String, broadcast::Sender<()>>>,
    /// Fired when the listener (re)connects: revocations may have been missed meanwhile.
    rechecks: broadcast::Sender<()>,
    /// Counts the membership changes this hub learned of (and reconnections, after which
    /// some may have been missed): access snapshots older than it are stale.
    generation: AtomicU64,
    /// Live events rendered, for all classes of all lists (see `fanout.rs`).
    renders: AtomicU64,
}

/// The hub. Cheap to clone.
#[derive(Clone)]
pub struct LiveHub {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for LiveHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LiveHub")
    }
}

/// What one subscriber receives from the hub: its list's events and its own signals.
pub struct Inbox {
    /// The list's live events, in batches of consecutive positions.
    pub events: broadcast::Receiver<Batch>,
    /// Fires when the subscriber's memberships change anywhere.
    pub user_changed: broadcast::Receiver<()>,
    /// Fires when the subscriber's session is revoked.
    pub session_revoked: broadcast::Receiver<()>,
    /// Fires when the list's scope (a team) is deleted.
    pub scope_deleted: broadcast::Receiver<()>,
    /// The subscriber among the list's watchers, for shared access re-checks.
    pub watch: Watch,
}

impl LiveHub {
    /// A hub over `db`. Call [`LiveHub::run`] to start it.
    pub fn new(db: Db, settings: LiveSettings) -> LiveHub {
        LiveHub {
            inner: Arc::new(Inner {
                db,
                listener_name: format!("roster_live_{}", roster_core::id::unique()),
                settings,
                feeds: Mutex::default(),
                signals: Mutex::default(),
                rechecks: broadcast::channel(1).0,
                generation: AtomicU64::new(0),
                renders: AtomicU64::new(0),
            }),
        }
    }

    /// The `application_name` of the PostgreSQL connection this hub listens on.
    pub fn listener_name(&self) -> &str {
        &self.inner.listener_name
    }

    /// How many live events this hub's subscribers rendered: once per event and class of
    /// subscribers, however many subscribers the class has.
    pub fn renders(&self) -> u64 {
        self.inner.renders.load(Ordering::Relaxed)
    }

    /// The database.
    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    /// Subscribes to a list's events and to the signals of a user and a session. The feed's
    /// starting point is read before this returns, so every event committed after it reaches
    /// the receiver.
    pub async fn subscribe(&self, scope: &Scope, user_id: &str, session_id: &str) -> Result<Inbox, DbError> {
        // The receiver is made under the map's lock, so the feed cannot be forgotten (as
        // unwatched) between finding it and subscribing to it.
        let (feed, events, watch) = {
            let mut feeds = self.inner.feeds.lock().unwrap_or_else(|p| p.into_inner());
            let feed = feeds
                .entry(scope.id().to_owned())
                .or_insert_with(|| Arc::new(Feed::new(scope.clone(), self.inner.settings.buffer)))
                .clone();
            let events = feed.sender.subscribe();
            let watch = Watch::new(self.inner.clone(), feed.clone(), user_id);
            (feed, events, watch)
        };
        {
            // Only the first subscriber of a list reads its position; the others wait on this
            // lock without holding a connection.
            let mut delivered = feed.delivered.lock().await;
            if delivered.is_none() {
                let mut conn = self.inner.db.get().await?;
                *delivered = Some(scope::current_position(&mut conn.conn(), scope).await?);
            }
        }
        Ok(Inbox {
            events,
            user_changed: self.signal(&format!("user:{user_id}")),
            session_revoked: self.session_revoked(session_id),
            scope_deleted: self.signal(&format!("scope:{}", scope.id())),
            watch,
        })
    }

    /// Fires when `session_id` is revoked, on any replica.
    pub fn session_revoked(&self, session_id: &str) -> broadcast::Receiver<()> {
        self.signal(&format!("session:{session_id}"))
    }

    /// Fires when signals may have been missed (the listening connection was lost and is
    /// back), so long-lived connections re-check their sessions in the database.
    pub fn rechecks(&self) -> broadcast::Receiver<()> {
        self.inner.rechecks.subscribe()
    }

    fn signal(&self, key: &str) -> broadcast::Receiver<()> {
        let mut signals = self.inner.signals.lock().unwrap_or_else(|p| p.into_inner());
        signals.entry(key.to_owned()).or_insert_with(|| broadcast::channel(1).0).subscribe()
    }

    fn fire(&self, key: &str) {
        let signals = self.inner.signals.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(sender) = signals.get(key) {
            let _ = sender.send(());
        }
    }

    /// Makes every subscriber re-check its access (after wake-ups may have been missed).
    fn fire_all_users(&self) {
        self.inner.generation.fetch_add(1, Ordering::SeqCst);
        let signals = self.inner.signals.lock().unwrap_or_else(|p| p.into_inner());
        for (key, sender) in signals.iter() {
            if key.starts_with("user:") {
                let _ = sender.send(());
            }
        }
    }

    /// Handles one wake-up.
    fn on_notification(&self, notification: &Notification) {
        if notification.channel == CHANNEL {
            if let Some(change) = Change::parse(&notification.payload) {
                self.on_change(&change);
            }
        } else if notification.channel == SESSIONS_CHANNEL {
            self.fire(&format!("session:{}", notification.payload));
        } else if notification.channel == SCOPES_CHANNEL {
            self.inner.generation.fetch_add(1, Ordering::SeqCst);
            self.fire(&format!("scope:{}", notification.payload));
        }
    }

    fn on_change(&self, change: &Change) {
        // Counted before the events are read, so whoever re-checks because of them reads
        // access afresh.
        self.inner.generation.fetch_add(1, Ordering::SeqCst);
        let feed = self.inner.feeds.lock().unwrap_or_else(|p| p.into_inner()).get(&change.scope_id).cloned();
        if let Some(feed) = feed {
            let hub = self.clone();
            tokio::spawn(async move {
                if let Err(e) = hub.deliver(&feed).await {
                    tracing::warn!(error = %e, "live: reading new events failed; the poll will retry");
                }
            });
        }
        self.fire(&format!("user:{}", change.user_id));
    }

    /// Reads the list's events after the last one delivered and broadcasts them, in order.
    async fn deliver(&self, feed: &Feed) -> Result<(), DbError> {
        let mut delivered = feed.delivered.lock().await;
        let Some(mut last) = *delivered else { return Ok(()) };
        if feed.sender.receiver_count() == 0 {
            // Nobody watches: forget the position, and let the next subscriber read it afresh
            // rather than be sent everything since.
            *delivered = None;
            return Ok(());
        }
        let mut conn = self.inner.db.get().await?;
        loop {
            let records = events::after(&mut conn.conn(), feed.scope.id(), last, 500).await?;
            let full = records.len() == 500;
            let Some((row, _)) = records.last() else { return Ok(()) };
            last = row.position;
            let batch: Vec<LiveEvent> =
                records.into_iter().map(|(row, member)| LiveEvent { row, member }).collect();
            // No receiver left is not an error: the next subscriber starts from the database.
            let _ = feed.sender.send(Arc::new(batch));
            *delivered = Some(last);
            if !full {
                return Ok(());
            }
        }
    }

    /// Delivers every watched list that moved without a wake-up (after a lost connection, and
    /// periodically) and forgets lists nobody watches any more. Which lists moved is one query
    /// for all of them (per 500), so an idle replica watching many lists costs the database
    /// next to nothing.
    async fn catch_up(&self) {
        let feeds: Vec<Arc<Feed>> = {
            let mut feeds = self.inner.feeds.lock().unwrap_or_else(|p| p.into_inner());
            feeds.retain(|_, feed| feed.sender.receiver_count() > 0);
            feeds.values().cloned().collect()
        };
        for chunk in feeds.chunks(500) {
            let ids: Vec<String> = chunk.iter().map(|feed| feed.scope.id().to_owned()).collect();
            let latest = async {
                let mut conn = self.inner.db.get().await?;
                Ok::<_, DbError>(events::latest_positions(&mut conn.conn(), &ids).await?)
            }
            .await;
            let latest: HashMap<String, i64> = match latest {
                Ok(rows) => rows.into_iter().filter_map(|(id, position)| Some((id, position?))).collect(),
                Err(e) => {
                    tracing::warn!(error = %e, "live: catching up failed; will retry");
                    continue;
                }
            };
            for feed in chunk {
                let delivered = *feed.delivered.lock().await;
                let moved = matches!((delivered, latest.get(feed.scope.id())), (Some(at), Some(newest)) if *newest > at);
                if !moved {
                    continue;
                }
                // These changes reached no `on_change` here: counted now, so access re-checks
                // prompted by their events read access afresh instead of an older snapshot.
                self.inner.generation.fetch_add(1, Ordering::SeqCst);
                if let Err(e) = self.deliver(feed).await {
                    tracing::warn!(error = %e, "live: catching up failed; will retry");
                }
            }
        }
        let mut signals = self.inner.signals.lock().unwrap_or_else(|p| p.into_inner());
        signals.retain(|_, sender| sender.receiver_count() > 0);
    }

    /// Runs the hub until `shutdown`: the listener (LISTEN on PostgreSQL, in-process
    /// announcements on SQLite), the backup poll, and the retention pruner.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let listener = {
            let hub = self.clone();
            tokio::spawn(async move { hub.listen().await })
        };
        let mut poll = tokio::time::interval(self.inner.settings.poll);
        // Pruning runs a few times per retention period, at most hourly.
        let prune_every =
            (self.inner.settings.retention / 4).clamp(Duration::from_secs(1), Duration::from_secs(3600));
        let mut prune = tokio::time::interval(prune_every);
        let stopping = async move {
            let _ = shutdown.wait_for(|stopping| *stopping).await;
        };
        let mut stopping = std::pin::pin!(stopping);
        loop {
            tokio::select! {
                _ = poll.tick() => self.catch_up().await,
                _ = prune.tick() => self.prune().await,
                () = &mut stopping => break,
            }
        }
        listener.abort();
    }

    async fn listen(&self) {
        match self.inner.db.url().clone() {
            DatabaseUrl::Sqlite(_) => {
                let mut announcements = self.inner.db.local_announcements();
                loop {
                    match announcements.recv().await {
                        Ok(notification) => self.on_notification(&notification),
                        Err(broadcast::error::RecvError::Lagged(_)) => {
                            // Announcements were missed, user signals among them.
                            self.fire_all_users();
                            self.catch_up().await;
                        }
                        Err(broadcast::error::RecvError::Closed) => return,
                    }
                }
            }
            DatabaseUrl::Postgres(url) => loop {
                let url = self.inner.settings.listen_url.clone().unwrap_or(url.clone());
                let channels = [CHANNEL, SESSIONS_CHANNEL, SCOPES_CHANNEL, HEARTBEAT_CHANNEL];
                let separator = if url.contains('?') { '&' } else { '?' };
                let url = format!("{url}{separator}application_name={}", self.inner.listener_name);
                match roster_db::notify::listen(&url, &channels).await {
                    Ok(stream) => {
                        tracing::info!("live: listening for member-list changes");
                        // Whatever committed while we were not listening, and whatever access
                        // changed: every subscriber re-checks its user's authority and session.
                        // Signals first: the generation they bump makes the events caught up
                        // below meet a fresh access snapshot.
                        self.fire_all_users();
                        self.catch_up().await;
                        let _ = self.inner.rechecks.send(());
                        self.hear(stream).await;
                    }
                    Err(e) => tracing::warn!(error = %e, "live: cannot listen; retrying"),
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            },
        }
    }

    /// Handles the listener's notifications until its connection is lost, or goes silent:
    /// a connection can die without a word (a NAT forgets it, a host vanishes), and until
    /// that is noticed this replica would miss revocations from the others. So every
    /// heartbeat interval the hub notifies itself through the pool, and when two intervals
    /// pass without hearing its own heartbeat, it drops the listener and connects afresh.
    async fn hear(&self, stream: impl futures_util::Stream<Item = Notification>) {
        let beat = self.inner.settings.heartbeat;
        let mut stream = std::pin::pin!(stream);
        let mut ticks = tokio::time::interval(beat);
        let mut last_heard = tokio::time::Instant::now();
        loop {
            tokio::select! {
                notification = stream.next() => match notification {
                    Some(n) if n.channel == HEARTBEAT_CHANNEL => {
                        if n.payload == self.inner.listener_name {
                            last_heard = tokio::time::Instant::now();
                        }
                    }
                    Some(n) => self.on_notification(&n),
                    None => {
                        tracing::warn!("live: the listening connection was lost; reconnecting");
                        return;
                    }
                },
                _ = ticks.tick() => {
                    if last_heard.elapsed() > beat * 2 {
                        tracing::warn!("live: the listening connection went silent; reconnecting");
                        return;
                    }
                    let (db, name) = (self.inner.db.clone(), self.inner.listener_name.clone());
                    // Sent beside the loop, so a slow pool does not hold up notifications.
                    tokio::spawn(async move {
                        let sent = async {
                            let mut conn = db.get().await?;
                            roster_db::notify::notify(&mut conn.conn(), HEARTBEAT_CHANNEL, &name).await?;
                            Ok::<_, DbError>(())
                        };
                        if let Ok(Err(e)) = tokio::time::timeout(beat, sent).await {
                            tracing::debug!(error = %e, "live: sending a heartbeat failed");
                        }
                    });
                }
            }
        }
    }

    async fn prune(&self) {
        let retention =
            chrono::TimeDelta::from_std(self.inner.settings.retention).unwrap_or(chrono::TimeDelta::days(7));
        let before = roster_db::now() - retention;
        let result = async {
            let mut conn = self.inner.db.get().await?;
            Ok::<_, DbError>(events::prune(&mut conn.conn(), before).await?)
        }
        .await;
        match result {
            Ok(0) => {}
            Ok(count) => tracing::info!(count, "live: pruned old member-list events"),
            Err(e) => tracing::warn!(error = %e, "live: pruning old events failed"),
        }
    }
}

#[cfg(test)]
impl Watch {
    /// A watch on a list no hub serves, for unit tests of a subscriber's stream.
    pub(crate) fn standalone(db: Db, scope: Scope, user_id: &str) -> Watch {
        let hub = LiveHub::new(db, LiveSettings::default());
        let feed = Arc::new(Feed::new(scope, 1));
        Watch::new(hub.inner, feed, user_id)
    }
}
