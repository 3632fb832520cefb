//! The organizations part of the schema: the organization's own fields, member lists, the
//! audit log, `createOrganization` and `removeMember`.
//!
//! `Organization` is composed in the server from parts of several crates (its teams come from
//! `roster-teams`). This crate knows the composed type only as an [`OrganizationObject`]: a
//! GraphQL object that can be built from an organization's row. Fields that return an
//! organization are generic over it.

use std::marker::PhantomData;

use async_graphql::{Context, ID, Object, OutputType, SimpleObject, Union};
use roster_audit::AuditEntryConnection;
use roster_core::error::{
    ErrorCode, NotAuthenticatedError, NotAuthorizedError, NotFoundError, RateLimitedError, ValidationError,
};
use roster_core::page::{decode_cursor, page_size};
use roster_core::{Actor, ClientAddr, OrInternal as _, top_level_error};
use roster_db::Db;

use crate::audit_log::{AuditLogError, audit_log};
use crate::authority::Known;
use crate::change_role::{ChangeRoleError, change_role};
use crate::create_organization::{CreateOrganizationError, create_organization};
use crate::leave::{LeaveError, leave};
use crate::member_list::{self, ListError, PageRequest, Wants};
use crate::members::Member;
use crate::members::{self, MemberConnection};
use crate::pending::Invitations;
use crate::remove_member::{RemoveMemberError, remove_member};
use crate::rename_organization::{RenameOrganizationError, rename_organization};
use crate::role::{Role, Status};
use crate::scope::{MembershipScope, Scope};
use crate::settings::OrganizationSettings;
use crate::store::OrganizationRow;

/// The composed `Organization` type: anything that is a GraphQL object and can be built from
/// an organization's row. The server's `schema.rs` defines the one type that is.
pub trait OrganizationObject: OutputType + From<OrganizationRow> + Send + Sync + 'static {}
impl<T: OutputType + From<OrganizationRow> + Send + Sync + 'static> OrganizationObject for T {}

/// `Organization.id` and `Organization.name`. Only an organization's verified members ever
/// receive one: every field that returns an `Organization` checks that first, so its own
/// fields need not check again.
#[derive(Debug, Clone)]
pub struct OrganizationFields(pub OrganizationRow);

impl From<OrganizationRow> for OrganizationFields {
    fn from(row: OrganizationRow) -> Self {
        OrganizationFields(row)
    }
}

#[Object]
impl OrganizationFields {
    /// Stable, opaque id (`org_…`). Pass it as `organizationId` in a `MembershipScope`.
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }

    /// The organization's name, as its admins gave it (1 to 100 characters).
    async fn name(&self) -> &str {
        &self.0.name
    }
}

/// `Organization.members`.
#[derive(Debug, Clone)]
pub struct OrganizationMembers(pub OrganizationRow);

impl From<OrganizationRow> for OrganizationMembers {
    fn from(row: OrganizationRow) -> Self {
        OrganizationMembers(row)
    }
}

#[Object]
impl OrganizationMembers {
    /// The organization's member list, in the order members were added (oldest first), with
    /// pending invitations as UNVERIFIED members. Readable by its verified members; FORBIDDEN
    /// otherwise. Pages hold at most 100 members.
    #[graphql(complexity = "roster_core::page::list_complexity(first, child_complexity)")]
    async fn members(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        status: Option<Status>,
    ) -> async_graphql::Result<MemberConnection> {
        let scope = Scope { organization_id: self.0.id.clone(), team_id: None };
        scope_list(ctx, scope, first, after, status).await
    }
}

/// The page a list field's arguments ask for, with what its selection needs computed;
/// malformed arguments are BAD_USER_INPUT.
pub fn page_request(
    ctx: &Context<'_>,
    first: Option<i32>,
    after: Option<String>,
    status: Option<Status>,
) -> async_graphql::Result<PageRequest> {
    let after = after.map(|cursor| decode_cursor(members::CURSOR_KIND, &cursor)).transpose()?;
    let selected = ctx.look_ahead();
    let wants = Wants {
        total_count: selected.field("totalCount").exists(),
        event_cursor: selected.field("eventCursor").exists(),
        actions: selected.field("nodes").field("availableActions").exists()
            || selected.field("edges").field("node").field("availableActions").exists(),
    };
    Ok(PageRequest { size: page_size(first)?, after, status, wants })
}

