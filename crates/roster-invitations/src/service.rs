//! Invite, resend, cancel and accept. Each is one transaction that also writes its audit
//! entry (and, for invite and resend, the outbox row of its email).

use std::sync::Arc;
use std::time::Duration;

use chrono::{NaiveDateTime, TimeDelta};
use roster_audit::{AuditCode, NewEntry};
use roster_core::id::{IdKind, new_id};
use roster_core::{Actor, ClientAddr};
use roster_db::limit::{self, Limit, Refused};
use roster_db::{Conn, Db, DbError, from_diesel_error};
use roster_identity::service::begin_password_attempt;
use roster_identity::store::UserRow;
use roster_identity::{IdentitySettings, email, password};
use roster_organizations::Authority;
use roster_organizations::events::{self, Change, EventKind};
use roster_organizations::members::{ActionRules, Member};
use roster_organizations::role::{Role, Status};
use roster_organizations::scope::{self, MembershipScope, Scope};
use roster_organizations::service::{Denied, check};
use roster_organizations::store::{self as org_store, MembershipRow};
use tokio::sync::Notify;

use crate::store::{self, InvitationRow, OutboxRow, State};

/// Invitation settings, shared through the GraphQL context.
#[derive(Debug, Clone)]
pub struct InvitationSettings {
    /// How long a link works after it is sent.
    pub ttl: Duration,
    /// Base of the accept link, without a trailing slash.
    pub public_url: String,
    /// Invitations per organization (its teams included) per day.
    pub invites_per_organization: Limit,
    /// Invitations per inviter per day.
    pub invites_per_inviter: Limit,
    /// Resends per invitee and scope per hour.
    pub resends: Limit,
    /// `acceptInvitation` attempts per client address per minute.
    pub accepts_per_address: Limit,
    /// Woken after a commit that queued an email, so the sender goes at once.
    pub wake_sender: Arc<Notify>,
    /// How long a sender's claim on an email lasts; SMTP conversations are cut off well
    /// before it ends, so a claim never lapses while its email is being sent.
    pub claim: Duration,
}

const DAY: Duration = Duration::from_secs(24 * 3600);
const HOUR: Duration = Duration::from_secs(3600);
const MINUTE: Duration = Duration::from_secs(60);

impl InvitationSettings {
    /// The limits, from their counts (0 turns one off).
    pub fn with_limits(
        mut self,
        invites_per_day: u32,
        invites_per_inviter_per_day: u32,
        resends_per_hour: u32,
        accepts_per_minute: u32,
    ) -> Self {
        self.invites_per_organization = Limit::new("invite/organization", invites_per_day, DAY);
        self.invites_per_inviter = Limit::new("invite/inviter", invites_per_inviter_per_day, DAY);
        self.resends = Limit::new("resend/invitee", resends_per_hour, HOUR);
        self.accepts_per_address = Limit::new("accept/address", accepts_per_minute, MINUTE);
        self
    }
}

impl Default for InvitationSettings {
    fn default() -> Self {
        Self {
            ttl: Duration::from_secs(7 * 24 * 3600),
            public_url: "http://127.0.0.1:8000".into(),
            invites_per_organization: Limit::new("invite/organization", 500, DAY),
            invites_per_inviter: Limit::new("invite/inviter", 200, DAY),
            resends: Limit::new("resend/invitee", 5, HOUR),
            accepts_per_address: Limit::new("accept/address", 20, MINUTE),
            wake_sender: Arc::new(Notify::new()),
            claim: Duration::from_secs(120),
        }
    }
}

impl InvitationSettings {
    /// The longest an SMTP conversation may take: half a claim, so a claim never lapses while
    /// its email is being sent.
    pub fn smtp_timeout(&self) -> Duration {
        (self.claim / 2).min(Duration::from_secs(30))
    }

    /// The link lifetime as a time delta.
    pub fn ttl(&self) -> TimeDelta {
        TimeDelta::from_std(self.ttl).unwrap_or(TimeDelta::days(7))
    }
}

