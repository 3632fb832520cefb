//! Queries on `organizations`, `teams` and `memberships`. They never open transactions.

use chrono::NaiveDateTime;
use roster_db::prelude::*;
use roster_db::schema::{memberships, organizations, users};
use roster_db::{Conn, db_run};
use roster_identity::store::UserRow;

use crate::role::{Role, Status};

/// A row of `organizations`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = organizations)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct OrganizationRow {
    /// `org_…`
    pub id: String,
    /// Display name.
    pub name: String,
    /// When it was created.
    pub created_at: NaiveDateTime,
    /// Membership changes so far.
    pub event_seq: i64,
}

/// A row of `memberships`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = memberships)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct MembershipRow {
    /// `mem_…`, increasing with the time the member was added.
    pub id: String,
    /// The organization's or the team's id: the list this row appears in.
    pub scope_id: String,
    /// The organization (for a team membership, the team's organization).
    pub organization_id: String,
    /// The team, for a team membership.
    pub team_id: Option<String>,
    /// The member.
    pub user_id: String,
    /// `Role::as_str`.
    pub role: String,
    /// `Status::as_str`.
    pub status: String,
    /// When they were invited; null for an organization's creator.
    pub invited_at: Option<NaiveDateTime>,
    /// Who invited them.
    pub invited_by: Option<String>,
    /// When they accepted (or created the organization).
    pub joined_at: Option<NaiveDateTime>,
}

impl MembershipRow {
    /// The role.
    pub fn role(&self) -> Role {
        Role::parse(&self.role)
    }

    /// The status.
    pub fn status(&self) -> Status {
        Status::parse(&self.status)
    }
}

/// Inserts an organization.
pub async fn insert_organization(conn: &mut Conn<'_>, row: &OrganizationRow) -> QueryResult<()> {
    db_run!(conn, |c| diesel::insert_into(organizations::table).values(row).execute(c).await)?;
    Ok(())
}

/// Inserts a membership unless the user is already listed in that scope. Returns whether a
/// row was inserted; the UNIQUE (scope_id, user_id) constraint decides races, and
/// `ON CONFLICT DO NOTHING` keeps a PostgreSQL transaction usable after a conflict.
pub async fn insert_membership(conn: &mut Conn<'_>, row: &MembershipRow) -> QueryResult<bool> {
    let inserted = db_run!(conn, |c| {
        diesel::insert_into(memberships::table).values(row).on_conflict_do_nothing().execute(c).await
    })?;
    Ok(inserted == 1)
}

/// The user's membership row in a scope, if any.
pub async fn membership(
    conn: &mut Conn<'_>,
    scope_id: &str,
    user_id: &str,
) -> QueryResult<Option<MembershipRow>> {
    db_run!(conn, |c| {
        memberships::table
            .filter(memberships::scope_id.eq(scope_id))
            .filter(memberships::user_id.eq(user_id))
            .select(MembershipRow::as_select())
            .first(c)
            .await
            .optional()
    })
}

/// Deletes the user's membership in a scope, only while it has `status`. Returns whether a
/// row went; zero means somebody else changed it first.
pub async fn delete_membership(
    conn: &mut Conn<'_>,
    scope_id: &str,
    user_id: &str,
    status: Status,
) -> QueryResult<bool> {
    let deleted = db_run!(conn, |c| {
        diesel::delete(
            memberships::table
                .filter(memberships::scope_id.eq(scope_id))
                .filter(memberships::user_id.eq(user_id))
                .filter(memberships::status.eq(status.as_str())),
        )
        .execute(c)
        .await
    })?;
    Ok(deleted == 1)
}

