//! The invitations part of the schema.

use async_graphql::{Context, ErrorExtensions as _, ID, InputObject, Object, SimpleObject, Union};
use chrono::{DateTime, Utc};
use roster_core::error::{
    NotAuthenticatedError, NotAuthorizedError, NotFoundError, RateLimitedError, ValidationError,
};
use roster_core::{Actor, ClientAddr, OrInternal as _};
use roster_db::Db;
use roster_identity::graphql::InvalidCredentialsError;
use roster_identity::proof::ProofError;
use roster_identity::{IdentitySettings, User};
use roster_organizations::{Member, MembershipScope, Role};

use crate::accept::{AcceptError, Acceptance, Accepted, accept};
use crate::cancel::{self, CancelError, cancel};
use crate::invite::{InviteError, invite};
use crate::invite_many::{Item, invite_many};
use crate::preview::{Preview, PreviewError, preview};
use crate::resend::{ResendError, resend};
use crate::settings::InvitationSettings;

/// The member has accepted their invitation already (verified status). For
/// `cancelInvitation` the message is exactly "Can only cancel invites for invited users":
/// remove them with `removeMember` instead.
#[derive(Debug, Clone, SimpleObject)]
pub struct InvitationAlreadyAcceptedError {
    /// "Can only cancel invites for invited users", or "Can only resend invites for invited
    /// users".
    pub message: String,
}

/// The invitation link's token is unknown, cancelled, superseded by a resend, expired or
/// already used. One answer for all of these, on purpose: ask for a new invitation.
#[derive(Debug, Clone, SimpleObject)]
pub struct InvalidInvitationError {
    /// "This invitation link is invalid or has expired; ask for a new invitation."
    pub message: String,
}

/// The email is already pending or verified in this organization or team.
#[derive(Debug, Clone, SimpleObject)]
pub struct AlreadyMemberError {
    /// "This email is already invited to, or a member of, this organization or team."
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
    /// When the cancellation took effect.
    pub cancelled_at: DateTime<Utc>,
}

/// Accepted: the user is a verified member and signed in.
#[derive(Debug, Clone, SimpleObject)]
pub struct AcceptInvitationSuccess {
    /// The invitee, now a verified member.
    pub user: User,
    /// A bearer token for the invitee: send it as `Authorization: Bearer <token>`. Shown
    /// only once.
    pub token: String,
}

