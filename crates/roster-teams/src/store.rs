//! Queries on `teams`. They never open transactions.

use chrono::NaiveDateTime;
use roster_db::prelude::*;
use roster_db::schema::{memberships, organizations, teams};
use roster_db::{Conn, db_run};
use roster_organizations::Status;
use roster_organizations::lookup::OrganizationRow;

/// A row of `teams`.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = teams)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct TeamRow {
    /// `team_…`
    pub id: String,
    /// The organization it belongs to.
    pub organization_id: String,
    /// Display name.
    pub name: String,
    /// When it was created.
    pub created_at: NaiveDateTime,
    /// Membership changes so far (the team's event counter).
    pub event_seq: i64,
}

/// Inserts a team.
pub async fn insert(conn: &mut Conn<'_>, row: &TeamRow) -> QueryResult<()> {
    db_run!(conn, |c| diesel::insert_into(teams::table).values(row).execute(c).await)?;
    Ok(())
}

/// A team by id, with its organization.
pub async fn team(conn: &mut Conn<'_>, id: &str) -> QueryResult<Option<(TeamRow, OrganizationRow)>> {
    db_run!(conn, |c| {
        teams::table
            .inner_join(organizations::table)
            .filter(teams::id.eq(id))
            .filter(teams::deleted_at.is_null())
            .select((TeamRow::as_select(), OrganizationRow::as_select()))
            .first(c)
            .await
            .optional()
    })
}

/// An organization's teams, oldest first.
pub async fn of_organization(
    conn: &mut Conn<'_>,
    organization_id: &str,
    after: Option<&str>,
    limit: usize,
) -> QueryResult<Vec<TeamRow>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    db_run!(conn, |c| {
        let mut query = teams::table
            .filter(teams::organization_id.eq(organization_id))
            .filter(teams::deleted_at.is_null())
            .into_boxed();
        if let Some(after) = after {
            query = query.filter(teams::id.gt(after));
        }
        query.order(teams::id.asc()).limit(limit).select(TeamRow::as_select()).load(c).await
    })
}

/// The teams where the user is a verified member, oldest membership first, with their
/// organizations.
pub async fn of_user(
    conn: &mut Conn<'_>,
    user_id: &str,
    limit: usize,
) -> QueryResult<Vec<(TeamRow, OrganizationRow)>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    db_run!(conn, |c| {
        memberships::table
            .inner_join(teams::table.on(teams::id.nullable().eq(memberships::team_id)))
            .inner_join(organizations::table.on(organizations::id.eq(teams::organization_id)))
            .filter(memberships::user_id.eq(user_id))
            .filter(memberships::status.eq(Status::Verified.as_str()))
            .filter(teams::deleted_at.is_null())
            .order(memberships::id.asc())
            .limit(limit)
            .select((TeamRow::as_select(), OrganizationRow::as_select()))
            .load(c)
            .await
    })
}

/// Renames a team. Returns it as it now is.
pub async fn rename(conn: &mut Conn<'_>, id: &str, name: &str) -> QueryResult<Option<TeamRow>> {
    db_run!(conn, |c| {
        diesel::update(teams::table.find(id).filter(teams::deleted_at.is_null()))
            .set(teams::name.eq(name))
            .returning(TeamRow::as_returning())
            .get_result(c)
            .await
            .optional()
    })
}

/// Marks a team deleted. Its row stays, for the audit entries that refer to it. Returns
/// whether it was still there.
pub async fn mark_deleted(conn: &mut Conn<'_>, id: &str, now: NaiveDateTime) -> QueryResult<bool> {
    let changed = db_run!(conn, |c| {
        diesel::update(teams::table.find(id).filter(teams::deleted_at.is_null()))
            .set(teams::deleted_at.eq(Some(now)))
            .execute(c)
            .await
    })?;
    Ok(changed == 1)
}
