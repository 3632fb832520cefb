//! The invitations part of the schema.

use async_graphql::{Context, ID, Object, SimpleObject, Union};
use chrono::{DateTime, Utc};
use roster_core::error::{
    NotAuthenticatedError, NotAuthorizedError, NotFoundError, RateLimitedError, ValidationError,
};
use roster_core::{Actor, ClientAddr, internal_error};
use roster_db::Db;
use roster_identity::graphql::InvalidCredentialsError;
use roster_identity::{IdentitySettings, User};
use roster_organizations::{Member, MembershipScope, Role};

use crate::service::{self, AcceptError, Accepted, InvitationError, InvitationSettings};

/// The exact message of [`InvitationAlreadyAcceptedError`] for cancelling.
pub const CANCEL_ACCEPTED_MESSAGE: &str = "Can only cancel invites for invited users";

/// The member has accepted already. For `cancelInvitation` the message is exactly
/// "Can only cancel invites for invited users".
#[derive(Debug, Clone, SimpleObject)]
pub struct InvitationAlreadyAcceptedError {
    /// Says so.
    pub message: String,
}

/// Unknown, cancelled, superseded (resent), expired or already used invitation token.
#[derive(Debug, Clone, SimpleObject)]
pub struct InvalidInvitationError {
    /// One message for all of these, on purpose.
    pub message: String,
}

/// The email is already pending or verified in this organization or team.
#[derive(Debug, Clone, SimpleObject)]
pub struct AlreadyMemberError {
    /// Says so.
    pub message: String,
}

/// Invited: the member is listed as UNVERIFIED and the email is on its way.
#[derive(Debug, Clone, SimpleObject)]
pub struct InviteUserSuccess {
    /// The pending member.
    pub member: Member,
}

/// Sent again with a new link; the old link no longer works.
#[derive(Debug, Clone, SimpleObject)]
pub struct ResendInvitationSuccess {
    /// The pending member.
    pub member: Member,
}

/// Cancelled: the user has left the scope's list and the link no longer works.
#[derive(Debug, Clone, SimpleObject)]
pub struct CancelInvitationSuccess {
    /// The user whose invitation was cancelled.
    pub user_id: ID,
    /// When.
    pub cancelled_at: DateTime<Utc>,
}

/// Accepted: the user is a verified member and signed in.
#[derive(Debug, Clone, SimpleObject)]
pub struct AcceptInvitationSuccess {
    /// The user.
    pub user: User,
    /// A bearer token for them.
    pub token: String,
}

/// The outcome of `inviteUser`.
#[derive(Debug, Clone, Union)]
pub enum InviteUserResult {
    /// Done.
    InviteUserSuccess(InviteUserSuccess),
    /// Sign in first.
    NotAuthenticatedError(NotAuthenticatedError),
    /// Only organization admins (anywhere in it) and team owners (in their team) invite.
    NotAuthorizedError(NotAuthorizedError),
    /// No such organization or team (or not visible).
    NotFoundError(NotFoundError),
    /// A malformed email, or a role the scope does not have.
    ValidationError(ValidationError),
    /// The email is already pending or verified here.
    AlreadyMemberError(AlreadyMemberError),
    /// The organization, or the inviter, sent as many invitations as a day allows.
    RateLimitedError(RateLimitedError),
}

/// The outcome of `resendInvitation`.
#[derive(Debug, Clone, Union)]
pub enum ResendInvitationResult {
    /// Done.
    ResendInvitationSuccess(ResendInvitationSuccess),
    /// Sign in first.
    NotAuthenticatedError(NotAuthenticatedError),
    /// Only organization admins and team owners resend.
    NotAuthorizedError(NotAuthorizedError),
    /// No such scope or pending member (or not visible).
    NotFoundError(NotFoundError),
    /// The member has accepted already.
    InvitationAlreadyAcceptedError(InvitationAlreadyAcceptedError),
    /// Resent too often lately; wait `retryAfterSeconds`.
    RateLimitedError(RateLimitedError),
}

