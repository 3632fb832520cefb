//! The identity part of the schema: `viewer`, `signUp`, `signIn`, `signOut`, email
//! verification, password reset, and `User`.

use async_graphql::{ComplexObject, Context, ID, Object, SimpleObject, Union};
use roster_core::error::{NotAuthenticatedError, NotAuthorizedError, RateLimitedError, ValidationError};
use roster_core::{Actor, ClientAddr, OrInternal as _};
use roster_db::Db;

use crate::request_password_reset::{RequestResetError, request_password_reset};
use crate::reset_password::reset_password;
use crate::send_verification::{SendVerificationError, send_verification_email};
use crate::service::{self, IdentitySettings, NewSession, SignInError, SignUpError};
use crate::store::UserRow;
use crate::verify_email::{Credentials, TokenError, Verified, VerifyError, verify_email};

/// A person with an account, or invited to make one.
#[derive(Debug, Clone, SimpleObject)]
#[graphql(complex)]
pub struct User {
    /// Stable, opaque id (`usr_…`).
    pub id: ID,
    /// The email address, as the user gave it.
    pub email: String,
    /// The name to show; null until the user sets one (an invitee who has not accepted yet).
    pub display_name: Option<String>,
    /// Whether the email is verified; shown only as `emailVerified`, to the user themself.
    #[graphql(skip)]
    pub verified: bool,
    /// Whether this object answers its own account's questions (a sign-in, a verification)
    /// even though the request carried no session for it yet.
    #[graphql(skip)]
    pub own: bool,
}

#[ComplexObject]
impl User {
    /// Whether the user proved they own the email: by a verification link, an invitation,
    /// or a password reset. Only the user themself sees it; for anyone else it is false.
    /// Until it is true, an invitation to this email lets its recipient take the account
    /// over, so an account registered with someone else's address is worth nothing.
    async fn email_verified(&self, ctx: &Context<'_>) -> bool {
        let is_self = self.own || ctx.data_opt::<Actor>().and_then(Actor::user_id) == Some(self.id.as_str());
        is_self && self.verified
    }
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        User {
            id: ID(row.id),
            email: row.email,
            display_name: row.display_name,
            verified: row.email_verified_at.is_some(),
            own: false,
        }
    }
}

impl User {
    /// The user as shown to themself: a result that just proved the account (a sign-in, a
    /// verification, a reset) shows `emailVerified` though the request had no session.
    pub fn own(row: UserRow) -> User {
        User { own: true, ..User::from(row) }
    }
}

/// The email is already in use by another account.
#[derive(Debug, Clone, SimpleObject)]
pub struct EmailTakenError {
    /// "An account with this email already exists."
    pub message: String,
}

/// The email and password do not match an account. One message whether the email is unknown
/// or the password wrong, so answers do not reveal which emails have accounts.
#[derive(Debug, Clone, SimpleObject)]
pub struct InvalidCredentialsError {
    /// "The email or password is incorrect." (or, when accepting an invitation, that the
    /// invitee's account must be signed in as, or its password given).
    pub message: String,
}

/// Signed up and signed in.
#[derive(Debug, Clone, SimpleObject)]
pub struct SignUpSuccess {
    /// The new account.
    pub user: User,
    /// A bearer token: send it as `Authorization: Bearer <token>`. Shown only once.
    pub token: String,
}

/// Signed in.
#[derive(Debug, Clone, SimpleObject)]
pub struct SignInSuccess {
    /// The account.
    pub user: User,
    /// A bearer token: send it as `Authorization: Bearer <token>`. Shown only once.
    pub token: String,
}

/// Signed out.
#[derive(Debug, Clone, SimpleObject)]
pub struct SignOutSuccess {
    /// True when the session was live and is now revoked; false when it was already revoked.
    pub revoked: bool,
}

