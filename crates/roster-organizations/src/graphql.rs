//! The organizations part of the schema.

use async_graphql::{Context, ID, Object, SimpleObject, Union};
use roster_audit::AuditEntryConnection;
use roster_core::error::{
    ErrorCode, NotAuthenticatedError, NotAuthorizedError, NotFoundError, ValidationError,
};
use roster_core::page::{decode_cursor, page_size};
use roster_core::{Actor, internal_error, top_level_error};
use roster_db::{Checkout, Db};

use crate::authority::Authority;
use crate::members::{self, ActionRules, MemberConnection};
use crate::role::Status;
use crate::scope::{self, MembershipScope, Scope};
use crate::service::{self, CreateOrganizationError, CreateTeamError, RemoveMemberError};
use crate::store::{self, OrganizationRow, TeamRow};

/// An organization. Only its verified members ever receive one: every field that returns an
/// `Organization` checks that first, so its own fields need not check again.
#[derive(Debug, Clone)]
pub struct Organization(pub OrganizationRow);

#[Object]
impl Organization {
    /// Stable id (`org_…`).
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }

    /// Display name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The organization's teams, oldest first.
    async fn teams(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Team>> {
        let mut conn = connection(ctx).await?;
        let rows = store::teams_of(&mut conn.conn(), &self.0.id).await.map_err(|e| internal_error(&e))?;
        Ok(rows.into_iter().map(|(team, organization)| Team { team, organization }).collect())
    }

    /// The organization's member list, in the order members were added. Readable by its
    /// verified members; FORBIDDEN otherwise.
    #[graphql(complexity = "roster_core::page::list_complexity(first, child_complexity)")]
    async fn members(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        status: Option<Status>,
    ) -> async_graphql::Result<MemberConnection> {
        let scope = Scope { organization_id: self.0.id.clone(), team_id: None };
        member_list(ctx, Some(scope), None, first, after, status).await
    }
}

/// A team of an organization. Visible to the organization's verified members.
#[derive(Debug, Clone)]
pub struct Team {
    team: TeamRow,
    organization: OrganizationRow,
}

#[Object]
impl Team {
    /// Stable id (`team_…`).
    async fn id(&self) -> ID {
        ID(self.team.id.clone())
    }

    /// Display name.
    async fn name(&self) -> &str {
        &self.team.name
    }

    /// The organization the team belongs to.
    async fn organization(&self) -> Organization {
        Organization(self.organization.clone())
    }

    /// The team's member list, in the order members were added. Readable by the team's
    /// verified members and by its organization's admins; FORBIDDEN otherwise.
    #[graphql(complexity = "roster_core::page::list_complexity(first, child_complexity)")]
    async fn members(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        status: Option<Status>,
    ) -> async_graphql::Result<MemberConnection> {
        let scope =
            Scope { organization_id: self.team.organization_id.clone(), team_id: Some(self.team.id.clone()) };
        member_list(ctx, Some(scope), None, first, after, status).await
    }
}

async fn connection(ctx: &Context<'_>) -> async_graphql::Result<Checkout> {
    ctx.data::<Db>()?.get().await.map_err(|e| internal_error(&e))
}

/// A member list page for a known scope, or for a requested one (resolved here).
async fn member_list(
    ctx: &Context<'_>,
    known: Option<Scope>,
    requested: Option<&MembershipScope>,
    first: Option<i32>,
    after: Option<String>,
    status: Option<Status>,
) -> async_graphql::Result<MemberConnection> {
    let page_size = page_size(first)?;
    let after = after.map(|cursor| decode_cursor(members::CURSOR_KIND, &cursor)).transpose()?;
    let actor = ctx.data::<Actor>()?;
    let mut db = connection(ctx).await?;
    let mut conn = db.conn();
    let scope = match (known, requested) {
        (Some(scope), _) => Some(scope),
        (None, Some(requested)) => {
            scope::resolve(&mut conn, requested).await.map_err(|e| internal_error(&e))?
        }
        (None, None) => None,
    };
    // A scope that does not exist is refused exactly like one the viewer may not read, so
    // the answer says nothing about other organizations.
    let forbidden = || top_level_error(ErrorCode::Forbidden, "You may not read this member list.");
    let scope = scope.ok_or_else(forbidden)?;
    let authority =
        Authority::load(&mut conn, actor.user_id(), &scope).await.map_err(|e| internal_error(&e))?;
    if !authority.reads_members() {
        return Err(forbidden());
    }
    let rules = ActionRules::load(&mut conn, authority, &scope).await.map_err(|e| internal_error(&e))?;
    // The page, its count and its event position come from one snapshot, so they agree.
    db.snapshot(|tx| {
        Box::pin(async move { members::page(tx, &scope, &rules, status, after.as_deref(), page_size).await })
    })
    .await
    .map_err(|e: roster_db::diesel::result::Error| internal_error(&e))
}

