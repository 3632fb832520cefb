//! `Member` and the paginated member list.

use async_graphql::{ID, SimpleObject};
use chrono::{DateTime, Utc};
use roster_core::page::{PageInfo, encode_cursor};
use roster_db::Conn;
use roster_db::prelude::QueryResult;
use roster_identity::User;

use crate::authority::Authority;
use crate::events::event_cursor;
use crate::role::{MemberAction, Role, Status};
use crate::scope::Scope;
use crate::store::{self, MemberRecord, Summary};

/// The cursor kind of member list cursors.
pub const CURSOR_KIND: &str = "member";

/// The id of `user_id`'s place in the member list of `scope_id`: opaque, and the same for
/// the row and for every event about it.
pub fn member_id(scope_id: &str, user_id: &str) -> ID {
    ID(encode_cursor(MEMBER_ID_KIND, &format!("{scope_id}:{user_id}")))
}

/// The kind of encoded member ids (distinct from cursors, so neither passes for the other).
const MEMBER_ID_KIND: &str = "Member";

/// A user's place in an organization's or a team's member list.
#[derive(Debug, Clone, SimpleObject)]
pub struct Member {
    /// Stable for this person's place in this list: it does not change when they accept, or
    /// when their role changes, and `MemberListEvent.memberId` carries it. Normalized caches
    /// (Apollo Client, urql Graphcache) key `Member` by it.
    pub id: ID,
    /// The member. While the invitation is pending only the email is shown (the display name
    /// is null), so an invitation looks the same whether or not the person had an account.
    pub user: User,
    /// UNVERIFIED while the invitation is pending, VERIFIED once accepted.
    pub status: Status,
    /// ADMIN or MEMBER in an organization; OWNER or MEMBER in a team.
    pub role: Role,
    /// When they were invited; null for an organization's creator.
    pub invited_at: Option<DateTime<Utc>>,
    /// Who invited them; null for an organization's creator.
    pub invited_by: Option<User>,
    /// When they accepted; null while the invitation is pending.
    pub joined_at: Option<DateTime<Utc>>,
    /// What the viewer may do to this member right now: drives the row's actions menu.
    pub available_actions: Vec<MemberAction>,
    #[graphql(skip)]
    /// The membership row id, the list's sort key.
    pub membership_id: String,
}

/// What decides the actions offered on each row of one list.
#[derive(Debug, Clone, Copy)]
pub struct ActionRules {
    /// The viewer's authority in the list's scope.
    pub authority: Authority,
    /// Verified admins of the scope's organization (the last one cannot be removed).
    pub verified_admins: i64,
}

impl ActionRules {
    /// The actions the viewer may take on a member with this status and role.
    pub fn actions(&self, status: Status, role: Role) -> Vec<MemberAction> {
        if !self.authority.administers() {
            return Vec::new();
        }
        match status {
            Status::Unverified => {
                vec![MemberAction::ResendInvitation, MemberAction::CancelInvitation, MemberAction::ChangeRole]
            }
            // The last admin can be neither removed nor demoted.
            Status::Verified if role == Role::Admin && self.verified_admins <= 1 => Vec::new(),
            Status::Verified => vec![MemberAction::RemoveMember, MemberAction::ChangeRole],
        }
    }

    /// What of the rules shows in the actions: whether the viewer administers, and whether
    /// the last admin is protected. Viewers alike in both read every row's actions alike.
    pub fn class(&self) -> (bool, bool) {
        let administers = self.authority.administers();
        (administers, administers && self.verified_admins <= 1)
    }

    /// Loads what the rules need for `scope`: one query, only for administrators.
    pub async fn load(conn: &mut Conn<'_>, authority: Authority, scope: &Scope) -> QueryResult<ActionRules> {
        let verified_admins = if authority.administers() {
            store::verified_admins(conn, &scope.organization_id).await?
        } else {
            0
        };
        Ok(ActionRules { authority, verified_admins })
    }
}

impl Member {
    /// Builds a member from its record and the viewer's rules.
    pub fn new((row, user, inviter): MemberRecord, rules: &ActionRules) -> Member {
        let status = row.status();
        let role = row.role();
        let mut user = User::from(user);
        if status == Status::Unverified {
            user.display_name = None;
        }
        Member {
            id: member_id(&row.scope_id, &row.user_id),
            user,
            status,
            role,
            invited_at: row.invited_at.map(|t| t.and_utc()),
            invited_by: inviter.map(User::from),
            joined_at: row.joined_at.map(|t| t.and_utc()),
            available_actions: rules.actions(status, role),
            membership_id: row.id,
        }
    }
}