/// The outcome of `signUp`. `NotAuthorizedError` means sign-up is closed on this server.
#[derive(Debug, Clone, Union)]
pub enum SignUpResult {
    /// The account exists and is signed in.
    SignUpSuccess(SignUpSuccess),
    /// A malformed email, a short password or a long display name; `field` says which.
    ValidationError(ValidationError),
    /// The email has an account already.
    EmailTakenError(EmailTakenError),
    /// Too many sign-ups from this client address (`ROSTER_SIGNUPS_PER_HOUR`); wait
    /// `retryAfterSeconds`.
    RateLimitedError(RateLimitedError),
    /// Sign-up is closed by configuration: accounts come from invitations only.
    NotAuthorizedError(NotAuthorizedError),
}

/// The outcome of `signIn`.
#[derive(Debug, Clone, Union)]
pub enum SignInResult {
    /// Signed in, with a new token.
    SignInSuccess(SignInSuccess),
    /// Unknown email or wrong password.
    InvalidCredentialsError(InvalidCredentialsError),
    /// Too many failed attempts for this email or from this address; wait
    /// `retryAfterSeconds`.
    RateLimitedError(RateLimitedError),
}

/// The outcome of `signOut`.
#[derive(Debug, Clone, Union)]
pub enum SignOutResult {
    /// The token no longer works.
    SignOutSuccess(SignOutSuccess),
    /// There was no valid session to sign out of.
    NotAuthenticatedError(NotAuthenticatedError),
}

/// The link is unknown, was used already, was replaced by a newer one, or expired: one
/// answer for all, so a token reveals nothing once it no longer works.
#[derive(Debug, Clone, SimpleObject)]
pub struct InvalidTokenError {
    /// "This link is invalid or has expired; ask for a new one."
    pub message: String,
}

impl Default for InvalidTokenError {
    fn default() -> Self {
        InvalidTokenError { message: "This link is invalid or has expired; ask for a new one.".into() }
    }
}

/// The email is verified.
#[derive(Debug, Clone, SimpleObject)]
pub struct VerifyEmailSuccess {
    /// The account, with `emailVerified` true.
    pub user: User,
    /// When the account was reclaimed with `newPassword`: a bearer token for a new session
    /// (every earlier session was revoked). Shown only once. Null otherwise.
    pub token: Option<String>,
}

/// The link proves the mailbox, not the account: verifying needs the account's password
/// (`password`), a new one that reclaims the account (`newPassword`), or a session of the
/// account. The link still works.
#[derive(Debug, Clone, SimpleObject)]
pub struct PasswordRequiredError {
    /// "Enter the account's password, or choose a new one, to verify this email."
    pub message: String,
}

/// The outcome of `verifyEmail`.
#[derive(Debug, Clone, Union)]
pub enum VerifyEmailResult {
    /// Verified.
    VerifyEmailSuccess(VerifyEmailSuccess),
    /// The link no longer works; `sendVerificationEmail` sends a new one.
    InvalidTokenError(InvalidTokenError),
    /// Not signed in as the account, and neither `password` nor `newPassword` given: ask for
    /// one and call again with the same token.
    PasswordRequiredError(PasswordRequiredError),
    /// `password` is not the account's. The link still works.
    InvalidCredentialsError(InvalidCredentialsError),
    /// `newPassword` is too short or too long; `field` is `newPassword`.
    ValidationError(ValidationError),
    /// Too many attempts from this address, or too many wrong passwords for this account or
    /// from this address; wait `retryAfterSeconds`.
    RateLimitedError(RateLimitedError),
}

/// A verification link is on its way, or was not needed.
#[derive(Debug, Clone, SimpleObject)]
pub struct SendVerificationEmailSuccess {
    /// The signed-in account. When `emailVerified` is already true, no mail was sent.
    pub user: User,
}

/// The outcome of `sendVerificationEmail`.
#[derive(Debug, Clone, Union)]
pub enum SendVerificationEmailResult {
    /// Queued (or not needed).
    SendVerificationEmailSuccess(SendVerificationEmailSuccess),
    /// No valid session.
    NotAuthenticatedError(NotAuthenticatedError),
    /// Too many links were sent to this address lately; wait `retryAfterSeconds`.
    RateLimitedError(RateLimitedError),
}

/// The request was taken. The same answer whether or not the email has an account.
#[derive(Debug, Clone, SimpleObject)]
pub struct RequestPasswordResetSuccess {
    /// "If an account exists for this email, a link to reset its password is on its way."
    pub message: String,
}