/// Why an invite, resend or cancel was refused.
#[derive(Debug, thiserror::Error)]
pub enum InvitationError {
    /// The scope or the pending member does not exist, or is not visible to the actor.
    #[error("not found")]
    NotFound,
    /// The actor sees the scope but does not administer it.
    #[error("not authorized")]
    NotAuthorized,
    /// An argument is invalid.
    #[error("invalid {field}: {message}")]
    Invalid {
        /// The argument.
        field: &'static str,
        /// Why.
        message: &'static str,
    },
    /// The email is already pending or verified in the scope.
    #[error("already a member")]
    AlreadyMember,
    /// The member has accepted already.
    #[error("already accepted")]
    AlreadyAccepted,
    /// Too many invitations or resends lately.
    #[error("rate limited")]
    RateLimited(Refused),
    /// Storage failed.
    #[error(transparent)]
    Db(#[from] DbError),
}
from_diesel_error!(InvitationError);

fn denied(denied: Denied) -> InvitationError {
    match denied {
        Denied::Hidden => InvitationError::NotFound,
        Denied::NotAuthorized => InvitationError::NotAuthorized,
    }
}

/// Resolves the scope, checks that the actor administers it, and takes its lock.
async fn administered_scope(
    tx: &mut Conn<'_>,
    actor_id: &str,
    requested: &MembershipScope,
) -> Result<(Scope, Authority), InvitationError> {
    let scope = scope::resolve(tx, requested).await?.ok_or(InvitationError::NotFound)?;
    // Lock before reading the actor's authority, so a concurrent removal of the actor is
    // either fully before (refused here) or fully after.
    scope::lock(tx, &scope).await?;
    let authority = Authority::load(tx, Some(actor_id), &scope).await?;
    check(&authority).map_err(denied)?;
    Ok((scope, authority))
}

/// A new pending invitation row and the outbox row that will mail it.
fn new_invitation(
    scope: &Scope,
    user: &UserRow,
    inviter: &str,
    settings: &InvitationSettings,
    now: NaiveDateTime,
) -> (InvitationRow, OutboxRow) {
    let invitation = InvitationRow {
        id: new_id(IdKind::Invitation),
        scope_id: scope.id().to_owned(),
        organization_id: scope.organization_id.clone(),
        team_id: scope.team_id.clone(),
        user_id: user.id.clone(),
        invited_by: Some(inviter.to_owned()),
        // A digest of a token nobody keeps: no link works until the sender mints the real one.
        token_digest: roster_core::token::mint().digest,
        state: State::Pending.as_str().to_owned(),
        created_at: now,
        expires_at: now + settings.ttl(),
        resolved_at: None,
    };
    let email = OutboxRow {
        id: new_id(IdKind::Email),
        invitation_id: invitation.id.clone(),
        recipient: user.email.clone(),
        created_at: now,
        attempts: 0,
        next_attempt_at: now,
        claimed_until: None,
        sent_at: None,
        dropped_at: None,
        last_error: None,
        claim_id: None,
    };
    (invitation, email)
}

async fn member(
    tx: &mut Conn<'_>,
    scope: &Scope,
    authority: Authority,
    user_id: &str,
) -> Result<Member, InvitationError> {
    let rules = ActionRules::load(tx, authority, scope).await?;
    let record = org_store::member_record(tx, scope.id(), user_id).await?.ok_or(InvitationError::NotFound)?;
    Ok(Member::new(record, &rules))
}

/// Invites `email` into a scope with `role` (MEMBER when omitted). Creates the user, without a
/// password, when the email is unknown. The answer is the same either way.
#[tracing::instrument(skip_all)]
pub async fn invite(
    db: &Db,
    settings: &InvitationSettings,
    actor_id: &str,
    requested: &MembershipScope,
    email_input: &str,
    role: Option<Role>,
) -> Result<Member, InvitationError> {
    let email = email::parse(email_input)
        .ok_or(InvitationError::Invalid { field: "email", message: "This is not a valid email address." })?;
    let role = role.unwrap_or(Role::Member);
    let valid_role = matches!(
        (requested, role),
        (_, Role::Member)
            | (MembershipScope::OrganizationId(_), Role::Admin)
            | (MembershipScope::TeamId(_), Role::Owner)
    );
    if !valid_role {
        return Err(InvitationError::Invalid {
            field: "role",
            message: "ADMIN is valid only in organizations and OWNER only in teams.",
        });
    }
    let mut conn = db.get().await?;
    let (actor_id, requested, settings_owned) = (actor_id.to_owned(), requested.clone(), settings.clone());
    let (member, change) = conn
        .transaction(|tx| {
            Box::pin(async move {
                let settings = settings_owned;
                let (scope, authority) = administered_scope(tx, &actor_id, &requested).await?;
                // Counted here, inside the transaction: a refused or failed invitation rolls
                // its count back with everything else.
                limit::reserve(tx, &settings.invites_per_organization, &scope.organization_id)
                    .await?
                    .map_err(InvitationError::RateLimited)?;
                limit::reserve(tx, &settings.invites_per_inviter, &actor_id)
                    .await?
                    .map_err(InvitationError::RateLimited)?;
                let now = roster_db::now();
                let candidate = UserRow {
                    id: new_id(IdKind::User),
                    email: email.display.clone(),
                    email_key: email.key.clone(),
                    display_name: None,
                    password_hash: None,
                    created_at: now,
                };
                roster_identity::store::insert_user_if_absent(tx, &candidate).await?;
                let user = roster_identity::store::user_by_email_key(tx, &email.key)
                    .await?
                    .ok_or(InvitationError::NotFound)?;
                let membership = MembershipRow {
                    id: new_id(IdKind::Membership),
                    scope_id: scope.id().to_owned(),
                    organization_id: scope.organization_id.clone(),
                    team_id: scope.team_id.clone(),
                    user_id: user.id.clone(),
                    role: role.as_str().to_owned(),
                    status: Status::Unverified.as_str().to_owned(),
                    invited_at: Some(now),
                    invited_by: Some(actor_id.clone()),
                    joined_at: None,
                };
                if !org_store::insert_membership(tx, &membership).await? {
                    return Err(InvitationError::AlreadyMember);
                }
                // A dead invitation of an earlier membership (cancelled, say) may linger as
                // pending only if something went wrong; retire it so the new one is the only one.
                store::resolve_pending(tx, scope.id(), &user.id, State::Superseded, now).await?;
                let (invitation, email) = new_invitation(&scope, &user, &actor_id, &settings, now);
                store::insert(tx, &invitation).await?;
                store::enqueue(tx, &email).await?;
                let entry = NewEntry {
                    code: AuditCode::MemberInvited,
                    organization_id: &scope.organization_id,
                    team_id: scope.team_id.as_deref(),
                    actor_id: Some(&actor_id),
                    target_id: Some(&user.id),
                };
                roster_audit::record(tx, entry).await?;
                let change = events::append(tx, &scope, EventKind::Invited, &user.id).await?;
                Ok((member(tx, &scope, authority, &user.id).await?, change))
            })
        })
        .await?;
    events::announce(db, &[change]);
    settings.wake_sender.notify_one();
    Ok(member)
}

/// Sends a pending invitation again with a new token; the old token dies.
#[tracing::instrument(skip_all)]
pub async fn resend(
    db: &Db,
    settings: &InvitationSettings,
    actor_id: &str,
    requested: &MembershipScope,
    user_id: &str,
) -> Result<Member, InvitationError> {
    let mut conn = db.get().await?;
    let (actor_id, requested, user_id, settings_owned) =
        (actor_id.to_owned(), requested.clone(), user_id.to_owned(), settings.clone());
    let (member, change) = conn
        .transaction(|tx| {
            Box::pin(async move {
                let settings = settings_owned;
                let (scope, authority) = administered_scope(tx, &actor_id, &requested).await?;
                let membership = org_store::membership(tx, scope.id(), &user_id)
                    .await?
                    .ok_or(InvitationError::NotFound)?;
                if membership.status() == Status::Verified {
                    return Err(InvitationError::AlreadyAccepted);
                }
                // Per invitee and scope, not per membership: cancelling and inviting again
                // does not start the count afresh.
                limit::reserve(tx, &settings.resends, &format!("{}:{user_id}", scope.id()))
                    .await?
                    .map_err(InvitationError::RateLimited)?;
                let now = roster_db::now();
                store::resolve_pending(tx, scope.id(), &user_id, State::Superseded, now).await?;
                let user = roster_identity::store::users_by_ids(tx, std::slice::from_ref(&user_id))
                    .await?
                    .into_iter()
                    .next()
                    .ok_or(InvitationError::NotFound)?;
                let (invitation, email) = new_invitation(&scope, &user, &actor_id, &settings, now);
                store::insert(tx, &invitation).await?;
                store::enqueue(tx, &email).await?;
                let entry = NewEntry {
                    code: AuditCode::InvitationResent,
                    organization_id: &scope.organization_id,
                    team_id: scope.team_id.as_deref(),
                    actor_id: Some(&actor_id),
                    target_id: Some(&user_id),
                };
                roster_audit::record(tx, entry).await?;
                let change = events::append(tx, &scope, EventKind::InvitationResent, &user_id).await?;
                Ok((member(tx, &scope, authority, &user_id).await?, change))
            })
        })
        .await?;
    events::announce(db, &[change]);
    settings.wake_sender.notify_one();
    Ok(member)
}

/// Cancels a pending invitation at once: the user leaves the scope's list and the link stops
/// working. Returns when it happened.
#[tracing::instrument(skip_all)]
pub async fn cancel(
    db: &Db,
    actor_id: &str,
    requested: &MembershipScope,
    user_id: &str,
) -> Result<NaiveDateTime, InvitationError> {
    let mut conn = db.get().await?;
    let (actor_id, requested, user_id) = (actor_id.to_owned(), requested.clone(), user_id.to_owned());
    let (at, change) = conn
        .transaction(|tx| {
            Box::pin(async move {
                let (scope, _) = administered_scope(tx, &actor_id, &requested).await?;
                let membership = org_store::membership(tx, scope.id(), &user_id)
                    .await?
                    .ok_or(InvitationError::NotFound)?;
                if membership.status() == Status::Verified {
                    return Err(InvitationError::AlreadyAccepted);
                }
                if !org_store::delete_membership(tx, scope.id(), &user_id, Status::Unverified).await? {
                    return Err(InvitationError::NotFound);
                }
                let now = roster_db::now();
                store::resolve_pending(tx, scope.id(), &user_id, State::Cancelled, now).await?;
                let entry = NewEntry {
                    code: AuditCode::InvitationCancelled,
                    organization_id: &scope.organization_id,
                    team_id: scope.team_id.as_deref(),
                    actor_id: Some(&actor_id),
                    target_id: Some(&user_id),
                };
                roster_audit::record(tx, entry).await?;
                let change = events::append(tx, &scope, EventKind::InvitationCancelled, &user_id).await?;
                Ok::<_, InvitationError>((now, change))
            })
        })
        .await?;
    events::announce(db, &[change]);
    Ok(at)
}

/// Why an accept was refused.
#[derive(Debug, thiserror::Error)]
pub enum AcceptError {
    /// Unknown, expired, cancelled, superseded or used token: one case on purpose.
    #[error("invalid invitation")]
    Invalid,
    /// A new account needs this argument.
    #[error("invalid {field}: {message}")]
    InvalidArgument {
        /// The argument.
        field: &'static str,
        /// Why.
        message: &'static str,
    },
    /// The invitee has an account and did not prove it is theirs.
    #[error("invalid credentials")]
    InvalidCredentials,
    /// Too many attempts from this address, or wrong passwords for this account, lately.
    #[error("rate limited")]
    RateLimited(Refused),
    /// Storage failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// Hashing failed.
    #[error(transparent)]
    Hash(#[from] password::HashError),
}
from_diesel_error!(AcceptError);

/// What an accept gives: the user and a session token.
#[derive(Debug)]
pub struct Accepted {
    /// The invitee, now verified.
    pub user: UserRow,
    /// A bearer token for them.
    pub token: String,
}

/// Accepts an invitation by its token.
///
/// An invitee without an account sets a password (and display name) here. An invitee with an
/// account proves it: signed in as that user, or giving that account's password; a token
/// alone never sets or replaces the password of an existing account. Accepting a team
/// invitation also makes the user a verified member of the team's organization.
#[tracing::instrument(skip_all)]
#[expect(clippy::too_many_arguments, reason = "each is one input of the rule")]
pub async fn accept(
    db: &Db,
    settings: &InvitationSettings,
    identity: &IdentitySettings,
    actor: &Actor,
    client: ClientAddr,
    token: &str,
    password_input: Option<&str>,
    display_name: Option<&str>,
) -> Result<Accepted, AcceptError> {
    let digest = roster_core::token::digest(token.trim());
    let mut conn = db.get().await?;
    // Every attempt counts, whatever its outcome: guessing tokens is what this limits.
    limit::reserve(&mut conn.conn(), &settings.accepts_per_address, &client.to_string())
        .await?
        .map_err(AcceptError::RateLimited)?;
    let now = roster_db::now();
    let invitation = store::by_digest(&mut conn.conn(), &digest).await?.ok_or(AcceptError::Invalid)?;
    if invitation.state != State::Pending.as_str() || invitation.expires_at <= now {
        return Err(AcceptError::Invalid);
    }
    let user =
        roster_identity::store::users_by_ids(&mut conn.conn(), std::slice::from_ref(&invitation.user_id))
            .await?
            .into_iter()
            .next()
            .ok_or(AcceptError::Invalid)?;

    // Proof of the account, or the new account's password, before any lock is taken and
    // with no connection held: hashing is slow.
    let new_password = match &user.password_hash {
        Some(hash) => {
            if actor.user_id() != Some(user.id.as_str()) {
                let attempt = begin_password_attempt(&mut conn.conn(), identity, client, &user.email_key)
                    .await?
                    .map_err(AcceptError::RateLimited)?;
                conn.release();
                let given = password_input.unwrap_or_default().to_owned();
                if !password::verify(given, Some(hash.clone())).await {
                    return Err(AcceptError::InvalidCredentials);
                }
                conn = db.get().await?;
                attempt.succeeded(&mut conn.conn(), identity).await?;
            }
            None
        }
        None => {
            let given = password_input.ok_or(AcceptError::InvalidArgument {
                field: "password",
                message: "Choose a password to create your account.",
            })?;
            password::check(given)
                .map_err(|message| AcceptError::InvalidArgument { field: "password", message })?;
            let name = roster_identity::service::clean_display_name(display_name)
                .map_err(|message| AcceptError::InvalidArgument { field: "displayName", message })?
                .ok_or(AcceptError::InvalidArgument {
                    field: "displayName",
                    message: "Give the name to show to others.",
                })?;
            conn.release();
            let hash = password::hash(given.to_owned()).await?;
            conn = db.get().await?;
            Some((hash, name))
        }
    };

    let ttl = identity.session_ttl;
    let (accepted, changes) = conn
        .transaction(|tx| {
            Box::pin(async move {
                let now = roster_db::now();
                let scope = Scope {
                    organization_id: invitation.organization_id.clone(),
                    team_id: invitation.team_id.clone(),
                };
                let organization =
                    Scope { organization_id: invitation.organization_id.clone(), team_id: None };
                scope::lock(tx, &scope).await?;
                // Membership first, then the invitation: the lock order cancel uses too.
                if !org_store::verify_membership(tx, scope.id(), &user.id, now).await? {
                    return Err(AcceptError::Invalid);
                }
                if !store::accept(tx, &invitation.id, now).await? {
                    return Err(AcceptError::Invalid);
                }
                let mut user = user;
                if let Some((hash, name)) = new_password {
                    if !roster_identity::store::set_first_password(tx, &user.id, &hash, &name).await? {
                        // Someone set a password between our read and now: prove it, as above.
                        return Err(AcceptError::InvalidCredentials);
                    }
                    user.password_hash = Some(hash);
                    user.display_name = Some(name);
                }
                let mut changes = vec![record_accept(tx, &scope, &user.id).await?];
                if scope.is_team() {
                    changes.extend(join_organization(tx, &organization, &invitation, &user.id, now).await?);
                }
                let token = roster_identity::service::create_session(tx, &user.id, ttl).await?;
                Ok::<_, AcceptError>((Accepted { user, token }, changes))
            })
        })
        .await?;
    events::announce(db, &changes);
    Ok(accepted)
}

async fn record_accept(tx: &mut Conn<'_>, scope: &Scope, user_id: &str) -> diesel::QueryResult<Change> {
    let entry = NewEntry {
        code: AuditCode::InvitationAccepted,
        organization_id: &scope.organization_id,
        team_id: scope.team_id.as_deref(),
        actor_id: Some(user_id),
        target_id: Some(user_id),
    };
    roster_audit::record(tx, entry).await?;
    events::append(tx, scope, EventKind::Joined, user_id).await
}

/// Makes a team's new member a verified member of the organization, if not already: a pending
/// organization invitation is accepted with it, otherwise a MEMBER row is added.
async fn join_organization(
    tx: &mut Conn<'_>,
    organization: &Scope,
    invitation: &InvitationRow,
    user_id: &str,
    now: NaiveDateTime,
) -> diesel::QueryResult<Option<Change>> {
    match org_store::membership(tx, organization.id(), user_id).await? {
        Some(existing) if existing.status() == Status::Verified => return Ok(None),
        Some(_) => {
            org_store::verify_membership(tx, organization.id(), user_id, now).await?;
            store::resolve_pending(tx, organization.id(), user_id, State::Accepted, now).await?;
        }
        None => {
            let membership = MembershipRow {
                id: new_id(IdKind::Membership),
                scope_id: organization.id().to_owned(),
                organization_id: organization.organization_id.clone(),
                team_id: None,
                user_id: user_id.to_owned(),
                role: Role::Member.as_str().to_owned(),
                status: Status::Verified.as_str().to_owned(),
                invited_at: Some(invitation.created_at),
                invited_by: invitation.invited_by.clone(),
                joined_at: Some(now),
            };
            org_store::insert_membership(tx, &membership).await?;
        }
    }
    record_accept(tx, organization, user_id).await.map(Some)
}