/// Organization queries.
#[derive(Default)]
pub struct OrganizationsQuery;

#[Object]
impl OrganizationsQuery {
    /// An organization; null when it does not exist or the viewer is not a verified member.
    async fn organization(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Organization>> {
        let Some(user_id) = ctx.data::<Actor>()?.user_id() else {
            return Ok(None);
        };
        let mut db = connection(ctx).await?;
        let mut conn = db.conn();
        let Some(scope) = scope::resolve(&mut conn, &MembershipScope::OrganizationId(id))
            .await
            .map_err(|e| internal_error(&e))?
        else {
            return Ok(None);
        };
        let authority =
            Authority::load(&mut conn, Some(user_id), &scope).await.map_err(|e| internal_error(&e))?;
        if !authority.sees_organization() {
            return Ok(None);
        }
        let row =
            store::organization(&mut conn, &scope.organization_id).await.map_err(|e| internal_error(&e))?;
        Ok(row.map(Organization))
    }

    /// A team; null when it does not exist or the viewer is not a verified member of its
    /// organization.
    async fn team(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Team>> {
        let Some(user_id) = ctx.data::<Actor>()?.user_id() else {
            return Ok(None);
        };
        let mut db = connection(ctx).await?;
        let mut conn = db.conn();
        let Some((team, organization)) = store::team(&mut conn, &id).await.map_err(|e| internal_error(&e))?
        else {
            return Ok(None);
        };
        let scope = Scope { organization_id: organization.id.clone(), team_id: Some(team.id.clone()) };
        let authority =
            Authority::load(&mut conn, Some(user_id), &scope).await.map_err(|e| internal_error(&e))?;
        Ok(authority.sees_organization().then_some(Team { team, organization }))
    }

    /// A scope's member list, in the order members were added (oldest first). Pages hold at
    /// most 100 members. FORBIDDEN unless the viewer may read the list.
    #[graphql(complexity = "roster_core::page::list_complexity(first, child_complexity)")]
    async fn members(
        &self,
        ctx: &Context<'_>,
        scope: MembershipScope,
        first: Option<i32>,
        after: Option<String>,
        status: Option<Status>,
    ) -> async_graphql::Result<MemberConnection> {
        member_list(ctx, None, Some(&scope), first, after, status).await
    }

    /// The organizations where the viewer is a verified member ("My organizations"); empty for
    /// anonymous requests.
    async fn my_organizations(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Organization>> {
        let Some(user_id) = ctx.data::<Actor>()?.user_id() else {
            return Ok(Vec::new());
        };
        let mut db = connection(ctx).await?;
        let rows =
            store::organizations_of_user(&mut db.conn(), user_id).await.map_err(|e| internal_error(&e))?;
        Ok(rows.into_iter().map(Organization).collect())
    }

    /// The teams where the viewer is a verified member ("My Teams"); empty for anonymous
    /// requests.
    async fn my_teams(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Team>> {
        let Some(user_id) = ctx.data::<Actor>()?.user_id() else {
            return Ok(Vec::new());
        };
        let mut db = connection(ctx).await?;
        let rows = store::teams_of_user(&mut db.conn(), user_id).await.map_err(|e| internal_error(&e))?;
        Ok(rows.into_iter().map(|(team, organization)| Team { team, organization }).collect())
    }

    /// The organization's audit log, its teams' entries included, newest first. For the
    /// organization's admins only; FORBIDDEN otherwise.
    #[graphql(complexity = "roster_core::page::list_complexity(first, child_complexity)")]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        organization_id: ID,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<AuditEntryConnection> {
        let page_size = page_size(first)?;
        let after = after.map(|c| decode_cursor(roster_audit::graphql::CURSOR_KIND, &c)).transpose()?;
        let actor = ctx.data::<Actor>()?;
        let forbidden = || {
            top_level_error(ErrorCode::Forbidden, "Only the organization's admins may read its audit log.")
        };
        let mut db = connection(ctx).await?;
        let mut conn = db.conn();
        let scope = scope::resolve(&mut conn, &MembershipScope::OrganizationId(organization_id))
            .await
            .map_err(|e| internal_error(&e))?
            .ok_or_else(forbidden)?;
        let authority =
            Authority::load(&mut conn, actor.user_id(), &scope).await.map_err(|e| internal_error(&e))?;
        if !authority.is_organization_admin() {
            return Err(forbidden());
        }
        let limit = i64::try_from(page_size).unwrap_or(100) + 1;
        let records = roster_audit::store::page(&mut conn, &scope.organization_id, after.as_deref(), limit)
            .await
            .map_err(|e| internal_error(&e))?;
        Ok(AuditEntryConnection::from_records(records, page_size))
    }
}

/// The organization was created; the viewer is its first admin.
#[derive(Debug, Clone, SimpleObject)]
pub struct CreateOrganizationSuccess {
    /// The new organization.
    pub organization: Organization,
}

/// The team was created.
#[derive(Debug, Clone, SimpleObject)]
pub struct CreateTeamSuccess {
    /// The new team.
    pub team: Team,
}

/// The member was removed from the scope (and, for an organization, from its teams).
#[derive(Debug, Clone, SimpleObject)]
pub struct RemoveMemberSuccess {
    /// The removed user.
    pub user_id: ID,
}

/// The member has not accepted their invitation yet: cancel the invitation instead.
#[derive(Debug, Clone, SimpleObject)]
pub struct MemberPendingError {
    /// Says so, and points to `cancelInvitation`.
    pub message: String,
}

/// The member is the organization's last admin and cannot be removed.
#[derive(Debug, Clone, SimpleObject)]
pub struct LastAdminError {
    /// Says so.
    pub message: String,
}

/// The outcome of `createOrganization`.
#[derive(Debug, Clone, Union)]
pub enum CreateOrganizationResult {
    /// Done.
    CreateOrganizationSuccess(CreateOrganizationSuccess),
    /// Sign in first.
    NotAuthenticatedError(NotAuthenticatedError),
    /// The name is empty or longer than 100 characters.
    ValidationError(ValidationError),
}

/// The outcome of `createTeam`.
#[derive(Debug, Clone, Union)]
pub enum CreateTeamResult {
    /// Done.
    CreateTeamSuccess(CreateTeamSuccess),
    /// Sign in first.
    NotAuthenticatedError(NotAuthenticatedError),
    /// Only the organization's admins create teams.
    NotAuthorizedError(NotAuthorizedError),
    /// No such organization (or not visible).
    NotFoundError(NotFoundError),
    /// The name is empty or longer than 100 characters.
    ValidationError(ValidationError),
}

/// The outcome of `removeMember`.
#[derive(Debug, Clone, Union)]
pub enum RemoveMemberResult {
    /// Done.
    RemoveMemberSuccess(RemoveMemberSuccess),
    /// Sign in first.
    NotAuthenticatedError(NotAuthenticatedError),
    /// Only organization admins (and team owners, in their team) remove members.
    NotAuthorizedError(NotAuthorizedError),
    /// No such scope or member (or not visible).
    NotFoundError(NotFoundError),
    /// The member is still invited: cancel the invitation instead.
    MemberPendingError(MemberPendingError),
    /// The last admin of an organization cannot be removed.
    LastAdminError(LastAdminError),
}

/// Organization mutations.
#[derive(Default)]
pub struct OrganizationsMutation;

#[Object]
impl OrganizationsMutation {
    /// Creates an organization; the viewer becomes its first, verified ADMIN. The name is
    /// trimmed and must be 1 to 100 characters.
    async fn create_organization(
        &self,
        ctx: &Context<'_>,
        name: String,
    ) -> async_graphql::Result<CreateOrganizationResult> {
        let Some(actor_id) = ctx.data::<Actor>()?.user_id() else {
            return Ok(CreateOrganizationResult::NotAuthenticatedError(NotAuthenticatedError::default()));
        };
        Ok(match service::create_organization(ctx.data::<Db>()?, actor_id, &name).await {
            Ok(row) => CreateOrganizationResult::CreateOrganizationSuccess(CreateOrganizationSuccess {
                organization: Organization(row),
            }),
            Err(CreateOrganizationError::Invalid(message)) => {
                CreateOrganizationResult::ValidationError(ValidationError::new("name", message))
            }
            Err(e @ CreateOrganizationError::Db(_)) => return Err(internal_error(&e)),
        })
    }

    /// Creates a team in an organization. For the organization's admins.
    async fn create_team(
        &self,
        ctx: &Context<'_>,
        organization_id: ID,
        name: String,
    ) -> async_graphql::Result<CreateTeamResult> {
        let Some(actor_id) = ctx.data::<Actor>()?.user_id() else {
            return Ok(CreateTeamResult::NotAuthenticatedError(NotAuthenticatedError::default()));
        };
        Ok(match service::create_team(ctx.data::<Db>()?, actor_id, &organization_id, &name).await {
            Ok((team, organization)) => {
                CreateTeamResult::CreateTeamSuccess(CreateTeamSuccess { team: Team { team, organization } })
            }
            Err(CreateTeamError::NotFound) => {
                CreateTeamResult::NotFoundError(NotFoundError::new("No such organization."))
            }
            Err(CreateTeamError::NotAuthorized) => CreateTeamResult::NotAuthorizedError(
                NotAuthorizedError::new("Only organization admins may create teams."),
            ),
            Err(CreateTeamError::Invalid(message)) => {
                CreateTeamResult::ValidationError(ValidationError::new("name", message))
            }
            Err(e @ CreateTeamError::Db(_)) => return Err(internal_error(&e)),
        })
    }

    /// Removes a VERIFIED member from a scope. Removing someone from an organization also
    /// removes them from its teams. A pending member's invitation is cancelled with
    /// `cancelInvitation` instead; the last admin of an organization cannot be removed.
    async fn remove_member(
        &self,
        ctx: &Context<'_>,
        scope: MembershipScope,
        user_id: ID,
    ) -> async_graphql::Result<RemoveMemberResult> {
        let Some(actor_id) = ctx.data::<Actor>()?.user_id() else {
            return Ok(RemoveMemberResult::NotAuthenticatedError(NotAuthenticatedError::default()));
        };
        Ok(match service::remove_member(ctx.data::<Db>()?, actor_id, &scope, &user_id).await {
            Ok(_) => RemoveMemberResult::RemoveMemberSuccess(RemoveMemberSuccess { user_id }),
            Err(RemoveMemberError::NotFound) => RemoveMemberResult::NotFoundError(NotFoundError::new(
                "No such member in this organization or team.",
            )),
            Err(RemoveMemberError::NotAuthorized) => {
                RemoveMemberResult::NotAuthorizedError(NotAuthorizedError::new(
                    "Only organization admins, or the team's owners, may remove members.",
                ))
            }
            Err(RemoveMemberError::Pending) => RemoveMemberResult::MemberPendingError(MemberPendingError {
                message: "This user has not accepted their invitation yet; cancel the invitation instead."
                    .into(),
            }),
            Err(RemoveMemberError::LastAdmin) => RemoveMemberResult::LastAdminError(LastAdminError {
                message: "The last admin of an organization cannot be removed.".into(),
            }),
            Err(e @ RemoveMemberError::Db(_)) => return Err(internal_error(&e)),
        })
    }
}