/// Marks a pending membership verified. Returns the membership as it now is, or `None` when
/// it was not pending any more.
pub async fn verify_membership(
    conn: &mut Conn<'_>,
    scope_id: &str,
    user_id: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<MembershipRow>> {
    db_run!(conn, |c| {
        diesel::update(
            memberships::table
                .filter(memberships::scope_id.eq(scope_id))
                .filter(memberships::user_id.eq(user_id))
                .filter(memberships::status.eq(Status::Unverified.as_str())),
        )
        .set((memberships::status.eq(Status::Verified.as_str()), memberships::joined_at.eq(Some(now))))
        .returning(MembershipRow::as_returning())
        .get_result(c)
        .await
        .optional()
    })
}

/// Gives the user's membership in a scope a new role. Returns it as it now is, or `None`
/// when there is no such membership.
pub async fn set_role(
    conn: &mut Conn<'_>,
    scope_id: &str,
    user_id: &str,
    role: Role,
) -> QueryResult<Option<MembershipRow>> {
    db_run!(conn, |c| {
        diesel::update(
            memberships::table
                .filter(memberships::scope_id.eq(scope_id))
                .filter(memberships::user_id.eq(user_id)),
        )
        .set(memberships::role.eq(role.as_str()))
        .returning(MembershipRow::as_returning())
        .get_result(c)
        .await
        .optional()
    })
}

/// Deletes every membership of a scope (a team being deleted). Returns each user with the
/// membership's status.
pub async fn delete_memberships_of(
    conn: &mut Conn<'_>,
    scope_id: &str,
) -> QueryResult<Vec<(String, Status)>> {
    let rows: Vec<(String, String)> = db_run!(conn, |c| {
        diesel::delete(memberships::table.filter(memberships::scope_id.eq(scope_id)))
            .returning((memberships::user_id, memberships::status))
            .load(c)
            .await
    })?;
    Ok(rows.into_iter().map(|(user_id, status)| (user_id, Status::parse(&status))).collect())
}

/// Renames an organization. Returns it as it now is.
pub async fn rename_organization(
    conn: &mut Conn<'_>,
    id: &str,
    name: &str,
) -> QueryResult<Option<OrganizationRow>> {
    db_run!(conn, |c| {
        diesel::update(organizations::table.find(id))
            .set(organizations::name.eq(name))
            .returning(OrganizationRow::as_returning())
            .get_result(c)
            .await
            .optional()
    })
}

/// Deletes the user's memberships in every team of an organization (when they leave it).
/// Returns each team id with the membership's status (pending or verified).
pub async fn delete_team_memberships_in(
    conn: &mut Conn<'_>,
    organization_id: &str,
    user_id: &str,
) -> QueryResult<Vec<(String, Status)>> {
    let rows: Vec<(String, String)> = db_run!(conn, |c| {
        diesel::delete(
            memberships::table
                .filter(memberships::organization_id.eq(organization_id))
                .filter(memberships::team_id.is_not_null())
                .filter(memberships::user_id.eq(user_id)),
        )
        .returning((memberships::scope_id, memberships::status))
        .load(c)
        .await
    })?;
    Ok(rows.into_iter().map(|(scope_id, status)| (scope_id, Status::parse(&status))).collect())
}

/// How many verified admins an organization has.
pub async fn verified_admins(conn: &mut Conn<'_>, organization_id: &str) -> QueryResult<i64> {
    db_run!(conn, |c| {
        memberships::table
            .filter(memberships::scope_id.eq(organization_id))
            .filter(memberships::role.eq(Role::Admin.as_str()))
            .filter(memberships::status.eq(Status::Verified.as_str()))
            .count()
            .get_result(c)
            .await
    })
}

/// An organization by id.
pub async fn organization(conn: &mut Conn<'_>, id: &str) -> QueryResult<Option<OrganizationRow>> {
    db_run!(conn, |c| {
        organizations::table.find(id).select(OrganizationRow::as_select()).first(c).await.optional()
    })
}

/// The organization `id` and `user_id`'s role in it, if they are a verified member: one
/// query for "the organization, as its member sees it".
pub async fn organization_of_member(
    conn: &mut Conn<'_>,
    id: &str,
    user_id: &str,
) -> QueryResult<Option<(OrganizationRow, String)>> {
    db_run!(conn, |c| {
        organizations::table
            .inner_join(
                memberships::table.on(memberships::scope_id
                    .eq(organizations::id)
                    .and(memberships::user_id.eq(user_id))
                    .and(memberships::status.eq(Status::Verified.as_str()))),
            )
            .filter(organizations::id.eq(id))
            .select((OrganizationRow::as_select(), memberships::role))
            .first(c)
            .await
            .optional()
    })
}

/// The organizations where the user is a verified member, oldest membership first.
pub async fn organizations_of_user(
    conn: &mut Conn<'_>,
    user_id: &str,
    limit: usize,
) -> QueryResult<Vec<OrganizationRow>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    db_run!(conn, |c| {
        memberships::table
            .inner_join(organizations::table.on(organizations::id.eq(memberships::scope_id)))
            .filter(memberships::user_id.eq(user_id))
            .filter(memberships::status.eq(Status::Verified.as_str()))
            .order(memberships::id.asc())
            .limit(limit)
            .select(OrganizationRow::as_select())
            .load(c)
            .await
    })
}

// The users table a second (and third) time, for the people an entry points to.
mod aliases {
    use roster_db::schema::{memberships, users};
    diesel::alias!(users as inviters: Inviters);
    // The memberships table again, counted in a subquery of a page that reads it.
    diesel::alias!(memberships as counted: Counted);
}
use aliases::*;

/// A member row with its user and the user who invited them.
pub type MemberRecord = (MembershipRow, UserRow, Option<UserRow>);

/// One page of a scope's members, oldest first, after membership `after_id`, optionally of one
/// status. One query: users and inviters are joined, never fetched one by one.
pub async fn member_page(
    conn: &mut Conn<'_>,
    scope_id: &str,
    status: Option<Status>,
    after_id: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<MemberRecord>> {
    // Both statuses when no filter is given; one static query shape either way.
    let (a, b) = status_filter(status);
    let after = after_id.unwrap_or("");
    db_run!(conn, |c| {
        memberships::table
            .inner_join(users::table.on(users::id.eq(memberships::user_id)))
            .left_join(inviters.on(memberships::invited_by.eq(inviters.field(users::id).nullable())))
            .filter(memberships::scope_id.eq(scope_id))
            .filter(memberships::status.eq(a).or(memberships::status.eq(b)))
            .filter(memberships::id.gt(after))
            .order(memberships::id.asc())
            .limit(limit)
            .select((
                MembershipRow::as_select(),
                UserRow::as_select(),
                inviters.fields(users::all_columns).nullable(),
            ))
            .load(c)
            .await
    })
}

/// What a page may need beside its members: the list's size (with the page's status
/// filter), its event position, and the organization's verified admins (for the actions
/// offered: the last admin cannot be removed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Members in the whole list.
    pub total: i64,
    /// The list's latest event position.
    pub position: i64,
    /// Verified admins of the scope's organization.
    pub verified_admins: i64,
}

