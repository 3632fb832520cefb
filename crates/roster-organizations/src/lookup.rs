//! What other modules may read of this crate's tables: the rows, and the look-ups they need.
//! Writes are not here: a membership changes only through `crate::membership`, and the
//! queries behind both stay private to this crate.

pub use crate::store::{
    MemberRecord, MembershipRow, OrganizationRow, member_record, membership, organization, verified_admins,
};