/// The outcome of `requestPasswordReset`.
#[derive(Debug, Clone, Union)]
pub enum RequestPasswordResetResult {
    /// Taken; a link is mailed if the account exists.
    RequestPasswordResetSuccess(RequestPasswordResetSuccess),
    /// `email` is not an email address.
    ValidationError(ValidationError),
    /// Too many requests for this email or from this address; wait `retryAfterSeconds`.
    RateLimitedError(RateLimitedError),
}

/// The password is changed, every earlier session is revoked, and this one is new.
#[derive(Debug, Clone, SimpleObject)]
pub struct ResetPasswordSuccess {
    /// The account.
    pub user: User,
    /// A bearer token for a new session. Shown only once.
    pub token: String,
}

/// The outcome of `resetPassword`.
#[derive(Debug, Clone, Union)]
pub enum ResetPasswordResult {
    /// Changed and signed in.
    ResetPasswordSuccess(ResetPasswordSuccess),
    /// The link no longer works; `requestPasswordReset` sends a new one.
    InvalidTokenError(InvalidTokenError),
    /// The new password is too short or too long.
    ValidationError(ValidationError),
    /// Too many attempts from this address; wait `retryAfterSeconds`.
    RateLimitedError(RateLimitedError),
}

fn rate_limited(message: &str, refused: roster_db::limit::Refused) -> RateLimitedError {
    RateLimitedError { message: message.into(), retry_after_seconds: refused.retry_after_seconds() }
}

/// Identity queries.
#[derive(Default)]
pub struct IdentityQuery;

#[Object]
impl IdentityQuery {
    /// The signed-in user; null for anonymous requests (no token, or an invalid, expired or
    /// revoked one).
    async fn viewer(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        let Some(user_id) = ctx.data::<Actor>()?.user_id() else {
            return Ok(None);
        };
        let db = ctx.data::<Db>()?;
        Ok(service::user(db, user_id).await.or_internal()?.map(User::from))
    }
}

/// Identity mutations.
#[derive(Default)]
pub struct IdentityMutation;

#[Object]
impl IdentityMutation {
    /// Creates an account with a password and signs it in. Emails are trimmed and compared
    /// case-insensitively; passwords need at least 8 characters.
    async fn sign_up(
        &self,
        ctx: &Context<'_>,
        email: String,
        password: String,
        display_name: Option<String>,
    ) -> async_graphql::Result<SignUpResult> {
        let db = ctx.data::<Db>()?;
        let settings = ctx.data::<IdentitySettings>()?;
        let client = ctx.data_opt::<ClientAddr>().copied().unwrap_or_default();
        Ok(match service::sign_up(db, settings, client, &email, &password, display_name.as_deref()).await {
            Ok(NewSession { user, token }) => {
                SignUpResult::SignUpSuccess(SignUpSuccess { user: User::own(user), token })
            }
            Err(SignUpError::Invalid { field, message }) => {
                SignUpResult::ValidationError(ValidationError::new(field, message))
            }
            Err(SignUpError::EmailTaken) => SignUpResult::EmailTakenError(EmailTakenError {
                message: "An account with this email already exists.".into(),
            }),
            Err(SignUpError::Closed) => SignUpResult::NotAuthorizedError(NotAuthorizedError::new(
                "Sign-up is closed on this server; ask an administrator for an invitation.",
            )),
            Err(SignUpError::RateLimited(refused)) => SignUpResult::RateLimitedError(RateLimitedError {
                message: "Too many sign-ups from this address; try again later.".into(),
                retry_after_seconds: refused.retry_after_seconds(),
            }),
            Err(SignUpError::Db(e)) => return Err(e).or_internal(),
            Err(SignUpError::Hash(e)) => return Err(e).or_internal(),
        })
    }