/// The outcome of `inviteUser`.
#[derive(Debug, Clone, Union)]
#[expect(
    clippy::large_enum_variant,
    reason = "one result per request, returned at once; boxing would only add an allocation"
)]
pub enum InviteUserResult {
    /// Invited: listed as UNVERIFIED, the email is on its way.
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

/// One person to invite with `inviteUsers`.
#[derive(Debug, Clone, InputObject)]
pub struct InvitationInput {
    /// Their email address.
    pub email: String,
    /// The role the invitation grants; MEMBER when omitted. ADMIN is valid in organizations
    /// only, OWNER in teams only.
    pub role: Option<Role>,
}

/// Every item was tried; `results` says how each went.
#[derive(Debug, Clone, SimpleObject)]
pub struct InviteUsersSuccess {
    /// One result per item, in input order: what `inviteUser` would have answered for it.
    pub results: Vec<InviteUserResult>,
}

/// The outcome of `inviteUsers`.
#[derive(Debug, Clone, Union)]
pub enum InviteUsersResult {
    /// Every item was tried.
    InviteUsersSuccess(InviteUsersSuccess),
    /// The request carried no valid bearer token.
    NotAuthenticatedError(NotAuthenticatedError),
    /// More than 100 items; `field` is `invitations`. Nobody was invited.
    ValidationError(ValidationError),
}

/// The outcome of `resendInvitation`.
#[derive(Debug, Clone, Union)]
#[expect(
    clippy::large_enum_variant,
    reason = "one result per request, returned at once; boxing would only add an allocation"
)]
pub enum ResendInvitationResult {
    /// Resent with a new link.
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
    /// Cancelled: the user left the list.
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
    /// Accepted: a verified member, signed in.
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

/// A pending invitation, as the page its link opens shows it before accepting.
#[derive(Debug, Clone, SimpleObject)]
pub struct InvitationPreview {
    /// The organization the invitation is into (for a team, the team's organization).
    pub organization_name: String,
    /// The team's name, for a team invitation; null for an organization.
    pub team_name: Option<String>,
    /// The display name of whoever sent the invitation (or last resent it); null when they
    /// have none or an operator created it.
    pub inviter_name: Option<String>,
    /// The role the invitee gets on accepting.
    pub role: Role,
    /// The address the invitation was sent to.
    pub email: String,
    /// When the link stops working (UTC).
    pub expires_at: DateTime<Utc>,
    /// True when the invitee has an account to prove: sign in as it, or pass its password
    /// to `acceptInvitation`. False when they choose a password and display name, which
    /// `acceptInvitation` then requires.
    pub account_exists: bool,
}

impl From<Preview> for InvitationPreview {
    fn from(p: Preview) -> Self {
        InvitationPreview {
            organization_name: p.organization_name,
            team_name: p.team_name,
            inviter_name: p.inviter_name,
            role: p.role,
            email: p.email,
            expires_at: p.expires_at.and_utc(),
            account_exists: p.account_exists,
        }
    }
}

/// Invitation queries.
#[derive(Default)]
pub struct InvitationsQuery;

#[Object]
impl InvitationsQuery {
    /// The pending invitation whose link carries `token`, for an accept page; works without
    /// signing in. Null, the same null, for a token that is unknown, expired, cancelled,
    /// superseded by a resend, or already used. Counted with `acceptInvitation` against one
    /// per-address limit; past it, the answer is an error with code `RATE_LIMITED` and
    /// `retryAfterSeconds` in its extensions.
    async fn invitation(
        &self,
        ctx: &Context<'_>,
        token: String,
    ) -> async_graphql::Result<Option<InvitationPreview>> {
        let (db, settings) = (ctx.data::<Db>()?, ctx.data::<InvitationSettings>()?);
        let client = ctx.data_opt::<ClientAddr>().copied().unwrap_or_default();
        match preview(db, settings, client, &token).await {
            Ok(found) => Ok(found.map(InvitationPreview::from)),
            Err(PreviewError::RateLimited(refused)) => {
                let retry_after = refused.retry_after_seconds();
                Err(async_graphql::Error::new("Too many attempts; try again later.").extend_with(|_, e| {
                    e.set("code", "RATE_LIMITED");
                    e.set("retryAfterSeconds", retry_after);
                }))
            }
            Err(PreviewError::Db(e)) => Err(e).or_internal(),
        }
    }
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

fn rate_limited(message: &str, refused: roster_db::limit::Refused) -> RateLimitedError {
    RateLimitedError { message: message.into(), retry_after_seconds: refused.retry_after_seconds() }
}

/// What `inviteUser` answers for one invitation's outcome.
fn invite_answer(outcome: Result<Member, InviteError>) -> async_graphql::Result<InviteUserResult> {
    Ok(match outcome {
        Ok(member) => InviteUserResult::InviteUserSuccess(InviteUserSuccess { member }),
        Err(InviteError::NotFound) => InviteUserResult::NotFoundError(not_found()),
        Err(InviteError::NotAuthorized) => InviteUserResult::NotAuthorizedError(not_authorized()),
        Err(InviteError::Invalid { field, message }) => {
            InviteUserResult::ValidationError(ValidationError::new(field, message))
        }
        Err(InviteError::AlreadyMember) => InviteUserResult::AlreadyMemberError(AlreadyMemberError {
            message: "This email is already invited to, or a member of, this organization or team.".into(),
        }),
        Err(InviteError::RateLimited(refused)) => InviteUserResult::RateLimitedError(rate_limited(
            "Too many invitations were sent today; try again later.",
            refused,
        )),
        Err(InviteError::UnverifiedAllowance(refused)) => InviteUserResult::RateLimitedError(rate_limited(
            "Verify your email address to send more invitations today.",
            refused,
        )),
        Err(InviteError::Db(e)) => return Err(e).or_internal(),
    })
}

#[Object]
impl InvitationsMutation {
    /// Invites `email` into an organization or a team. The person appears in the list as
    /// UNVERIFIED at once and gets an email with a link. role defaults to MEMBER; ADMIN is
    /// valid for organizations only, OWNER for teams only. For organization admins (anywhere
    /// in their organization) and team owners (in their team).
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
        invite_answer(invite(db, settings, actor_id, &scope, &email, role).await)
    }

    /// Invites many people into one organization or team: each item is answered as
    /// `inviteUser` would answer it, in input order, and one bad item does not stop the
    /// others. At most 100 items. They count against the invitation limits one by one, and
    /// against the complexity limit like a page of as many rows.
    #[graphql(complexity = "roster_core::page::batch_complexity(invitations.len(), child_complexity)")]
    async fn invite_users(
        &self,
        ctx: &Context<'_>,
        scope: MembershipScope,
        invitations: Vec<InvitationInput>,
    ) -> async_graphql::Result<InviteUsersResult> {
        let Some(actor_id) = ctx.data::<Actor>()?.user_id() else {
            return Ok(InviteUsersResult::NotAuthenticatedError(NotAuthenticatedError::default()));
        };
        let (db, settings) = (ctx.data::<Db>()?, ctx.data::<InvitationSettings>()?);
        let items: Vec<Item> =
            invitations.into_iter().map(|i| Item { email: i.email, role: i.role }).collect();
        let Ok(outcomes) = invite_many(db, settings, actor_id, &scope, &items).await else {
            return Ok(InviteUsersResult::ValidationError(ValidationError::new(
                "invitations",
                "Invite at most 100 people at once.",
            )));
        };
        let results = outcomes.into_iter().map(invite_answer).collect::<async_graphql::Result<_>>()?;
        Ok(InviteUsersResult::InviteUsersSuccess(InviteUsersSuccess { results }))
    }

