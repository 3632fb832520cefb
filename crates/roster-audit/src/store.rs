//! Writing and reading audit entries.

use chrono::NaiveDateTime;
use roster_core::id::{IdKind, new_id};
use roster_db::prelude::*;
use roster_db::schema::{audit_entries, users};
use roster_db::{Conn, db_run};
use roster_identity::store::UserRow;

/// What happened. The code is stable for programs; `action()` is the text people read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuditCode {
    /// An organization was created (its creator became its first admin).
    OrganizationCreated,
    /// A team was created.
    TeamCreated,
    /// Someone was invited.
    MemberInvited,
    /// An invitation was sent again with a new token.
    InvitationResent,
    /// A pending invitation was cancelled.
    InvitationCancelled,
    /// An invitee accepted.
    InvitationAccepted,
    /// A verified member was removed.
    MemberRemoved,
    /// A member's role changed.
    RoleChanged,
    /// A member left of their own accord.
    MemberLeft,
    /// An organization was renamed.
    OrganizationRenamed,
    /// A team was renamed.
    TeamRenamed,
    /// A team was deleted.
    TeamDeleted,
    /// An invitee took over the unverified account registered with their email (someone
    /// else may have registered it): its password was replaced and its sessions revoked.
    AccountReclaimed,
}

impl AuditCode {
    /// The machine-readable code.
    pub const fn code(self) -> &'static str {
        match self {
            AuditCode::OrganizationCreated => "ORGANIZATION_CREATED",
            AuditCode::TeamCreated => "TEAM_CREATED",
            AuditCode::MemberInvited => "MEMBER_INVITED",
            AuditCode::InvitationResent => "INVITATION_RESENT",
            AuditCode::InvitationCancelled => "INVITATION_CANCELLED",
            AuditCode::InvitationAccepted => "INVITATION_ACCEPTED",
            AuditCode::MemberRemoved => "MEMBER_REMOVED",
            AuditCode::RoleChanged => "ROLE_CHANGED",
            AuditCode::MemberLeft => "MEMBER_LEFT",
            AuditCode::OrganizationRenamed => "ORGANIZATION_RENAMED",
            AuditCode::TeamRenamed => "TEAM_RENAMED",
            AuditCode::TeamDeleted => "TEAM_DELETED",
            AuditCode::AccountReclaimed => "ACCOUNT_RECLAIMED",
        }
    }

    /// The human-readable action, worded as the product's help pages word it.
    pub const fn action(self) -> &'static str {
        match self {
            AuditCode::OrganizationCreated => "Admin created organization",
            AuditCode::TeamCreated => "Admin created team",
            AuditCode::MemberInvited => "Admin invited user",
            AuditCode::InvitationResent => "Admin resent user invite",
            AuditCode::InvitationCancelled => "Admin cancelled user invite",
            AuditCode::InvitationAccepted => "User accepted invite",
            AuditCode::MemberRemoved => "Admin removed member",
            AuditCode::RoleChanged => "Admin changed member role",
            AuditCode::MemberLeft => "Member left",
            AuditCode::OrganizationRenamed => "Admin renamed organization",
            AuditCode::TeamRenamed => "Admin renamed team",
            AuditCode::TeamDeleted => "Admin deleted team",
            AuditCode::AccountReclaimed => "Invitee reclaimed unverified account",
        }
    }
}

/// An entry to record.
#[derive(Debug, Clone, Copy)]
pub struct NewEntry<'a> {
    /// What happened.
    pub code: AuditCode,
    /// The organization it happened in (for a team, the team's organization).
    pub organization_id: &'a str,
    /// The team, when it happened in a team.
    pub team_id: Option<&'a str>,
    /// Who did it.
    pub actor_id: Option<&'a str>,
    /// To whom.
    pub target_id: Option<&'a str>,
}

/// A row of `audit_entries`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_entries)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct AuditRow {
    /// `aud_…`, increasing with time.
    pub id: String,
    /// The organization.
    pub organization_id: String,
    /// The team, if any.
    pub team_id: Option<String>,
    /// Who acted.
    pub actor_id: Option<String>,
    /// Whom it concerned.
    pub target_id: Option<String>,
    /// `AuditCode::code`.
    pub code: String,
    /// `AuditCode::action`.
    pub action: String,
    /// When it happened.
    pub occurred_at: NaiveDateTime,
}

/// Records an entry. Call it inside the transaction of the change it describes.
pub async fn record(conn: &mut Conn<'_>, entry: NewEntry<'_>) -> QueryResult<()> {
    let row = AuditRow {
        id: new_id(IdKind::AuditEntry),
        organization_id: entry.organization_id.to_owned(),
        team_id: entry.team_id.map(str::to_owned),
        actor_id: entry.actor_id.map(str::to_owned),
        target_id: entry.target_id.map(str::to_owned),
        code: entry.code.code().to_owned(),
        action: entry.code.action().to_owned(),
        occurred_at: roster_db::now(),
    };
    db_run!(conn, |c| diesel::insert_into(audit_entries::table).values(&row).execute(c).await)?;
    Ok(())
}

// The users table a second (and third) time, for the people an entry points to.
mod aliases {
    use roster_db::schema::users;
    diesel::alias!(users as actors: Actors, users as targets: Targets);
}
use aliases::*;

/// An entry with its actor and target users.
pub type AuditRecord = (AuditRow, Option<UserRow>, Option<UserRow>);

/// One page of an organization's log (its teams' entries included), newest first, after the
/// entry `before_id` when given. Fetches `limit` rows; actor and target come in the same
/// query.
pub async fn page(
    conn: &mut Conn<'_>,
    organization_id: &str,
    before_id: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<AuditRecord>> {
    let before = before_id.unwrap_or("~");
    db_run!(conn, |c| {
        audit_entries::table
            .left_join(actors.on(audit_entries::actor_id.eq(actors.field(users::id).nullable())))
            .left_join(targets.on(audit_entries::target_id.eq(targets.field(users::id).nullable())))
            .filter(audit_entries::organization_id.eq(organization_id))
            .filter(audit_entries::id.lt(before))
            .order(audit_entries::id.desc())
            .limit(limit)
            .select((
                AuditRow::as_select(),
                actors.fields(users::all_columns).nullable(),
                targets.fields(users::all_columns).nullable(),
            ))
            .load(c)
            .await
    })
}
