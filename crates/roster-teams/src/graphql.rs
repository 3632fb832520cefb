//! The teams part of the schema: `Team`, `Organization.teams`, `team(id)`, `myTeams` and
//! `createTeam`. Generic over `O`, the composed `Organization` (see the crate docs).

use std::marker::PhantomData;

use async_graphql::{Context, ID, Object, OutputType, SimpleObject, Union};
use roster_core::error::{NotAuthenticatedError, NotAuthorizedError, NotFoundError, ValidationError};
use roster_core::{Actor, OrInternal as _};
use roster_db::Db;
use roster_organizations::graphql::scope_list;
use roster_organizations::lookup::OrganizationRow;
use roster_organizations::pending::Invitations;
use roster_organizations::{MemberConnection, OrganizationObject, Scope, Status};

use crate::create_team::{CreateTeamError, create_team};
use crate::delete_team::{DeleteTeamError, delete_team};
use crate::rename_team::{RenameTeamError, rename_team};
use crate::store::TeamRow;

/// A team and its organization, as read: what every part of the composed `Team` type is
/// built from.
#[derive(Debug, Clone)]
pub struct TeamParts {
    /// The team's row.
    pub team: TeamRow,
    /// Its organization's row.
    pub organization: OrganizationRow,
}

/// The composed `Team` type: a GraphQL object built from a team's [`TeamParts`]. The server's
/// `schema.rs` defines the one type that is, from [`TeamFields`] and any other module's parts
/// (a product's module adds `Team.projects` this way), as it does `Organization`.
pub trait TeamObject: OutputType + From<TeamParts> + Send + Sync + 'static {}
impl<T: OutputType + From<TeamParts> + Send + Sync + 'static> TeamObject for T {}

/// This crate's part of `Team`: `id`, `name`, `organization` and `members`. Only the
/// organization's verified members ever receive a team: every field that returns one checks
/// that first.
pub struct TeamFields<O> {
    team: TeamRow,
    organization: OrganizationRow,
    _organization_type: PhantomData<O>,
}

impl<O> From<TeamParts> for TeamFields<O> {
    fn from(parts: TeamParts) -> Self {
        TeamFields { team: parts.team, organization: parts.organization, _organization_type: PhantomData }
    }
}

/// A composed team from its rows.
fn team<T: TeamObject>(team: TeamRow, organization: OrganizationRow) -> T {
    T::from(TeamParts { team, organization })
}

#[Object]
impl<O: OrganizationObject> TeamFields<O> {
    /// Stable, opaque id (`team_…`). Pass it as `teamId` in a `MembershipScope`.
    async fn id(&self) -> ID {
        ID(self.team.id.clone())
    }

    /// The team's name, as its organization's admins gave it (1 to 100 characters).
    async fn name(&self) -> &str {
        &self.team.name
    }

    /// The organization the team belongs to.
    async fn organization(&self) -> O {
        O::from(self.organization.clone())
    }

    /// The team's member list ("My Teams → team → Members tab"), in the order members were
    /// added, with pending invitations as UNVERIFIED members. Readable by the team's verified
    /// members and by its organization's admins; FORBIDDEN otherwise.
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
        scope_list(ctx, scope, first, after, status).await
    }
}

/// `Organization.teams`, this crate's part of the composed `Organization`; `T` is the
/// composed `Team`.
pub struct OrganizationTeams<O, T>(OrganizationRow, PhantomData<(O, T)>);

impl<O, T> From<OrganizationRow> for OrganizationTeams<O, T> {
    fn from(row: OrganizationRow) -> Self {
        OrganizationTeams(row, PhantomData)
    }
}

#[Object]
impl<O: OrganizationObject, T: TeamObject> OrganizationTeams<O, T> {
    /// The organization's teams, oldest first: at most `first` of them (20 unless given, at
    /// most 100), after the team whose id is `after` when given. To read them all, pass the
    /// last id of each answer as the next `after` until an answer is shorter than `first`.
    /// Charged in the complexity count like a page of `first` rows.
    #[graphql(complexity = "roster_core::page::list_complexity(first, child_complexity)")]
    async fn teams(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "Some(roster_core::page::DEFAULT_PAGE_SIZE as i32)")] first: Option<i32>,
        after: Option<ID>,
    ) -> async_graphql::Result<Vec<T>> {
        let limit = roster_core::page::page_size(first)?;
        let after = after.as_ref().map(|id| id.as_str());
        if after.is_some_and(|id| !roster_core::id::IdKind::Team.matches(id)) {
            return Err(roster_core::top_level_error(
                roster_core::ErrorCode::BadUserInput,
                "`after` must be the id of a team (`team_…`).",
            ));
        }
        let rows =
            crate::team::of_organization(ctx.data::<Db>()?, &self.0.id, after, limit).await.or_internal()?;
        Ok(rows.into_iter().map(|row| team(row, self.0.clone())).collect())
    }
}