/// A known scope's member list, as a field resolves it (`Organization.members`,
/// `Team.members`).
pub async fn scope_list(
    ctx: &Context<'_>,
    scope: Scope,
    first: Option<i32>,
    after: Option<String>,
    status: Option<Status>,
) -> async_graphql::Result<MemberConnection> {
    let page = page_request(ctx, first, after, status)?;
    let actor = ctx.data::<Actor>()?;
    let known = ctx.data_opt::<Known>();
    list_answer(member_list::of_scope(ctx.data::<Db>()?, actor.user_id(), scope, page, known).await)
}

fn list_answer(result: Result<MemberConnection, ListError>) -> async_graphql::Result<MemberConnection> {
    match result {
        Ok(list) => Ok(list),
        // A scope that does not exist is refused exactly like one the viewer may not read,
        // so the answer says nothing about other organizations.
        Err(ListError::Forbidden) => {
            Err(top_level_error(ErrorCode::Forbidden, "You may not read this member list."))
        }
        Err(ListError::Db(e)) => Err(e).or_internal(),
    }
}

/// Organization queries; `O` is the composed `Organization`.
pub struct OrganizationsQuery<O>(PhantomData<O>);

impl<O> Default for OrganizationsQuery<O> {
    fn default() -> Self {
        OrganizationsQuery(PhantomData)
    }
}

#[Object]
impl<O: OrganizationObject> OrganizationsQuery<O> {
    /// An organization; null when it does not exist or the viewer is not a verified member.
    async fn organization(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<O>> {
        let actor = ctx.data::<Actor>()?;
        let known = ctx.data_opt::<Known>();
        let row = crate::organization::visible(ctx.data::<Db>()?, actor.user_id(), &id, known)
            .await
            .or_internal()?;
        Ok(row.map(O::from))
    }

    /// A scope's member list, in the order members were added (oldest first), with pending
    /// invitations as UNVERIFIED members. Pages hold at most 100 members. FORBIDDEN unless
    /// the viewer may read the list: an organization's verified members read its list; a
    /// team's verified members, and its organization's admins, read the team's.
    #[graphql(complexity = "roster_core::page::list_complexity(first, child_complexity)")]
    async fn members(
        &self,
        ctx: &Context<'_>,
        scope: MembershipScope,
        first: Option<i32>,
        after: Option<String>,
        status: Option<Status>,
    ) -> async_graphql::Result<MemberConnection> {
        let page = page_request(ctx, first, after, status)?;
        let actor = ctx.data::<Actor>()?;
        let known = ctx.data_opt::<Known>();
        list_answer(member_list::of_requested(ctx.data::<Db>()?, actor.user_id(), &scope, page, known).await)
    }

    /// The organizations where the viewer is a verified member ("My organizations"), oldest
    /// membership first, at most `first` of them (20 unless given, at most 100); empty for
    /// anonymous requests. Charged in the complexity count like a page of `first` rows.
    #[graphql(complexity = "roster_core::page::list_complexity(first, child_complexity)")]
    async fn my_organizations(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "Some(roster_core::page::DEFAULT_PAGE_SIZE as i32)")] first: Option<i32>,
    ) -> async_graphql::Result<Vec<O>> {
        let limit = roster_core::page::page_size(first)?;
        let Some(user_id) = ctx.data::<Actor>()?.user_id() else {
            return Ok(Vec::new());
        };
        let rows = crate::organization::of_user(ctx.data::<Db>()?, user_id, limit).await.or_internal()?;
        Ok(rows.into_iter().map(O::from).collect())
    }

    /// The organization's audit log, its teams' entries included, newest first: every
    /// invitation, resend, cancellation ("Admin cancelled user invite"), acceptance and
    /// removal. For the organization's admins only; FORBIDDEN otherwise.
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
        let db = ctx.data::<Db>()?;
        match audit_log(db, actor.user_id(), &organization_id, after.as_deref(), page_size).await {
            Ok(page) => Ok(page),
            Err(AuditLogError::Forbidden) => Err(top_level_error(
                ErrorCode::Forbidden,
                "Only the organization's admins may read its audit log.",
            )),
            Err(AuditLogError::Db(e)) => Err(e).or_internal(),
        }
    }
}