    /// Sends a pending invitation again, with a new link; the old link stops working. Limited
    /// to a few resends per person and scope per hour (cancelling and inviting again does not
    /// reset the count).
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
        Ok(match resend(db, settings, actor_id, &scope, &user_id).await {
            Ok(member) => ResendInvitationResult::ResendInvitationSuccess(ResendInvitationSuccess { member }),
            Err(ResendError::NotFound) => ResendInvitationResult::NotFoundError(not_found()),
            Err(ResendError::NotAuthorized) => ResendInvitationResult::NotAuthorizedError(not_authorized()),
            Err(ResendError::AlreadyAccepted) => {
                ResendInvitationResult::InvitationAlreadyAcceptedError(InvitationAlreadyAcceptedError {
                    message: "Can only resend invites for invited users".into(),
                })
            }
            Err(ResendError::RateLimited(refused)) => ResendInvitationResult::RateLimitedError(rate_limited(
                "This invitation was resent too often; try again later.",
                refused,
            )),
            Err(ResendError::UnverifiedAllowance(refused)) => ResendInvitationResult::RateLimitedError(
                rate_limited("Verify your email address to send more invitations today.", refused),
            ),
            Err(ResendError::Db(e)) => return Err(e).or_internal(),
        })
    }

    /// Cancels a pending invitation immediately, with no confirmation step: the user leaves
    /// this organization's or team's list (and only this one) and the link stops working.
    /// The audit log records "Admin cancelled user invite". The same person can be invited
    /// again later. A verified member gets "Can only cancel invites for invited users".
    async fn cancel_invitation(
        &self,
        ctx: &Context<'_>,
        scope: MembershipScope,
        user_id: ID,
    ) -> async_graphql::Result<CancelInvitationResult> {
        let Some(actor_id) = ctx.data::<Actor>()?.user_id() else {
            return Ok(CancelInvitationResult::NotAuthenticatedError(NotAuthenticatedError::default()));
        };
        Ok(match cancel(ctx.data::<Db>()?, actor_id, &scope, &user_id).await {
            Ok(at) => CancelInvitationResult::CancelInvitationSuccess(CancelInvitationSuccess {
                user_id,
                cancelled_at: at.and_utc(),
            }),
            Err(CancelError::NotFound) => CancelInvitationResult::NotFoundError(not_found()),
            Err(CancelError::NotAuthorized) => CancelInvitationResult::NotAuthorizedError(not_authorized()),
            Err(CancelError::AlreadyAccepted) => {
                CancelInvitationResult::InvitationAlreadyAcceptedError(InvitationAlreadyAcceptedError {
                    message: cancel::ALREADY_ACCEPTED.into(),
                })
            }
            Err(CancelError::Db(e)) => return Err(e).or_internal(),
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
        let (db, settings, identity) =
            (ctx.data::<Db>()?, ctx.data::<InvitationSettings>()?, ctx.data::<IdentitySettings>()?);
        let acceptance = Acceptance {
            actor: ctx.data::<Actor>()?,
            client: ctx.data_opt::<ClientAddr>().copied().unwrap_or_default(),
            token: &token,
            password: password.as_deref(),
            display_name: display_name.as_deref(),
        };
        Ok(match accept(db, settings, identity, acceptance).await {
            Ok(Accepted { user, token }) => {
                AcceptInvitationResult::AcceptInvitationSuccess(AcceptInvitationSuccess {
                    user: User::own(user),
                    token,
                })
            }
            Err(AcceptError::Invalid) => {
                AcceptInvitationResult::InvalidInvitationError(InvalidInvitationError {
                    message: "This invitation link is invalid or has expired; ask for a new invitation."
                        .into(),
                })
            }
            Err(AcceptError::Proof(ProofError::InvalidArgument { field, message })) => {
                AcceptInvitationResult::ValidationError(ValidationError::new(field, message))
            }
            Err(AcceptError::Proof(ProofError::InvalidCredentials)) => {
                AcceptInvitationResult::InvalidCredentialsError(InvalidCredentialsError {
                    message:
                        "This invitation is for an existing account: sign in as it, or give its password."
                            .into(),
                })
            }
            Err(AcceptError::RateLimited(refused) | AcceptError::Proof(ProofError::RateLimited(refused))) => {
                AcceptInvitationResult::RateLimitedError(rate_limited(
                    "Too many attempts; try again later.",
                    refused,
                ))
            }
            Err(AcceptError::Db(e) | AcceptError::Proof(ProofError::Db(e))) => return Err(e).or_internal(),
            Err(AcceptError::Proof(ProofError::Hash(e))) => return Err(e).or_internal(),
        })
    }
}

/// What this module's resolvers read from the schema's data: checked at startup.
pub fn needs() -> Vec<roster_core::port::Port> {
    use roster_core::port::Port;
    vec![
        Port::of::<Actor>(),
        Port::of::<Db>(),
        Port::of::<roster_identity::IdentitySettings>(),
        Port::of::<InvitationSettings>(),
    ]
}
