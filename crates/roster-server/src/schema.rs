//! The one place the schema is composed. Startup, `print-schema` and the tests all build it
//! through [`schema`], so they cannot drift apart.

use async_graphql::{Interface, MergedObject, MergedSubscription, Schema, SchemaBuilder};
use roster_core::error::{
    NotAuthenticatedError, NotAuthorizedError, NotFoundError, RateLimitedError, ValidationError,
};
use roster_identity::graphql::{EmailTakenError, InvalidCredentialsError};
use roster_identity::{IdentityMutation, IdentityQuery};
use roster_invitations::InvitationsMutation;
use roster_invitations::graphql::{
    AlreadyMemberError, InvalidInvitationError, InvitationAlreadyAcceptedError,
};
use roster_organizations::graphql::{LastAdminError, MemberPendingError};
use roster_organizations::subscription::OrganizationsSubscription;
use roster_organizations::{OrganizationsMutation, OrganizationsQuery};

/// Every query field, from every module.
#[derive(MergedObject, Default)]
pub struct Query(IdentityQuery, OrganizationsQuery);

/// Every mutation, from every module.
#[derive(MergedObject, Default)]
pub struct Mutation(IdentityMutation, OrganizationsMutation, InvitationsMutation);

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
    /// See the type.
    NotAuthenticatedError(NotAuthenticatedError),
    /// See the type.
    NotAuthorizedError(NotAuthorizedError),
    /// See the type.
    NotFoundError(NotFoundError),
    /// See the type.
    ValidationError(ValidationError),
    /// See the type.
    RateLimitedError(RateLimitedError),
    /// See the type.
    EmailTakenError(EmailTakenError),
    /// See the type.
    InvalidCredentialsError(InvalidCredentialsError),
    /// See the type.
    InvitationAlreadyAcceptedError(InvitationAlreadyAcceptedError),
    /// See the type.
    InvalidInvitationError(InvalidInvitationError),
    /// See the type.
    AlreadyMemberError(AlreadyMemberError),
    /// See the type.
    MemberPendingError(MemberPendingError),
    /// See the type.
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
        .extension(crate::http::DetectRequestErrors)
        .extension(crate::guard::DocumentGuard(*limits))
        .limit_depth(limits.max_depth)
        .limit_complexity(limits.max_complexity)
        .limit_directives(MAX_DIRECTIVES);
    if !limits.introspection {
        // Suggestions ("Did you mean …?") would give the schema away field by field.
        builder = builder.disable_introspection().disable_suggestions();
    }
    builder
}

/// The schema as SDL, as `roster print-schema` prints it and `schema.graphql` holds it.
pub fn sdl() -> String {
    schema(&SchemaLimits::default()).finish().sdl()
}