/// Like [`member_page`], with the [`Summary`] read by the same statement (as subqueries), so
/// page and summary agree without a transaction and cost no round trip of their own. An empty page carries no summary row; it is
/// then read by one more statement, which nothing on the page can disagree with.
pub async fn member_page_with_summary(
    conn: &mut Conn<'_>,
    scope: &crate::scope::Scope,
    status: Option<Status>,
    after_id: Option<&str>,
    limit: i64,
) -> QueryResult<(Vec<MemberRecord>, Summary)> {
    use roster_db::schema::teams;
    let (a, b) = status_filter(status);
    let after = after_id.unwrap_or("");
    let scope_id = scope.id();
    let team_id = scope.team_id.as_deref().unwrap_or("");
    let organization_id = scope.organization_id.as_str();
    let total = || {
        counted
            .filter(counted.field(memberships::scope_id).eq(scope_id))
            .filter(counted.field(memberships::status).eq(a).or(counted.field(memberships::status).eq(b)))
            .count()
            .single_value()
    };
    let team_position = || teams::table.filter(teams::id.eq(team_id)).select(teams::event_seq).single_value();
    let organization_position = || {
        organizations::table
            .filter(organizations::id.eq(organization_id))
            .select(organizations::event_seq)
            .single_value()
    };
    let admins = || {
        counted
            .filter(counted.field(memberships::scope_id).eq(organization_id))
            .filter(counted.field(memberships::role).eq(Role::Admin.as_str()))
            .filter(counted.field(memberships::status).eq(Status::Verified.as_str()))
            .count()
            .single_value()
    };
    type Row = (MembershipRow, UserRow, Option<UserRow>, Option<i64>, Option<i64>, Option<i64>, Option<i64>);
    let rows: Vec<Row> = db_run!(conn, |c| {
        memberships::table
            .inner_join(users::table.on(users::id.eq(memberships::user_id)))
            .left_join(inviters.on(memberships::invited_by.eq(inviters.field(users::id).nullable())))
            .filter(memberships::scope_id.eq(scope_id))
            .filter(memberships::status.eq(a).or(memberships::status.eq(b)))
            .filter(memberships::id.gt(after))
            .order(memberships::id.asc())
            .limit(limit)
            .select((
                MembershipRow::as_select(),
                UserRow::as_select(),
                inviters.fields(users::all_columns).nullable(),
                total(),
                team_position(),
                organization_position(),
                admins(),
            ))
            .load(c)
            .await
    })?;
    let summary_of =
        |(total, team, organization, admins): (Option<i64>, Option<i64>, Option<i64>, Option<i64>)| Summary {
            total: total.unwrap_or(0),
            position: if scope.is_team() { team.unwrap_or(0) } else { organization.unwrap_or(0) },
            verified_admins: admins.unwrap_or(0),
        };
    let summary = match <[_]>::first(&rows) {
        Some((_, _, _, total, team, organization, admins)) => {
            summary_of((*total, *team, *organization, *admins))
        }
        None => summary_of(db_run!(conn, |c| {
            diesel::select((total(), team_position(), organization_position(), admins())).get_result(c).await
        })?),
    };
    let records =
        rows.into_iter().map(|(membership, user, inviter, ..)| (membership, user, inviter)).collect();
    Ok((records, summary))
}

/// One member with user and inviter, for mutation answers.
pub async fn member_record(
    conn: &mut Conn<'_>,
    scope_id: &str,
    user_id: &str,
) -> QueryResult<Option<MemberRecord>> {
    Ok(member_records(conn, scope_id, &[user_id.to_owned()]).await?.into_iter().next())
}

/// The members with these user ids in one scope, with users and inviters, in one query.
pub async fn member_records(
    conn: &mut Conn<'_>,
    scope_id: &str,
    user_ids: &[String],
) -> QueryResult<Vec<MemberRecord>> {
    db_run!(conn, |c| {
        memberships::table
            .inner_join(users::table.on(users::id.eq(memberships::user_id)))
            .left_join(inviters.on(memberships::invited_by.eq(inviters.field(users::id).nullable())))
            .filter(memberships::scope_id.eq(scope_id))
            .filter(memberships::user_id.eq_any(user_ids))
            .select((
                MembershipRow::as_select(),
                UserRow::as_select(),
                inviters.fields(users::all_columns).nullable(),
            ))
            .load(c)
            .await
    })
}

fn status_filter(status: Option<Status>) -> (&'static str, &'static str) {
    match status {
        Some(status) => (status.as_str(), status.as_str()),
        None => (Status::Unverified.as_str(), Status::Verified.as_str()),
    }
}
