//! The one place the schema is composed. Startup, `print-schema` and the tests all build it
//! through [`schema`], so they cannot drift apart.

use async_graphql::{Interface, MergedObject, MergedSubscription, Schema, SchemaBuilder};
use roster_core::error::{
    NotAuthenticatedError, NotAuthorizedError, NotFoundError, RateLimitedError, ValidationError,
};
use roster_identity::graphql::{
    EmailTakenError, InvalidCredentialsError, InvalidTokenError, PasswordRequiredError,
};
use roster_identity::{IdentityMutation, IdentityQuery};
use roster_invitations::graphql::{
    AlreadyMemberError, InvalidInvitationError, InvitationAlreadyAcceptedError,
};
use roster_invitations::{InvitationsMutation, InvitationsQuery};
use roster_live::subscription::OrganizationsSubscription;
use roster_organizations::graphql::{LastAdminError, MemberPendingError};
use roster_organizations::lookup::OrganizationRow;
use roster_organizations::{
    OrganizationFields, OrganizationMembers, OrganizationsMutation, OrganizationsQuery,
};
use roster_teams::{OrganizationTeams, TeamFields, TeamParts, TeamsMutation, TeamsQuery};

/// An organization: a member list with admins, and teams. Only its verified members ever
/// see one.
///
/// Composed here from the modules' parts, because `Organization.teams` (from `roster-teams`)
/// and `Team.organization` refer to each other, and a GraphQL type's fields are fixed in one
/// Rust type: `roster-organizations` gives `id`, `name` and `members`, `roster-teams` gives
/// `teams`, and both know this type only as an `OrganizationObject`.
#[derive(MergedObject)]
#[graphql(name = "Organization")]
pub struct Organization(OrganizationFields, OrganizationTeams<Organization, Team>, OrganizationMembers);

impl From<OrganizationRow> for Organization {
    fn from(row: OrganizationRow) -> Self {
        Organization(row.clone().into(), row.clone().into(), row.into())
    }
}

// A team of an organization, composed here from the modules' parts as `Organization` is:
// `roster-teams` gives `id`, `name`, `organization` and `members`, and knows this type only
// as a `TeamObject`, so a module of a product's own can add a field to it. A plain comment,
// not a doc comment: a doc comment would become the type's description in the schema, which
// has none (the schema's text stays as it was when `Team` was one module's type).
#[allow(missing_docs)]
#[derive(MergedObject)]
#[graphql(name = "Team")]
pub struct Team(TeamFields<Organization>);

impl From<TeamParts> for Team {
    fn from(parts: TeamParts) -> Self {
        Team(parts.into())
    }
}

/// What the composed modules' resolvers read from the schema's data, all together: the server
/// refuses to start unless each is offered (`app.rs`), so no request finds one missing.
pub fn needs() -> Vec<roster_core::port::Port> {
    [
        roster_identity::graphql::needs(),
        roster_organizations::graphql::needs(),
        roster_teams::graphql::needs(),
        roster_invitations::graphql::needs(),
        roster_live::subscription::needs(),
    ]
    .concat()
}

/// Every query field, from every module.
#[derive(MergedObject, Default)]
pub struct Query(IdentityQuery, OrganizationsQuery<Organization>, TeamsQuery<Team>, InvitationsQuery);

/// Every mutation, from every module.
#[derive(MergedObject, Default)]
pub struct Mutation(
    IdentityMutation,
    OrganizationsMutation<Organization>,
    TeamsMutation<Team>,
    InvitationsMutation,
);

/// Every subscription, from every module.
#[derive(MergedSubscription, Default)]
pub struct Subscription(OrganizationsSubscription);

/// The composed schema type.
pub type RosterSchema = Schema<Query, Mutation, Subscription>;

// No field returns this interface, so `schema()` registers it explicitly; otherwise
// async-graphql drops it, and every `implements Error`, from the schema.
/// Every error a mutation answers implements this, so a client can select
/// `... on Error { message }` in any result union.
#[derive(Interface)]
#[graphql(name = "Error", field(name = "message", ty = "&String", desc = "What went wrong, for people."))]
pub enum ErrorInterface {
    /// The request needs a signed-in user.
    NotAuthenticatedError(NotAuthenticatedError),
    /// The signed-in user lacks the authority.
    NotAuthorizedError(NotAuthorizedError),
    /// The scope, member or invitation does not exist, or is not visible.
    NotFoundError(NotFoundError),
    /// An argument is invalid; `field` names it.
    ValidationError(ValidationError),
    /// Too many attempts; retry after `retryAfterSeconds`.
    RateLimitedError(RateLimitedError),
    /// The email belongs to an account already.
    EmailTakenError(EmailTakenError),
    /// The email and password do not match an account.
    InvalidCredentialsError(InvalidCredentialsError),
    /// The member accepted already ("Can only cancel invites for invited users").
    InvitationAlreadyAcceptedError(InvitationAlreadyAcceptedError),
    /// The invitation link is not (or no longer) valid.
    InvalidInvitationError(InvalidInvitationError),
    /// A verification or password reset link is not (or no longer) valid.
    InvalidTokenError(InvalidTokenError),
    /// Verifying an email needs the account's password, or a new one.
    PasswordRequiredError(PasswordRequiredError),
    /// The email is pending or verified in the scope already.
    AlreadyMemberError(AlreadyMemberError),
    /// The member is still invited: cancel instead of removing.
    MemberPendingError(MemberPendingError),
    /// The organization's last admin cannot be removed.
    LastAdminError(LastAdminError),
}

pub use crate::guard::SchemaLimits;

/// Most directives one field may carry: far more than any real query uses, and it bounds the
/// work of documents made of nothing but directives.
const MAX_DIRECTIVES: usize = 50;

/// The schema without request data: add `.data(..)` and `.finish()`. `limits` says what a
/// document may ask for; [`SchemaLimits::default`] is what `print-schema` and the tests use.
pub fn schema(limits: &SchemaLimits) -> SchemaBuilder<Query, Mutation, Subscription> {
    let mut builder = Schema::build(Query::default(), Mutation::default(), Subscription::default())
        .register_output_type::<ErrorInterface>()
        // First, so that its view of the document is the outermost: the guard below checks
        // the client's document, not the selections this one adds.
        .extension(crate::operation::ObserveOperations)
        // The scalar's own description names a Rust type; clients want the wire format.
        .override_output_type_description::<chrono::DateTime<chrono::Utc>>(DATE_TIME)
        .override_input_type_description::<chrono::DateTime<chrono::Utc>>(DATE_TIME)
        .extension(crate::request_errors::DetectRequestErrors)
        .extension(crate::guard::DocumentGuard(*limits))
        .limit_depth(limits.max_depth)
        // One more than the setting: the operation extension may add one `__typename` to
        // a document, which is not the client's to pay for (see `operation.rs`).
        .limit_complexity(limits.max_complexity.saturating_add(1))
        .limit_directives(MAX_DIRECTIVES);
    if !limits.introspection {
        // Suggestions ("Did you mean …?") would give the schema away field by field.
        builder = builder.disable_introspection().disable_suggestions();
    }
    builder
}

/// The description of the `DateTime` scalar.
const DATE_TIME: &str =
    "A point in time, as an RFC 3339 string in UTC, such as `2026-12-02T09:30:00.123456Z`.";

/// The schema as SDL, as `roster print-schema` prints it and `schema.graphql` holds it: all
/// that introspection serves, `@specifiedBy` included.
pub fn sdl() -> String {
    schema(&SchemaLimits::default())
        .finish()
        .sdl_with_options(async_graphql::SDLExportOptions::new().include_specified_by())
}