/// The organization was created; the viewer is its first, verified admin.
#[derive(SimpleObject)]
#[graphql(name = "CreateOrganizationSuccess")]
pub struct CreateOrganizationSuccess<O: OrganizationObject> {
    /// The new organization.
    pub organization: O,
}

/// The member was removed from the scope (and, for an organization, from its teams).
#[derive(Debug, Clone, SimpleObject)]
pub struct RemoveMemberSuccess {
    /// The removed user's id.
    pub user_id: ID,
}

/// The member has not accepted their invitation yet: cancel the invitation instead
/// (`cancelInvitation`).
#[derive(Debug, Clone, SimpleObject)]
pub struct MemberPendingError {
    /// "This user has not accepted their invitation yet; cancel the invitation instead."
    pub message: String,
}

/// The member is the organization's last verified admin: an organization always keeps one.
#[derive(Debug, Clone, SimpleObject)]
pub struct LastAdminError {
    /// "The last admin of an organization cannot be removed."
    pub message: String,
}

/// The outcome of `createOrganization`.
#[derive(Union)]
#[graphql(name = "CreateOrganizationResult")]
pub enum CreateOrganizationResult<O: OrganizationObject> {
    /// Created.
    CreateOrganizationSuccess(CreateOrganizationSuccess<O>),
    /// The request carried no valid bearer token.
    NotAuthenticatedError(NotAuthenticatedError),
    /// The name is empty or longer than 100 characters; `field` is `name`.
    ValidationError(ValidationError),
    /// This server lets only its operator create organizations (`ROSTER_ORG_CREATION_OPEN`
    /// is false).
    NotAuthorizedError(NotAuthorizedError),
    /// The viewer, or their address, has created `ROSTER_ORG_CREATIONS_PER_DAY`
    /// organizations lately; wait `retryAfterSeconds`.
    RateLimitedError(RateLimitedError),
}

/// The member has their new role.
#[derive(Debug, Clone, SimpleObject)]
pub struct ChangeMemberRoleSuccess {
    /// The member as they now are.
    pub member: Member,
}

/// The outcome of `changeMemberRole`.
#[derive(Debug, Clone, Union)]
#[expect(
    clippy::large_enum_variant,
    reason = "one result per request, returned at once; boxing would only add an allocation"
)]
pub enum ChangeMemberRoleResult {
    /// Changed (or already so).
    ChangeMemberRoleSuccess(ChangeMemberRoleSuccess),
    /// The request carried no valid bearer token.
    NotAuthenticatedError(NotAuthenticatedError),
    /// Only organization admins (and team owners, in their team) change roles.
    NotAuthorizedError(NotAuthorizedError),
    /// No such scope or member, or the scope is not visible to the viewer.
    NotFoundError(NotFoundError),
    /// The role does not exist in this kind of scope; `field` is `role`.
    ValidationError(ValidationError),
    /// The organization's last admin cannot be demoted.
    LastAdminError(LastAdminError),
}

/// The viewer left the scope (and, for an organization, its teams).
#[derive(Debug, Clone, SimpleObject)]
pub struct LeaveScopeSuccess {
    /// The organization left, or the team's organization.
    pub organization_id: ID,
    /// The team left; null when an organization was left.
    pub team_id: Option<ID>,
}

/// The outcome of `leaveScope`.
#[derive(Debug, Clone, Union)]
pub enum LeaveScopeResult {
    /// Left.
    LeaveScopeSuccess(LeaveScopeSuccess),
    /// The request carried no valid bearer token.
    NotAuthenticatedError(NotAuthenticatedError),
    /// No such scope, or the viewer is not a verified member of it.
    NotFoundError(NotFoundError),
    /// The organization's last admin cannot leave: make someone else admin first.
    LastAdminError(LastAdminError),
}

/// The organization has its new name.
#[derive(SimpleObject)]
#[graphql(name = "RenameOrganizationSuccess")]
pub struct RenameOrganizationSuccess<O: OrganizationObject> {
    /// The organization, renamed.
    pub organization: O,
}

