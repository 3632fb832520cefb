//! Prefixed, sortable ids.
//!
//! An id is a short prefix naming what it identifies, an underscore and a lower-case ULID:
//! `usr_01jdz3k5w8m2q6r9t4v7x0y1a2`. ULIDs begin with the creation time in milliseconds, so
//! ids sort by creation time, which gives the stable "oldest first" orders the lists need
//! without a second sort column. The prefix makes a pasted id say what it names.

use std::sync::Mutex;

/// What kind of row an id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    /// A user account.
    User,
    /// A session (the row behind a bearer token).
    Session,
    /// An organization.
    Organization,
    /// A team.
    Team,
    /// A membership of a user in an organization or a team.
    Membership,
    /// An invitation token row.
    Invitation,
    /// An audit log entry.
    AuditEntry,
    /// An outgoing email.
    Email,
    /// A single-use token mailed to a user (email verification, password reset).
    UserToken,
}

impl IdKind {
    /// The prefix written before the underscore.
    pub const fn prefix(self) -> &'static str {
        match self {
            IdKind::User => "usr",
            IdKind::Session => "ses",
            IdKind::Organization => "org",
            IdKind::Team => "team",
            IdKind::Membership => "mem",
            IdKind::Invitation => "inv",
            IdKind::AuditEntry => "aud",
            IdKind::Email => "eml",
            IdKind::UserToken => "tok",
        }
    }

    /// Whether `id` is shaped like an id of this kind. Used to answer "not found" for
    /// malformed ids without a query.
    pub fn matches(self, id: &str) -> bool {
        id.strip_prefix(self.prefix())
            .and_then(|rest| rest.strip_prefix('_'))
            .is_some_and(|ulid| ulid.len() == 26 && ulid.bytes().all(|b| b.is_ascii_alphanumeric()))
    }
}

/// A fresh id of the given kind.
///
/// Ids from one process are strictly increasing, even within a millisecond (a plain ULID
/// is random within its millisecond), so "newest first" and "oldest first" orders by id
/// are exact for entries written together, such as the two audit entries of one accept.
pub fn new_id(kind: IdKind) -> String {
    format!("{}_{}", kind.prefix(), unique())
}

/// A fresh lower-case ULID: unique, and increasing within this process. For names that are
/// not row ids (test databases, connection names).
pub fn unique() -> String {
    static GENERATOR: Mutex<Option<ulid::Generator>> = Mutex::new(None);
    let mut generator = GENERATOR.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let ulid = generator
        .get_or_insert_with(ulid::Generator::new)
        .generate()
        // Overflow needs 2^80 ids in one millisecond; fall back to a random one.
        .unwrap_or_else(|_| ulid::Ulid::new());
    ulid.to_string().to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_carry_their_prefix_and_sort_by_creation() {
        let first = new_id(IdKind::User);
        let second = new_id(IdKind::User);
        assert!(first.starts_with("usr_"), "{first}");
        assert!(first < second, "{first} should sort before {second}");
        assert!(IdKind::User.matches(&first));
        assert!(!IdKind::Team.matches(&first));
        assert!(!IdKind::User.matches("usr_not-a-ulid"));
    }
}
