//! One connection per request.
//!
//! async-graphql resolves the fields of a query concurrently. If each took its own pooled
//! connection, one request with many aliased fields would hold many connections, and a few
//! such requests would starve everyone else. A request's [`Db`](crate::Db) therefore holds a
//! lease: the first resolver that needs a connection checks one out, every other resolver of
//! the request waits its turn on that same connection, and it goes back to the pool when the
//! request ends (or earlier, with [`Checkout::release`], before slow work such as hashing).

use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::{Mutex, OwnedMutexGuard};

use crate::conn::DbConn;

/// The connection slot of one request.
#[derive(Default)]
pub(crate) struct Lease {
    pub(crate) slot: Arc<Mutex<Option<DbConn>>>,
    /// Set once a checkout failed: the rest of the request fails at once, without waiting
    /// for the pool again or logging the outage once per field.
    pub(crate) unavailable: AtomicBool,
}

impl Lease {
    pub(crate) fn mark_unavailable(&self) {
        self.unavailable.store(true, Ordering::Relaxed);
    }

    pub(crate) fn is_unavailable(&self) -> bool {
        self.unavailable.load(Ordering::Relaxed)
    }
}

/// A connection in use: owned, or the request's leased one (held until dropped).
#[expect(
    clippy::large_enum_variant,
    reason = "a checkout lives for one resolver; boxing it would only add an allocation"
)]
pub enum Checkout {
    /// Checked out for this caller alone (no lease).
    Own(DbConn),
    /// The request's connection, locked for this caller.
    Leased(OwnedMutexGuard<Option<DbConn>>),
}

impl Checkout {
    /// Gives the connection back to the pool now, even when it is the request's lease (the
    /// next caller of the request checks out a fresh one). For slow work that needs no
    /// connection, such as hashing a password.
    pub fn release(self) {
        match self {
            Checkout::Own(conn) => drop(conn),
            Checkout::Leased(mut slot) => drop(slot.take()),
        }
    }
}

impl Deref for Checkout {
    type Target = DbConn;

    fn deref(&self) -> &DbConn {
        match self {
            Checkout::Own(conn) => conn,
            // A leased checkout is only made once the slot is filled.
            Checkout::Leased(slot) => slot.as_ref().unwrap_or_else(|| unreachable!("an empty lease")),
        }
    }
}

impl DerefMut for Checkout {
    fn deref_mut(&mut self) -> &mut DbConn {
        match self {
            Checkout::Own(conn) => conn,
            Checkout::Leased(slot) => slot.as_mut().unwrap_or_else(|| unreachable!("an empty lease")),
        }
    }
}