/// The outcome of `renameOrganization`.
#[derive(Union)]
#[graphql(name = "RenameOrganizationResult")]
pub enum RenameOrganizationResult<O: OrganizationObject> {
    /// Renamed.
    RenameOrganizationSuccess(RenameOrganizationSuccess<O>),
    /// The request carried no valid bearer token.
    NotAuthenticatedError(NotAuthenticatedError),
    /// Only the organization's admins rename it.
    NotAuthorizedError(NotAuthorizedError),
    /// No such organization, or the viewer is not one of its members.
    NotFoundError(NotFoundError),
    /// The name is empty or longer than 100 characters; `field` is `name`.
    ValidationError(ValidationError),
}

/// The outcome of `removeMember`.
#[derive(Debug, Clone, Union)]
pub enum RemoveMemberResult {
    /// Removed.
    RemoveMemberSuccess(RemoveMemberSuccess),
    /// The request carried no valid bearer token.
    NotAuthenticatedError(NotAuthenticatedError),
    /// Only organization admins (and team owners, in their team) remove members.
    NotAuthorizedError(NotAuthorizedError),
    /// No such scope or member, or the scope is not visible to the viewer.
    NotFoundError(NotFoundError),
    /// The member is still invited: cancel the invitation instead.
    MemberPendingError(MemberPendingError),
    /// The last admin of an organization cannot be removed.
    LastAdminError(LastAdminError),
}

/// Organization mutations; `O` is the composed `Organization`.
pub struct OrganizationsMutation<O>(PhantomData<O>);

impl<O> Default for OrganizationsMutation<O> {
    fn default() -> Self {
        OrganizationsMutation(PhantomData)
    }
}