/// Team queries; `T` is the composed `Team`.
pub struct TeamsQuery<T>(PhantomData<T>);

impl<T> Default for TeamsQuery<T> {
    fn default() -> Self {
        TeamsQuery(PhantomData)
    }
}

#[Object]
impl<T: TeamObject> TeamsQuery<T> {
    /// A team; null when it does not exist or the viewer is not a verified member of its
    /// organization.
    async fn team(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<T>> {
        let actor = ctx.data::<Actor>()?;
        let known = ctx.data_opt::<roster_organizations::authority::Known>();
        let found =
            crate::team::visible(ctx.data::<Db>()?, actor.user_id(), &id, known).await.or_internal()?;
        Ok(found.map(|(row, organization)| team(row, organization)))
    }

    /// The teams where the viewer is a verified member ("My Teams"), oldest membership
    /// first, at most `first` of them (20 unless given, at most 100); empty for anonymous
    /// requests. Charged in the complexity count like a page of `first` rows.
    #[graphql(complexity = "roster_core::page::list_complexity(first, child_complexity)")]
    async fn my_teams(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "Some(roster_core::page::DEFAULT_PAGE_SIZE as i32)")] first: Option<i32>,
    ) -> async_graphql::Result<Vec<T>> {
        let limit = roster_core::page::page_size(first)?;
        let Some(user_id) = ctx.data::<Actor>()?.user_id() else {
            return Ok(Vec::new());
        };
        let rows = crate::team::of_user(ctx.data::<Db>()?, user_id, limit).await.or_internal()?;
        Ok(rows.into_iter().map(|(row, organization)| team(row, organization)).collect())
    }
}

/// The team was created.
#[derive(SimpleObject)]
#[graphql(name = "CreateTeamSuccess")]
pub struct CreateTeamSuccess<T: TeamObject> {
    /// The new team, with no members yet.
    pub team: T,
}

/// The outcome of `createTeam`.
#[derive(Union)]
#[graphql(name = "CreateTeamResult")]
pub enum CreateTeamResult<T: TeamObject> {
    /// Created.
    CreateTeamSuccess(CreateTeamSuccess<T>),
    /// The request carried no valid bearer token.
    NotAuthenticatedError(NotAuthenticatedError),
    /// Only the organization's admins create teams.
    NotAuthorizedError(NotAuthorizedError),
    /// No such organization, or the viewer is not one of its members.
    NotFoundError(NotFoundError),
    /// The name is empty or longer than 100 characters; `field` is `name`.
    ValidationError(ValidationError),
}

/// The team has its new name.
#[derive(SimpleObject)]
#[graphql(name = "RenameTeamSuccess")]
pub struct RenameTeamSuccess<T: TeamObject> {
    /// The team, renamed.
    pub team: T,
}

/// The outcome of `renameTeam`.
#[derive(Union)]
#[graphql(name = "RenameTeamResult")]
pub enum RenameTeamResult<T: TeamObject> {
    /// Renamed.
    RenameTeamSuccess(RenameTeamSuccess<T>),
    /// The request carried no valid bearer token.
    NotAuthenticatedError(NotAuthenticatedError),
    /// Only the organization's admins and the team's owners rename it.
    NotAuthorizedError(NotAuthorizedError),
    /// No such team, or the viewer is not a member of its organization.
    NotFoundError(NotFoundError),
    /// The name is empty or longer than 100 characters; `field` is `name`.
    ValidationError(ValidationError),
}

/// The team is gone: its members left its list and its pending invitations were cancelled.
#[derive(Debug, Clone, SimpleObject)]
pub struct DeleteTeamSuccess {
    /// The deleted team's id.
    pub team_id: ID,
}