    /// Signs in with an email and password, returning a new bearer token.
    async fn sign_in(
        &self,
        ctx: &Context<'_>,
        email: String,
        password: String,
    ) -> async_graphql::Result<SignInResult> {
        let db = ctx.data::<Db>()?;
        let settings = ctx.data::<IdentitySettings>()?;
        let client = ctx.data_opt::<ClientAddr>().copied().unwrap_or_default();
        Ok(match service::sign_in(db, settings, client, &email, &password).await {
            Ok(NewSession { user, token }) => {
                SignInResult::SignInSuccess(SignInSuccess { user: User::own(user), token })
            }
            Err(SignInError::InvalidCredentials) => {
                SignInResult::InvalidCredentialsError(InvalidCredentialsError {
                    message: "The email or password is incorrect.".into(),
                })
            }
            Err(SignInError::RateLimited(refused)) => SignInResult::RateLimitedError(RateLimitedError {
                message: "Too many failed sign-in attempts; try again later.".into(),
                retry_after_seconds: refused.retry_after_seconds(),
            }),
            Err(SignInError::Db(e)) => return Err(e).or_internal(),
        })
    }

    /// Verifies the email with the token from the link `signUp` mailed. The link proves the
    /// mailbox, not the account (anyone can sign up with someone else's address), so it also
    /// takes one of: a session of the account (the request signed in as it), the account's
    /// `password` (counted against the sign-in limits), or a `newPassword`, which reclaims the
    /// account: the password is replaced, every session revoked, and the answer carries a new
    /// session's `token`. With none of them the answer is `PasswordRequiredError` and the link
    /// still works, so opening it verifies nothing by itself. Works on any device. A link
    /// works once, for 24 hours; only the newest works.
    async fn verify_email(
        &self,
        ctx: &Context<'_>,
        token: String,
        password: Option<String>,
        new_password: Option<String>,
    ) -> async_graphql::Result<VerifyEmailResult> {
        let (db, settings, actor) =
            (ctx.data::<Db>()?, ctx.data::<IdentitySettings>()?, ctx.data::<Actor>()?);
        let client = ctx.data_opt::<ClientAddr>().copied().unwrap_or_default();
        let credentials =
            Credentials { password: password.as_deref(), new_password: new_password.as_deref() };
        Ok(match verify_email(db, settings, actor, client, &token, credentials).await {
            Ok(Verified::Verified(user)) => VerifyEmailResult::VerifyEmailSuccess(VerifyEmailSuccess {
                user: User::own(user),
                token: None,
            }),
            Ok(Verified::Reclaimed(NewSession { user, token })) => {
                VerifyEmailResult::VerifyEmailSuccess(VerifyEmailSuccess {
                    user: User::own(user),
                    token: Some(token),
                })
            }
            Err(VerifyError::Invalid) => VerifyEmailResult::InvalidTokenError(InvalidTokenError::default()),
            Err(VerifyError::PasswordRequired) => {
                VerifyEmailResult::PasswordRequiredError(PasswordRequiredError {
                    message: "Enter the account's password, or choose a new one, to verify this email."
                        .into(),
                })
            }
            Err(VerifyError::InvalidCredentials) => {
                VerifyEmailResult::InvalidCredentialsError(InvalidCredentialsError {
                    message: "The password is incorrect.".into(),
                })
            }
            Err(VerifyError::InvalidArgument { field, message }) => {
                VerifyEmailResult::ValidationError(ValidationError::new(field, message))
            }
            Err(VerifyError::RateLimited(refused)) => VerifyEmailResult::RateLimitedError(rate_limited(
                "Too many attempts; try again later.",
                refused,
            )),
            Err(VerifyError::Db(e)) => return Err(e).or_internal(),
            Err(VerifyError::Hash(e)) => return Err(e).or_internal(),
        })
    }

