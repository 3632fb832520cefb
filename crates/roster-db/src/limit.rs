//! Rate limits, counted in the database so that they hold across replicas and restarts.
//!
//! Each limit is "at most `count` per `window`" per key, kept as the generic cell rate
//! algorithm (GCRA) keeps it: one row per key holding a "theoretical arrival time". A burst
//! of `count` attempts passes at once; after that, one more every `window / count`. An
//! attempt is *reserved* by one conditional update before the work it guards is done, so
//! parallel requests cannot pass together: the database serialises the updates of one row,
//! and each sees the previous one's count (on PostgreSQL the update re-checks its condition
//! against the row a concurrent update committed; on SQLite writers take turns).
//!
//! Keys are stored as digests of the limit's name and the key, so no email or address is
//! kept in clear.

use std::time::Duration;

use diesel::IntoSql as _;
use diesel::dsl::case_when;
use diesel::sql_types::BigInt;

use crate::prelude::*;
use crate::schema::rate_limits;
use crate::{Conn, db_run};

/// At most `count` attempts per `window`, per key. A `count` of 0 turns the limit off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Names the limit in stored keys; two limits must not share one.
    pub name: &'static str,
    /// Attempts allowed within `window`.
    pub count: u32,
    /// The window.
    pub window: Duration,
}

/// An attempt was refused: the limit is used up for now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    /// How long until the next attempt can pass.
    pub retry_after: Duration,
}

impl Refused {
    /// `retry_after` in whole seconds, at least one: what `RateLimitedError` carries.
    pub fn retry_after_seconds(&self) -> i32 {
        let seconds = self.retry_after.as_secs() + u64::from(self.retry_after.subsec_nanos() > 0);
        i32::try_from(seconds.max(1)).unwrap_or(i32::MAX)
    }
}

impl Limit {
    /// A limit of `count` per `window`.
    pub const fn new(name: &'static str, count: u32, window: Duration) -> Limit {
        Limit { name, count, window }
    }

    /// Whether the limit is on.
    pub fn is_on(&self) -> bool {
        self.count > 0
    }

    fn window_us(&self) -> i64 {
        i64::try_from(self.window.as_micros()).unwrap_or(i64::MAX / 4).max(1)
    }

    /// Microseconds between two attempts once the burst is spent.
    fn interval_us(&self) -> i64 {
        (self.window_us() / i64::from(self.count.max(1))).max(1)
    }

    /// How far ahead of now the arrival time may run and still let an attempt pass.
    fn tolerance_us(&self) -> i64 {
        self.window_us() - self.interval_us()
    }

    fn stored_key(&self, key: &str) -> String {
        roster_core::token::digest(&format!("{}\n{key}", self.name))
    }
}

fn now_us() -> i64 {
    crate::now().and_utc().timestamp_micros()
}

/// Reserves one attempt of `limit` for `key`: `Ok(Ok(()))` when it may proceed (and is now
/// counted), `Ok(Err(refused))` when the limit is used up.
pub async fn reserve(conn: &mut Conn<'_>, limit: &Limit, key: &str) -> QueryResult<Result<(), Refused>> {
    if !limit.is_on() {
        return Ok(Ok(()));
    }
    let key = limit.stored_key(key);
    let (now, step, tolerance) = (now_us(), limit.interval_us(), limit.tolerance_us());
    // The insert covers a key never seen; a concurrent first attempt may win it, so the
    // update is tried again once after a lost insert.
    for _ in 0..2 {
        if advance(conn, &key, now, step, now + tolerance).await? {
            return Ok(Ok(()));
        }
        if insert(conn, &key, now + step).await? {
            return Ok(Ok(()));
        }
    }
    refused(limit, refusal(conn, &key, now, tolerance).await)
}

/// Counts a refusal under the limit's name (a fixed set, so the label stays bounded).
fn refused(limit: &Limit, outcome: QueryResult<Result<(), Refused>>) -> QueryResult<Result<(), Refused>> {
    if matches!(outcome, Ok(Err(_))) {
        metrics::counter!("roster_rate_limit_refusals_total", "limit" => limit.name).increment(1);
    }
    outcome
}

