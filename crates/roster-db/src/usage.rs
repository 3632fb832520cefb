//! Counts of checked-out connections, which `/metrics` and the one-connection-per-request
//! tests read.

use std::sync::atomic::{AtomicUsize, Ordering};

/// How many connections are checked out now, and the most at once since the last reset.
#[derive(Debug, Default)]
pub struct Usage {
    pub(crate) current: AtomicUsize,
    pub(crate) peak: AtomicUsize,
    pub(crate) unavailable: AtomicUsize,
}

/// The pool's state: what `/metrics` shows of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStatus {
    /// The most connections it opens.
    pub max_size: usize,
    /// Connections open now.
    pub open: usize,
    /// Open connections checked out now.
    pub in_use: usize,
    /// Requests waiting for a connection now.
    pub waiting: usize,
    /// Checkouts that found no connection in time, since the start.
    pub timeouts: usize,
}

impl Usage {
    pub(crate) fn checked_out(&self) {
        let now = self.current.fetch_add(1, Ordering::Relaxed) + 1;
        self.peak.fetch_max(now, Ordering::Relaxed);
    }

    pub(crate) fn returned(&self) {
        self.current.fetch_sub(1, Ordering::Relaxed);
    }

    /// Connections checked out right now.
    pub fn current(&self) -> usize {
        AtomicUsize::load(&self.current, Ordering::Relaxed)
    }

    /// The most checked out at once since the last [`Usage::reset_peak`].
    pub fn peak(&self) -> usize {
        AtomicUsize::load(&self.peak, Ordering::Relaxed)
    }

    /// Checkouts that found no connection in time, so far.
    pub fn unavailable(&self) -> usize {
        AtomicUsize::load(&self.unavailable, Ordering::Relaxed)
    }

    /// Starts a new peak from the current count.
    pub fn reset_peak(&self) {
        self.peak.store(self.current(), Ordering::Relaxed);
    }
}