#[Object]
impl<O: OrganizationObject> OrganizationsMutation<O> {
    /// Creates an organization; the viewer becomes its first, verified ADMIN. The name is
    /// trimmed and must be 1 to 100 characters.
    async fn create_organization(
        &self,
        ctx: &Context<'_>,
        name: String,
    ) -> async_graphql::Result<CreateOrganizationResult<O>> {
        let Some(actor_id) = ctx.data::<Actor>()?.user_id() else {
            return Ok(CreateOrganizationResult::NotAuthenticatedError(NotAuthenticatedError::default()));
        };
        let settings = ctx.data::<OrganizationSettings>()?;
        if !settings.creation_open {
            return Ok(CreateOrganizationResult::NotAuthorizedError(NotAuthorizedError::new(
                "Organizations are created by this server's operator; ask them for an invitation.",
            )));
        }
        let client = ctx.data_opt::<ClientAddr>().copied().unwrap_or_default();
        Ok(match create_organization(ctx.data::<Db>()?, actor_id, &name, Some((settings, client))).await {
            Ok(row) => CreateOrganizationResult::CreateOrganizationSuccess(CreateOrganizationSuccess {
                organization: O::from(row),
            }),
            Err(CreateOrganizationError::Invalid(message)) => {
                CreateOrganizationResult::ValidationError(ValidationError::new("name", message))
            }
            Err(CreateOrganizationError::RateLimited(refused)) => {
                CreateOrganizationResult::RateLimitedError(RateLimitedError {
                    message: "Too many organizations created lately; try again later.".into(),
                    retry_after_seconds: refused.retry_after_seconds(),
                })
            }
            Err(CreateOrganizationError::Db(e)) => return Err(e).or_internal(),
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
        let (db, invitations) = (ctx.data::<Db>()?, ctx.data::<Invitations>()?);
        Ok(match remove_member(db, invitations, actor_id, &scope, &user_id).await {
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
            Err(RemoveMemberError::Db(e)) => return Err(e).or_internal(),
        })
    }

    /// Gives a member another role: ADMIN or MEMBER in an organization, OWNER or MEMBER in a
    /// team. For organization admins anywhere in their organization, and team owners in their
    /// team. For a pending member it changes the role their invitation grants. The last
    /// admin of an organization cannot be demoted. The audit log records "Admin changed member
    /// role", and the list a ROLE_CHANGED event.
    async fn change_member_role(
        &self,
        ctx: &Context<'_>,
        scope: MembershipScope,
        user_id: ID,
        role: Role,
    ) -> async_graphql::Result<ChangeMemberRoleResult> {
        let Some(actor_id) = ctx.data::<Actor>()?.user_id() else {
            return Ok(ChangeMemberRoleResult::NotAuthenticatedError(NotAuthenticatedError::default()));
        };
        Ok(match change_role(ctx.data::<Db>()?, actor_id, &scope, &user_id, role).await {
            Ok(member) => ChangeMemberRoleResult::ChangeMemberRoleSuccess(ChangeMemberRoleSuccess { member }),
            Err(ChangeRoleError::NotFound) => ChangeMemberRoleResult::NotFoundError(NotFoundError::new(
                "No such member in this organization or team.",
            )),
            Err(ChangeRoleError::NotAuthorized) => ChangeMemberRoleResult::NotAuthorizedError(
                NotAuthorizedError::new("Only organization admins, or the team's owners, may change roles."),
            ),
            Err(ChangeRoleError::InvalidRole) => ChangeMemberRoleResult::ValidationError(
                ValidationError::new("role", "ADMIN is valid only in organizations and OWNER only in teams."),
            ),
            Err(ChangeRoleError::LastAdmin) => ChangeMemberRoleResult::LastAdminError(LastAdminError {
                message: "The last admin of an organization cannot be demoted.".into(),
            }),
            Err(ChangeRoleError::Db(e)) => return Err(e).or_internal(),
        })
    }

    /// The viewer leaves an organization or a team where they are a verified member. Leaving
    /// an organization also leaves its teams. The last admin of an organization cannot leave.
    /// The audit log records "Member left"; the viewer's own subscriptions to the list end
    /// with FORBIDDEN.
    async fn leave_scope(
        &self,
        ctx: &Context<'_>,
        scope: MembershipScope,
    ) -> async_graphql::Result<LeaveScopeResult> {
        let Some(actor_id) = ctx.data::<Actor>()?.user_id() else {
            return Ok(LeaveScopeResult::NotAuthenticatedError(NotAuthenticatedError::default()));
        };
        let (db, invitations) = (ctx.data::<Db>()?, ctx.data::<Invitations>()?);
        Ok(match leave(db, invitations, actor_id, &scope).await {
            Ok(left) => LeaveScopeResult::LeaveScopeSuccess(LeaveScopeSuccess {
                organization_id: ID(left.organization_id),
                team_id: left.team_id.map(ID),
            }),
            Err(LeaveError::NotFound) => LeaveScopeResult::NotFoundError(NotFoundError::new(
                "You are not a member of this organization or team.",
            )),
            Err(LeaveError::LastAdmin) => LeaveScopeResult::LastAdminError(LastAdminError {
                message:
                    "The last admin of an organization cannot leave it; make someone else an admin first."
                        .into(),
            }),
            Err(LeaveError::Db(e)) => return Err(e).or_internal(),
        })
    }

    /// Renames an organization. For its admins; the name is trimmed and must be 1 to 100
    /// characters. The audit log records "Admin renamed organization".
    async fn rename_organization(
        &self,
        ctx: &Context<'_>,
        organization_id: ID,
        name: String,
    ) -> async_graphql::Result<RenameOrganizationResult<O>> {
        let Some(actor_id) = ctx.data::<Actor>()?.user_id() else {
            return Ok(RenameOrganizationResult::NotAuthenticatedError(NotAuthenticatedError::default()));
        };
        Ok(match rename_organization(ctx.data::<Db>()?, actor_id, &organization_id, &name).await {
            Ok(row) => RenameOrganizationResult::RenameOrganizationSuccess(RenameOrganizationSuccess {
                organization: O::from(row),
            }),
            Err(RenameOrganizationError::NotFound) => {
                RenameOrganizationResult::NotFoundError(NotFoundError::new("No such organization."))
            }
            Err(RenameOrganizationError::NotAuthorized) => RenameOrganizationResult::NotAuthorizedError(
                NotAuthorizedError::new("Only the organization's admins may rename it."),
            ),
            Err(RenameOrganizationError::Invalid(message)) => {
                RenameOrganizationResult::ValidationError(ValidationError::new("name", message))
            }
            Err(RenameOrganizationError::Db(e)) => return Err(e).or_internal(),
        })
    }
}

/// What this module's resolvers read from the schema's data: checked at startup, so a server
/// composed without the pending-invitations port, say, does not start.
pub fn needs() -> Vec<roster_core::port::Port> {
    use roster_core::port::Port;
    vec![Port::of::<Actor>(), Port::of::<Db>(), Port::of::<Invitations>(), Port::of::<OrganizationSettings>()]
}
