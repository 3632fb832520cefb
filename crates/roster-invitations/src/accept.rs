//! Accepting an invitation: the link's token makes the invitee a verified member (the
//! "unverified" badge goes), and signs them in.

use chrono::NaiveDateTime;
use roster_audit::AuditCode;
use roster_core::{Actor, ClientAddr};
use roster_db::limit::{self, Refused};
use roster_db::{Conn, Db, DbError, from_diesel_error};
use roster_identity::IdentitySettings;
use roster_identity::proof::{Proof, ProofError, prove_account};
use roster_identity::store::{self as users, UserRow};
use roster_organizations::lookup;
use roster_organizations::membership::{self, Changes, Joiner};
use roster_organizations::role::{Role, Status};
use roster_organizations::scope::{self, LockedScope, Scope};

use crate::settings::InvitationSettings;
use crate::store::{self, InvitationRow, State};

/// Why an accept was refused.
#[derive(Debug, thiserror::Error)]
pub enum AcceptError {
    /// Unknown, expired, cancelled, superseded or used token: one case on purpose.
    #[error("invalid invitation")]
    Invalid,
    /// Too many attempts from this address lately (guessing tokens).
    #[error("rate limited")]
    RateLimited(Refused),
    /// The invitee proved nothing (see `roster_identity::proof`).
    #[error(transparent)]
    Proof(#[from] ProofError),
    /// Storage failed.
    #[error(transparent)]
    Db(#[from] DbError),
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

/// Who accepts, from where, with what.
#[derive(Debug, Clone, Copy)]
pub struct Acceptance<'a> {
    /// The request's actor (an invitee with an account may be signed in as it).
    pub actor: &'a Actor,
    /// The request's client address (attempts are limited per address).
    pub client: ClientAddr,
    /// The token from the link.
    pub token: &'a str,
    /// A new account's password, or an existing account's.
    pub password: Option<&'a str>,
    /// A new account's display name.
    pub display_name: Option<&'a str>,
}

/// Accepts an invitation by its token: the membership turns VERIFIED, the token is used up,
/// and the audit log and the list record it, in one transaction. Accepting a team invitation
/// also makes the user a verified member of the team's organization. See
/// `roster_identity::proof` for what an invitee must prove.
#[tracing::instrument(skip_all)]
pub async fn accept(
    db: &Db,
    settings: &InvitationSettings,
    identity: &IdentitySettings,
    acceptance: Acceptance<'_>,
) -> Result<Accepted, AcceptError> {
    let digest = roster_core::token::digest(acceptance.token.trim());
    let (invitation, user) = {
        let mut conn = db.get().await?;
        let mut conn = conn.conn();
        // Every attempt counts, whatever its outcome: guessing tokens is what this limits.
        limit::reserve(&mut conn, &settings.accepts_per_address, &acceptance.client.limit_key())
            .await?
            .map_err(AcceptError::RateLimited)?;
        let invitation = store::by_digest(&mut conn, &digest).await?.ok_or(AcceptError::Invalid)?;
        if invitation.state != State::Pending.as_str() || invitation.expires_at <= roster_db::now() {
            return Err(AcceptError::Invalid);
        }
        let user = users::users_by_ids(&mut conn, std::slice::from_ref(&invitation.user_id))
            .await?
            .into_iter()
            .next()
            .ok_or(AcceptError::Invalid)?;
        (invitation, user)
    };
    // Before any lock is taken: proving may hash a password, which is slow.
    let proof = prove_account(
        db,
        identity,
        acceptance.actor,
        acceptance.client,
        &user,
        acceptance.password,
        acceptance.display_name,
    )
    .await?;

    let ttl = identity.session_ttl;
    membership::transaction(db, move |tx, changes| {
        Box::pin(async move {
            let now = roster_db::now();
            let scope = Scope {
                organization_id: invitation.organization_id.clone(),
                team_id: invitation.team_id.clone(),
            };
            let scope = scope::lock(tx, &scope).await?;
            // Every membership change takes this lock first (cancel included), so a membership
            // still pending here stays so until it is verified below, after the proof: the
            // audit log shows an account's reclaim before its acceptance.
            let pending = lookup::membership(tx, scope.id(), &user.id).await?;
            if !pending.is_some_and(|m| m.status() == Status::Unverified) {
                return Err(AcceptError::Invalid);
            }
            if !store::accept(tx, &invitation.id, now).await? {
                return Err(AcceptError::Invalid);
            }
            let mut user = user;
            match proof {
                Proof::Existing => {}
                Proof::NewAccount { password_hash, display_name } => {
                    if !users::set_first_password(tx, &user.id, &password_hash, &display_name).await? {
                        // Someone set a password between our read and now: it must be proven.
                        return Err(ProofError::InvalidCredentials.into());
                    }
                    user.password_hash = Some(password_hash);
                    user.display_name = Some(display_name);
                }
                Proof::Takeover { password_hash, display_name } => {
                    if !users::take_over_unverified(tx, &user.id, &password_hash, &display_name, now).await? {
                        // Verified between our read and now: the account must be proven.
                        return Err(ProofError::InvalidCredentials.into());
                    }
                    // Whoever registered the address is signed out for good.
                    let revoked = roster_identity::service::revoke_sessions(tx, &user.id, None).await?;
                    changes.after_commit(move |db| roster_identity::service::announce_revoked(db, &revoked));
                    let id = Some(user.id.as_str());
                    scope::audit(tx, &scope, AuditCode::AccountReclaimed, id, id).await?;
                    user.password_hash = Some(password_hash);
                    user.display_name = Some(display_name);
                }
            }
            // The token came to the mailbox: whoever accepts it owns the address.
            users::mark_verified(tx, &user.id, now).await?;
            user.email_verified_at.get_or_insert(now);
            membership::verify(tx, &scope, changes, &user.id, now).await?.ok_or(AcceptError::Invalid)?;
            if scope.is_team() {
                join_organization(tx, &scope.organization(), changes, &invitation, &user.id, now).await?;
            }
            let token = roster_identity::service::create_session(tx, &user.id, ttl).await?;
            Ok::<_, AcceptError>(Accepted { user, token })
        })
    })
    .await
}

/// Makes a team's new member a verified member of the organization, if not already: a pending
/// organization invitation is accepted with it, otherwise a MEMBER row is added. Either is
/// logged as "User accepted invite", with a JOINED event on the organization's list.
async fn join_organization(
    tx: &mut Conn<'_>,
    organization: &LockedScope,
    changes: &mut Changes,
    invitation: &InvitationRow,
    user_id: &str,
    now: NaiveDateTime,
) -> diesel::QueryResult<()> {
    match lookup::membership(tx, organization.id(), user_id).await? {
        Some(existing) if existing.status() == Status::Verified => {}
        Some(_pending) => {
            store::resolve_pending(tx, organization.id(), user_id, State::Accepted, now).await?;
            membership::verify(tx, organization, changes, user_id, now).await?;
        }
        None => {
            let joiner = Joiner {
                user_id,
                role: Role::Member,
                invited_at: Some(invitation.created_at),
                invited_by: invitation.invited_by.as_deref(),
                at: now,
            };
            membership::join(tx, organization, changes, joiner, AuditCode::InvitationAccepted).await?;
        }
    }
    Ok(())
}