/// The outcome of `cancelInvitation`.
#[derive(Debug, Clone, Union)]
pub enum CancelInvitationResult {
    /// Done.
    CancelInvitationSuccess(CancelInvitationSuccess),
    /// Sign in first.
    NotAuthenticatedError(NotAuthenticatedError),
    /// Only organization admins and team owners cancel invitations.
    NotAuthorizedError(NotAuthorizedError),
    /// No such scope or pending member (or not visible).
    NotFoundError(NotFoundError),
    /// The member has accepted: remove them instead. The message is exactly
    /// "Can only cancel invites for invited users".
    InvitationAlreadyAcceptedError(InvitationAlreadyAcceptedError),
}

/// The outcome of `acceptInvitation`.
#[derive(Debug, Clone, Union)]
pub enum AcceptInvitationResult {
    /// Done.
    AcceptInvitationSuccess(AcceptInvitationSuccess),
    /// The link is unknown, expired, cancelled, superseded or used.
    InvalidInvitationError(InvalidInvitationError),
    /// A new account's password or display name is missing or invalid.
    ValidationError(ValidationError),
    /// Too many attempts from this address, or wrong passwords for this account, lately.
    RateLimitedError(RateLimitedError),
    /// The invitee has an account: sign in as it, or give its password.
    InvalidCredentialsError(InvalidCredentialsError),
}

/// Invitation mutations.
#[derive(Default)]
pub struct InvitationsMutation;

fn not_found() -> NotFoundError {
    NotFoundError::new("No such organization, team or pending invitation.")
}

fn not_authorized() -> NotAuthorizedError {
    NotAuthorizedError::new("You must be an Organization Administrator or Team Owner to manage invitations.")
}

#[Object]
impl InvitationsMutation {
    /// Invites `email` into an organization or a team. The person appears in the list as
    /// UNVERIFIED and gets an email with a link. role defaults to MEMBER. ADMIN is valid for
    /// organizations only, OWNER for teams only.
    async fn invite_user(
        &self,
        ctx: &Context<'_>,
        scope: MembershipScope,
        email: String,
        role: Option<Role>,
    ) -> async_graphql::Result<InviteUserResult> {
        let Some(actor_id) = ctx.data::<Actor>()?.user_id() else {
            return Ok(InviteUserResult::NotAuthenticatedError(NotAuthenticatedError::default()));
        };
        let (db, settings) = (ctx.data::<Db>()?, ctx.data::<InvitationSettings>()?);
        Ok(match service::invite(db, settings, actor_id, &scope, &email, role).await {
            Ok(member) => InviteUserResult::InviteUserSuccess(InviteUserSuccess { member }),
            Err(InvitationError::NotFound) => InviteUserResult::NotFoundError(not_found()),
            Err(InvitationError::NotAuthorized) => InviteUserResult::NotAuthorizedError(not_authorized()),
            Err(InvitationError::Invalid { field, message }) => {
                InviteUserResult::ValidationError(ValidationError::new(field, message))
            }
            Err(InvitationError::AlreadyMember) => InviteUserResult::AlreadyMemberError(AlreadyMemberError {
                message: "This email is already invited to, or a member of, this organization or team."
                    .into(),
            }),
            Err(InvitationError::RateLimited(refused)) => {
                InviteUserResult::RateLimitedError(RateLimitedError {
                    message: "Too many invitations were sent today; try again later.".into(),
                    retry_after_seconds: refused.retry_after_seconds(),
                })
            }
            Err(e) => return Err(internal_error(&e)),
        })
    }

    /// Sends a pending invitation again, with a new link; the old link stops working.
    /// Limited to a few resends per invitation per hour.
    async fn resend_invitation(
        &self,
        ctx: &Context<'_>,
        scope: MembershipScope,
        user_id: ID,
    ) -> async_graphql::Result<ResendInvitationResult> {
        let Some(actor_id) = ctx.data::<Actor>()?.user_id() else {
            return Ok(ResendInvitationResult::NotAuthenticatedError(NotAuthenticatedError::default()));
        };
        let (db, settings) = (ctx.data::<Db>()?, ctx.data::<InvitationSettings>()?);
        Ok(match service::resend(db, settings, actor_id, &scope, &user_id).await {
            Ok(member) => ResendInvitationResult::ResendInvitationSuccess(ResendInvitationSuccess { member }),
            Err(InvitationError::NotFound) => ResendInvitationResult::NotFoundError(not_found()),
            Err(InvitationError::NotAuthorized) => {
                ResendInvitationResult::NotAuthorizedError(not_authorized())
            }
            Err(InvitationError::AlreadyAccepted) => {
                ResendInvitationResult::InvitationAlreadyAcceptedError(InvitationAlreadyAcceptedError {
                    message: "Can only resend invites for invited users".into(),
                })
            }
            Err(InvitationError::RateLimited(refused)) => {
                ResendInvitationResult::RateLimitedError(RateLimitedError {
                    message: "This invitation was resent too often; try again later.".into(),
                    retry_after_seconds: refused.retry_after_seconds(),
                })
            }
            Err(e) => return Err(internal_error(&e)),
        })
    }

