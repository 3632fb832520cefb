//! The identity part of the schema: `viewer`, `signUp`, `signIn`, `signOut`, and `User`.

use async_graphql::{Context, ID, Object, SimpleObject, Union};
use roster_core::error::{NotAuthenticatedError, NotAuthorizedError, RateLimitedError, ValidationError};
use roster_core::{Actor, ClientAddr, OrInternal as _};
use roster_db::Db;

use crate::service::{self, IdentitySettings, NewSession, SignInError, SignUpError};
use crate::store::UserRow;

/// A person with an account, or invited to make one.
#[derive(Debug, Clone, SimpleObject)]
pub struct User {
    /// Stable, opaque id (`usr_…`).
    pub id: ID,
    /// The email address, as the user gave it.
    pub email: String,
    /// The name to show; null until the user sets one (an invitee who has not accepted yet).
    pub display_name: Option<String>,
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        User { id: ID(row.id), email: row.email, display_name: row.display_name }
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
    /// Not used by sign-up today; kept for clients written against the contract.
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
        Ok(match service::sign_up(db, settings, &email, &password, display_name.as_deref()).await {
            Ok(NewSession { user, token }) => {
                SignUpResult::SignUpSuccess(SignUpSuccess { user: user.into(), token })
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
                SignInResult::SignInSuccess(SignInSuccess { user: user.into(), token })
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