/// A member and its cursor.
#[derive(Debug, Clone, SimpleObject)]
pub struct MemberEdge {
    /// Pass as `after` to continue after this member.
    pub cursor: String,
    /// The member.
    pub node: Member,
}

/// A page of a member list, in the order members were added.
#[derive(Debug, Clone, SimpleObject)]
pub struct MemberConnection {
    /// The members with their cursors.
    pub edges: Vec<MemberEdge>,
    /// The members alone.
    pub nodes: Vec<Member>,
    /// Where this page sits.
    pub page_info: PageInfo,
    /// Members in the whole list (with the same status filter), not just this page.
    pub total_count: i32,
    /// The list's event position when this page was read. Subscribe to
    /// `memberListChanged(scope, after: eventCursor)` to receive exactly the changes made
    /// since: nothing missed, nothing twice.
    pub event_cursor: String,
}

/// The parts of a page that cost a statement of their own, and whether the client selected
/// them: what is not selected is not computed. (Its field then holds a placeholder that is
/// never shown.)
#[derive(Debug, Clone, Copy)]
pub struct Wants {
    /// `totalCount`.
    pub total_count: bool,
    /// `eventCursor`.
    pub event_cursor: bool,
    /// Each member's `availableActions` (which needs the admin count).
    pub actions: bool,
}

impl Default for Wants {
    fn default() -> Self {
        Wants { total_count: true, event_cursor: true, actions: true }
    }
}

/// Reads one page of `scope`'s members as a viewer with `authority` sees them, with the
/// count, the event position and the actions (which need the admin count) when `wants` says
/// they were selected: one statement (two for an empty page with a summary), whatever the
/// page's size, and page and summary agree without a transaction.
pub async fn page(
    conn: &mut Conn<'_>,
    scope: &Scope,
    authority: Authority,
    status: Option<Status>,
    after_id: Option<&str>,
    page_size: usize,
    wants: Wants,
) -> QueryResult<MemberConnection> {
    let limit = i64::try_from(page_size).unwrap_or(100) + 1;
    let actions = wants.actions && authority.administers();
    let (mut records, summary) = if wants.total_count || wants.event_cursor || actions {
        store::member_page_with_summary(conn, scope, status, after_id, limit).await?
    } else {
        (store::member_page(conn, scope.id(), status, after_id, limit).await?, Summary::default())
    };
    // Without `availableActions` selected, the admin count is not read and the actions
    // built below are never shown.
    let rules = ActionRules { authority, verified_admins: summary.verified_admins };
    let Summary { total, position, .. } = summary;
    let has_next_page = records.len() > page_size;
    records.truncate(page_size);
    let nodes: Vec<Member> = records.into_iter().map(|r| Member::new(r, &rules)).collect();
    let edges: Vec<MemberEdge> = nodes
        .iter()
        .map(|node| MemberEdge {
            cursor: encode_cursor(CURSOR_KIND, &node.membership_id),
            node: node.clone(),
        })
        .collect();
    Ok(MemberConnection {
        page_info: PageInfo::forward(has_next_page, edges.iter().map(|e| &e.cursor)),
        edges,
        nodes,
        total_count: i32::try_from(total).unwrap_or(i32::MAX),
        event_cursor: event_cursor(scope.id(), position),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(organization_role: Option<Role>, verified_admins: i64) -> ActionRules {
        ActionRules {
            authority: Authority { organization_role, team_role: None, is_team: false },
            verified_admins,
        }
    }

    #[test]
    fn pending_members_offer_resend_and_cancel_to_administrators_only() {
        let admin = rules(Some(Role::Admin), 1);
        assert_eq!(
            admin.actions(Status::Unverified, Role::Member),
            vec![MemberAction::ResendInvitation, MemberAction::CancelInvitation, MemberAction::ChangeRole]
        );
        assert!(rules(Some(Role::Member), 1).actions(Status::Unverified, Role::Member).is_empty());
    }

    #[test]
    fn verified_members_offer_removal_except_the_last_admin() {
        assert_eq!(
            rules(Some(Role::Admin), 1).actions(Status::Verified, Role::Member),
            vec![MemberAction::RemoveMember, MemberAction::ChangeRole]
        );
        assert!(rules(Some(Role::Admin), 1).actions(Status::Verified, Role::Admin).is_empty());
        assert_eq!(
            rules(Some(Role::Admin), 2).actions(Status::Verified, Role::Admin),
            vec![MemberAction::RemoveMember, MemberAction::ChangeRole]
        );
    }
}