    /// Mails the signed-in user a new verification link; earlier links stop working. Does
    /// nothing for an email already verified. Counted against the same per-email limit as
    /// `requestPasswordReset`.
    async fn send_verification_email(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<SendVerificationEmailResult> {
        let (db, settings, actor) =
            (ctx.data::<Db>()?, ctx.data::<IdentitySettings>()?, ctx.data::<Actor>()?);
        Ok(match send_verification_email(db, settings, actor).await {
            Ok(user) => {
                SendVerificationEmailResult::SendVerificationEmailSuccess(SendVerificationEmailSuccess {
                    user: User::own(user),
                })
            }
            Err(SendVerificationError::NotAuthenticated) => {
                SendVerificationEmailResult::NotAuthenticatedError(NotAuthenticatedError::default())
            }
            Err(SendVerificationError::RateLimited(refused)) => {
                SendVerificationEmailResult::RateLimitedError(rate_limited(
                    "Too many emails were sent to this address lately; try again later.",
                    refused,
                ))
            }
            Err(SendVerificationError::Db(e)) => return Err(e).or_internal(),
        })
    }

    /// Mails a link to choose a new password, if `email` has an account. The answer, and
    /// how long it takes, are the same whether or not it has one. Limited per email and per
    /// client address (`ROSTER_RESET_REQUESTS_PER_HOUR` each).
    async fn request_password_reset(
        &self,
        ctx: &Context<'_>,
        email: String,
    ) -> async_graphql::Result<RequestPasswordResetResult> {
        let (db, settings) = (ctx.data::<Db>()?, ctx.data::<IdentitySettings>()?);
        let client = ctx.data_opt::<ClientAddr>().copied().unwrap_or_default();
        Ok(match request_password_reset(db, settings, client, &email).await {
            Ok(()) => RequestPasswordResetResult::RequestPasswordResetSuccess(RequestPasswordResetSuccess {
                message: "If an account exists for this email, a link to reset its password is on its way."
                    .into(),
            }),
            Err(RequestResetError::InvalidEmail) => RequestPasswordResetResult::ValidationError(
                ValidationError::new("email", "This is not a valid email address."),
            ),
            Err(RequestResetError::RateLimited(refused)) => RequestPasswordResetResult::RateLimitedError(
                rate_limited("Too many reset requests; try again later.", refused),
            ),
            Err(RequestResetError::Db(e)) => return Err(e).or_internal(),
        })
    }

    /// Sets a new password with the token from a reset link, and signs in. The link works
    /// once, for an hour. Every session the account had is revoked (open subscriptions
    /// close), and the email counts as verified: the link proved the mailbox.
    async fn reset_password(
        &self,
        ctx: &Context<'_>,
        token: String,
        password: String,
    ) -> async_graphql::Result<ResetPasswordResult> {
        let (db, settings) = (ctx.data::<Db>()?, ctx.data::<IdentitySettings>()?);
        let client = ctx.data_opt::<ClientAddr>().copied().unwrap_or_default();
        Ok(match reset_password(db, settings, client, &token, &password).await {
            Ok(NewSession { user, token }) => {
                ResetPasswordResult::ResetPasswordSuccess(ResetPasswordSuccess {
                    user: User::own(user),
                    token,
                })
            }
            Err(TokenError::Invalid) => ResetPasswordResult::InvalidTokenError(InvalidTokenError::default()),
            Err(TokenError::InvalidArgument { field, message }) => {
                ResetPasswordResult::ValidationError(ValidationError::new(field, message))
            }
            Err(TokenError::RateLimited(refused)) => ResetPasswordResult::RateLimitedError(rate_limited(
                "Too many attempts; try again later.",
                refused,
            )),
            Err(TokenError::Db(e)) => return Err(e).or_internal(),
            Err(TokenError::Hash(e)) => return Err(e).or_internal(),
        })
    }

    /// Revokes the bearer token this request was made with.
    async fn sign_out(&self, ctx: &Context<'_>) -> async_graphql::Result<SignOutResult> {
        let actor = ctx.data::<Actor>()?;
        if actor.user_id().is_none() {
            return Ok(SignOutResult::NotAuthenticatedError(NotAuthenticatedError::default()));
        }
        let db = ctx.data::<Db>()?;
        let revoked = service::sign_out(db, actor).await.or_internal()?;
        Ok(SignOutResult::SignOutSuccess(SignOutSuccess { revoked }))
    }
}

/// What this module's resolvers read from the schema's data (besides the request's `Actor`,
/// `Db` and `ClientAddr`, which the server gives every request): checked at startup.
pub fn needs() -> Vec<roster_core::port::Port> {
    use roster_core::port::Port;
    vec![Port::of::<Actor>(), Port::of::<Db>(), Port::of::<IdentitySettings>()]
}
