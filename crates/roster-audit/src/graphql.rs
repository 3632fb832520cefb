//! `AuditEntry` and its connection.

use async_graphql::{ID, SimpleObject};
use chrono::{DateTime, Utc};
use roster_core::page::{PageInfo, encode_cursor};
use roster_identity::User;

use crate::store::AuditRecord;

/// The cursor kind of audit log cursors.
pub const CURSOR_KIND: &str = "audit";

/// One entry of the audit log.
#[derive(Debug, Clone, SimpleObject)]
pub struct AuditEntry {
    /// Stable id (`aud_…`).
    pub id: ID,
    /// Human-readable action, e.g. 'Admin cancelled user invite'.
    pub action: String,
    /// Machine-readable action, e.g. `INVITATION_CANCELLED`.
    pub code: String,
    /// Who did it; null when the system acted.
    pub actor: Option<User>,
    /// Whom it concerned; null when nobody in particular.
    pub target: Option<User>,
    /// The organization it happened in.
    pub organization_id: ID,
    /// The team it happened in; null for organization-level entries.
    pub team_id: Option<ID>,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
}

impl From<AuditRecord> for AuditEntry {
    fn from((row, actor, target): AuditRecord) -> Self {
        AuditEntry {
            id: ID(row.id),
            action: row.action,
            code: row.code,
            actor: actor.map(User::from),
            target: target.map(User::from),
            organization_id: ID(row.organization_id),
            team_id: row.team_id.map(ID),
            occurred_at: row.occurred_at.and_utc(),
        }
    }
}

/// An entry and its cursor.
#[derive(Debug, Clone, SimpleObject)]
pub struct AuditEntryEdge {
    /// Pass as `after` to continue after this entry.
    pub cursor: String,
    /// The entry.
    pub node: AuditEntry,
}

/// A page of the audit log, newest first.
#[derive(Debug, Clone, SimpleObject)]
pub struct AuditEntryConnection {
    /// The entries with their cursors.
    pub edges: Vec<AuditEntryEdge>,
    /// The entries alone.
    pub nodes: Vec<AuditEntry>,
    /// Where this page sits.
    pub page_info: PageInfo,
}

impl AuditEntryConnection {
    /// Builds a page from up to `page_size + 1` records (the extra one says a next page exists).
    pub fn from_records(mut records: Vec<AuditRecord>, page_size: usize) -> Self {
        let has_next_page = records.len() > page_size;
        records.truncate(page_size);
        let nodes: Vec<AuditEntry> = records.into_iter().map(AuditEntry::from).collect();
        let edges: Vec<AuditEntryEdge> = nodes
            .iter()
            .map(|node| AuditEntryEdge { cursor: encode_cursor(CURSOR_KIND, &node.id), node: node.clone() })
            .collect();
        let page_info = PageInfo::forward(has_next_page, edges.iter().map(|e| &e.cursor));
        AuditEntryConnection { edges, nodes, page_info }
    }
}
