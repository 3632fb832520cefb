//! Filling `users.email_canonical` for rows that do not have it: accounts created before
//! emails compared on their canonical form ([`crate::email`]), whose form SQL cannot compute
//! (NFKC, IDNA). The server runs [`fill`] after migrating, at start-up and in `roster migrate`.
//!
//! Two older rows may share a canonical form ("kim@bücher.example" and
//! "kim@xn--bcher-kva.example", say). Both are kept: the older account keeps the address, and
//! the newer gets `email_conflict` instead, which keeps sign-up from taking the address until
//! the operator resolves it (changes or deletes one account). [`fill`] lists every such
//! conflict, and tries again each time, so a resolved conflict clears itself.

use roster_db::prelude::*;
use roster_db::schema::users;
use roster_db::{Db, DbError, db_run, is_unique_violation};

/// Accounts whose addresses have one canonical form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The canonical form they share.
    pub canonical: String,
    /// The account that keeps the address (the oldest), as (id, email); `None` if it is gone.
    pub kept: Option<(String, String)>,
    /// The newer accounts, as (id, email): they cannot be found by email until resolved.
    pub waiting: Vec<(String, String)>,
}

impl std::fmt::Display for Conflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: ", self.canonical)?;
        if let Some((id, email)) = &self.kept {
            write!(f, "{id} <{email}> keeps it")?;
        }
        for (id, email) in &self.waiting {
            write!(f, "; {id} <{email}> waits")?;
        }
        Ok(())
    }
}

/// Gives every row without a canonical form its form, oldest first, unless an older account
/// holds it; returns the conflicts left, for the operator. Safe to run by several replicas at
/// once: the unique index decides.
pub async fn fill(db: &Db) -> Result<Vec<Conflict>, DbError> {
    let mut checkout = db.get().await?;
    let conn = &mut checkout.conn();
    let pending: Vec<(String, String)> = db_run!(conn, |c| {
        users::table
            .filter(users::email_canonical.is_null())
            .order((users::created_at, users::id))
            .select((users::id, users::email))
            .load(c)
            .await
    })?;
    let mut conflicts: Vec<Conflict> = Vec::new();
    for (id, email) in pending {
        let canonical = crate::email::key(&email);
        // No transaction: on PostgreSQL a unique violation would abort it, and each row
        // stands alone.
        let filled = db_run!(conn, |c| {
            diesel::update(users::table.find(&id).filter(users::email_canonical.is_null()))
                .set((users::email_canonical.eq(Some(&canonical)), users::email_conflict.eq(None::<String>)))
                .execute(c)
                .await
        });
        match filled {
            Ok(_) => continue,
            Err(e) if is_unique_violation(&e) => {}
            Err(e) => return Err(e.into()),
        }
        db_run!(conn, |c| {
            diesel::update(users::table.find(&id))
                .set(users::email_conflict.eq(Some(&canonical)))
                .execute(c)
                .await
        })?;
        let kept: Option<(String, String)> = db_run!(conn, |c| {
            users::table
                .filter(users::email_canonical.eq(&canonical))
                .select((users::id, users::email))
                .first(c)
                .await
                .optional()
        })?;
        match conflicts.iter_mut().find(|conflict| conflict.canonical == canonical) {
            Some(conflict) => conflict.waiting.push((id, email)),
            None => conflicts.push(Conflict { canonical, kept, waiting: vec![(id, email)] }),
        }
    }
    Ok(conflicts)
}