    /// Cancels a pending invitation immediately, with no confirmation step: the user leaves
    /// this organization's or team's list (and only this one) and the link stops working.
    /// The audit log records "Admin cancelled user invite". The same person can be invited
    /// again later.
    async fn cancel_invitation(
        &self,
        ctx: &Context<'_>,
        scope: MembershipScope,
        user_id: ID,
    ) -> async_graphql::Result<CancelInvitationResult> {
        let Some(actor_id) = ctx.data::<Actor>()?.user_id() else {
            return Ok(CancelInvitationResult::NotAuthenticatedError(NotAuthenticatedError::default()));
        };
        Ok(match service::cancel(ctx.data::<Db>()?, actor_id, &scope, &user_id).await {
            Ok(at) => CancelInvitationResult::CancelInvitationSuccess(CancelInvitationSuccess {
                user_id,
                cancelled_at: at.and_utc(),
            }),
            Err(InvitationError::NotFound) => CancelInvitationResult::NotFoundError(not_found()),
            Err(InvitationError::NotAuthorized) => {
                CancelInvitationResult::NotAuthorizedError(not_authorized())
            }
            Err(InvitationError::AlreadyAccepted) => {
                CancelInvitationResult::InvitationAlreadyAcceptedError(InvitationAlreadyAcceptedError {
                    message: CANCEL_ACCEPTED_MESSAGE.into(),
                })
            }
            Err(e) => return Err(internal_error(&e)),
        })
    }

    /// Accepts an invitation with the token from its link. password and displayName are
    /// required when the invitee has no account yet. An invitee who has an account must be
    /// signed in as it, or give its password.
    async fn accept_invitation(
        &self,
        ctx: &Context<'_>,
        token: String,
        password: Option<String>,
        display_name: Option<String>,
    ) -> async_graphql::Result<AcceptInvitationResult> {
        let (db, settings, identity, actor) = (
            ctx.data::<Db>()?,
            ctx.data::<InvitationSettings>()?,
            ctx.data::<IdentitySettings>()?,
            ctx.data::<Actor>()?,
        );
        let client = ctx.data_opt::<ClientAddr>().copied().unwrap_or_default();
        let (password, display_name) = (password.as_deref(), display_name.as_deref());
        Ok(
            match service::accept(db, settings, identity, actor, client, &token, password, display_name).await
            {
                Ok(Accepted { user, token }) => {
                    AcceptInvitationResult::AcceptInvitationSuccess(AcceptInvitationSuccess {
                        user: user.into(),
                        token,
                    })
                }
                Err(AcceptError::Invalid) => {
                    AcceptInvitationResult::InvalidInvitationError(InvalidInvitationError {
                        message: "This invitation link is invalid or has expired; ask for a new invitation."
                            .into(),
                    })
                }
                Err(AcceptError::InvalidArgument { field, message }) => {
                    AcceptInvitationResult::ValidationError(ValidationError::new(field, message))
                }
                Err(AcceptError::InvalidCredentials) => {
                    AcceptInvitationResult::InvalidCredentialsError(InvalidCredentialsError {
                        message:
                            "This invitation is for an existing account: sign in as it, or give its password."
                                .into(),
                    })
                }
                Err(AcceptError::RateLimited(refused)) => {
                    AcceptInvitationResult::RateLimitedError(RateLimitedError {
                        message: "Too many attempts; try again later.".into(),
                        retry_after_seconds: refused.retry_after_seconds(),
                    })
                }
                Err(e) => return Err(internal_error(&e)),
            },
        )
    }
}