/// Reserves one attempt only when nothing is counted for `key` right now. What a sign-in
/// from an address with no recent failures uses when the email's own limit is used up.
pub async fn reserve_if_unused(
    conn: &mut Conn<'_>,
    limit: &Limit,
    key: &str,
) -> QueryResult<Result<(), Refused>> {
    if !limit.is_on() {
        return Ok(Ok(()));
    }
    let key = limit.stored_key(key);
    let (now, step) = (now_us(), limit.interval_us());
    if advance(conn, &key, now, step, now).await? || insert(conn, &key, now + step).await? {
        return Ok(Ok(()));
    }
    refused(limit, refusal(conn, &key, now, 0).await)
}

/// Gives back one attempt reserved earlier, such as a sign-in that turned out to be right:
/// limits then count what is suspicious, not what succeeds.
pub async fn release(conn: &mut Conn<'_>, limit: &Limit, key: &str) -> QueryResult<()> {
    if !limit.is_on() {
        return Ok(());
    }
    let key = limit.stored_key(key);
    let step = limit.interval_us();
    db_run!(conn, |c| {
        diesel::update(rate_limits::table.find(&key))
            .set(rate_limits::tat.eq(rate_limits::tat - step))
            .execute(c)
            .await
    })?;
    Ok(())
}

/// Deletes rows that count nothing any more. Returns how many went.
pub async fn prune(conn: &mut Conn<'_>) -> QueryResult<usize> {
    let now = now_us();
    db_run!(conn, |c| diesel::delete(rate_limits::table.filter(rate_limits::tat.lt(now))).execute(c).await)
}

/// Counts one more attempt on an existing row whose arrival time is at most `ceiling`.
async fn advance(conn: &mut Conn<'_>, key: &str, now: i64, step: i64, ceiling: i64) -> QueryResult<bool> {
    // An arrival time in the past counts nothing: start again from now.
    let next = case_when(rate_limits::tat.lt(now), (now + step).into_sql::<BigInt>())
        .otherwise(rate_limits::tat + step);
    let changed = db_run!(conn, |c| {
        diesel::update(rate_limits::table.find(key).filter(rate_limits::tat.le(ceiling)))
            .set(rate_limits::tat.eq(next))
            .execute(c)
            .await
    })?;
    Ok(changed == 1)
}

async fn insert(conn: &mut Conn<'_>, key: &str, tat: i64) -> QueryResult<bool> {
    let inserted = db_run!(conn, |c| {
        diesel::insert_into(rate_limits::table)
            .values((rate_limits::key.eq(key), rate_limits::tat.eq(tat)))
            .on_conflict_do_nothing()
            .execute(c)
            .await
    })?;
    Ok(inserted == 1)
}

async fn refusal(
    conn: &mut Conn<'_>,
    key: &str,
    now: i64,
    tolerance: i64,
) -> QueryResult<Result<(), Refused>> {
    let tat: Option<i64> = db_run!(conn, |c| {
        rate_limits::table.find(key).select(rate_limits::tat).first(c).await.optional()
    })?;
    let wait_us = tat.map_or(1, |tat| (tat - tolerance - now).max(1));
    let retry_after = Duration::from_micros(u64::try_from(wait_us).unwrap_or(1));
    Ok(Err(Refused { retry_after }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_limit_allows_a_burst_of_its_count_then_one_per_interval() {
        let limit = Limit::new("test", 10, Duration::from_secs(15 * 60));
        assert_eq!(limit.interval_us(), 90_000_000);
        // Ten at the same instant: the tenth finds the arrival time nine intervals ahead,
        // which is the tolerance; the eleventh finds it ten ahead.
        assert_eq!(limit.tolerance_us(), 9 * 90_000_000);
        assert_eq!(Refused { retry_after: Duration::from_millis(1500) }.retry_after_seconds(), 2);
        assert_eq!(Refused { retry_after: Duration::ZERO }.retry_after_seconds(), 1);
    }
}