/// The outcome of `deleteTeam`.
#[derive(Debug, Clone, Union)]
pub enum DeleteTeamResult {
    /// Deleted.
    DeleteTeamSuccess(DeleteTeamSuccess),
    /// The request carried no valid bearer token.
    NotAuthenticatedError(NotAuthenticatedError),
    /// Only the organization's admins delete teams (team owners may not).
    NotAuthorizedError(NotAuthorizedError),
    /// No such team, or the viewer is not a member of its organization.
    NotFoundError(NotFoundError),
}

/// Team mutations; `T` is the composed `Team`.
pub struct TeamsMutation<T>(PhantomData<T>);

impl<T> Default for TeamsMutation<T> {
    fn default() -> Self {
        TeamsMutation(PhantomData)
    }
}

#[Object]
impl<T: TeamObject> TeamsMutation<T> {
    /// Creates a team in an organization. For the organization's admins. The name is trimmed
    /// and must be 1 to 100 characters.
    async fn create_team(
        &self,
        ctx: &Context<'_>,
        organization_id: ID,
        name: String,
    ) -> async_graphql::Result<CreateTeamResult<T>> {
        let Some(actor_id) = ctx.data::<Actor>()?.user_id() else {
            return Ok(CreateTeamResult::NotAuthenticatedError(NotAuthenticatedError::default()));
        };
        Ok(match create_team(ctx.data::<Db>()?, actor_id, &organization_id, &name).await {
            Ok((row, organization)) => {
                CreateTeamResult::CreateTeamSuccess(CreateTeamSuccess { team: team(row, organization) })
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
            Err(CreateTeamError::Db(e)) => return Err(e).or_internal(),
        })
    }

    /// Renames a team. For its organization's admins and its owners; the name is trimmed and
    /// must be 1 to 100 characters. The audit log records "Admin renamed team".
    async fn rename_team(
        &self,
        ctx: &Context<'_>,
        team_id: ID,
        name: String,
    ) -> async_graphql::Result<RenameTeamResult<T>> {
        let Some(actor_id) = ctx.data::<Actor>()?.user_id() else {
            return Ok(RenameTeamResult::NotAuthenticatedError(NotAuthenticatedError::default()));
        };
        Ok(match rename_team(ctx.data::<Db>()?, actor_id, &team_id, &name).await {
            Ok((row, organization)) => {
                RenameTeamResult::RenameTeamSuccess(RenameTeamSuccess { team: team(row, organization) })
            }
            Err(RenameTeamError::NotFound) => {
                RenameTeamResult::NotFoundError(NotFoundError::new("No such team."))
            }
            Err(RenameTeamError::NotAuthorized) => {
                RenameTeamResult::NotAuthorizedError(NotAuthorizedError::new(
                    "Only the organization's admins, or the team's owners, may rename it.",
                ))
            }
            Err(RenameTeamError::Invalid(message)) => {
                RenameTeamResult::ValidationError(ValidationError::new("name", message))
            }
            Err(RenameTeamError::Db(e)) => return Err(e).or_internal(),
        })
    }

    /// Deletes a team. For its organization's admins. Its members leave its list, its pending
    /// invitations are cancelled (their links stop working), subscriptions to its list end
    /// with SCOPE_DELETED, and the organization's audit log records "Admin deleted team".
    async fn delete_team(&self, ctx: &Context<'_>, team_id: ID) -> async_graphql::Result<DeleteTeamResult> {
        let Some(actor_id) = ctx.data::<Actor>()?.user_id() else {
            return Ok(DeleteTeamResult::NotAuthenticatedError(NotAuthenticatedError::default()));
        };
        let (db, invitations) = (ctx.data::<Db>()?, ctx.data::<Invitations>()?);
        Ok(match delete_team(db, invitations, actor_id, &team_id).await {
            Ok(_) => DeleteTeamResult::DeleteTeamSuccess(DeleteTeamSuccess { team_id }),
            Err(DeleteTeamError::NotFound) => {
                DeleteTeamResult::NotFoundError(NotFoundError::new("No such team."))
            }
            Err(DeleteTeamError::NotAuthorized) => DeleteTeamResult::NotAuthorizedError(
                NotAuthorizedError::new("Only the organization's admins may delete its teams."),
            ),
            Err(DeleteTeamError::Db(e)) => return Err(e).or_internal(),
        })
    }
}

/// What this module's resolvers read from the schema's data: checked at startup.
pub fn needs() -> Vec<roster_core::port::Port> {
    use roster_core::port::Port;
    vec![Port::of::<Actor>(), Port::of::<Db>(), Port::of::<Invitations>()]
}
