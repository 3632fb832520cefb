//! An in-process, keyed, sliding-window rate limiter.
//!
//! It guards against brute force from one process's point of view (sign-in attempts per
//! email). Limits that must hold across replicas are counted in the database instead.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// At most `limit` events per key within any `window`.
#[derive(Debug)]
pub struct RateLimiter {
    limit: usize,
    window: Duration,
    events: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl RateLimiter {
    /// A limiter allowing `limit` events per `window` and key.
    pub fn new(limit: usize, window: Duration) -> Self {
        Self { limit, window, events: Mutex::new(HashMap::new()) }
    }

    /// `Err(seconds)` when `key` has used up its events, saying how long until one frees up.
    pub fn check(&self, key: &str) -> Result<(), u64> {
        let now = Instant::now();
        let mut events = self.events.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let Some(queue) = events.get_mut(key) else {
            return Ok(());
        };
        while queue.front().is_some_and(|t| now.duration_since(*t) >= self.window) {
            queue.pop_front();
        }
        if queue.len() < self.limit {
            return Ok(());
        }
        let oldest = queue.front().copied().unwrap_or(now);
        let wait = self.window.saturating_sub(now.duration_since(oldest));
        Err(wait.as_secs().max(1))
    }

    /// Counts one event for `key`.
    pub fn record(&self, key: &str) {
        let now = Instant::now();
        let mut events = self.events.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        // Drop idle keys now and then so the map cannot grow without bound.
        if events.len() > 10_000 {
            events.retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) < self.window));
        }
        let queue = events.entry(key.to_owned()).or_default();
        queue.push_back(now);
        while queue.len() > self.limit {
            queue.pop_front();
        }
    }

    /// Forgets `key`'s events (after a successful sign-in, say).
    pub fn reset(&self, key: &str) {
        self.events.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_the_limit_then_refuses_with_a_wait() {
        let limiter = RateLimiter::new(2, Duration::from_secs(60));
        limiter.record("a");
        assert!(limiter.check("a").is_ok());
        limiter.record("a");
        let wait = limiter.check("a");
        assert!(matches!(wait, Err(s) if (1..=60).contains(&s)), "{wait:?}");
        assert!(limiter.check("b").is_ok(), "keys are independent");
        limiter.reset("a");
        assert!(limiter.check("a").is_ok());
    }
}
