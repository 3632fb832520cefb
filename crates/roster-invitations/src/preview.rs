//! Showing an invitation before it is accepted: what an accept page needs to say who invited
//! the person to what, and whether to ask for a new password or an existing one.

use chrono::NaiveDateTime;
use roster_core::ClientAddr;
use roster_db::limit::{self, Refused};
use roster_db::{Db, DbError, from_diesel_error};
use roster_identity::store as users;
use roster_organizations::Role;
use roster_organizations::lookup as organizations;
use roster_organizations::scope::{self, Scope};

use crate::settings::InvitationSettings;
use crate::store::{self, State};

/// A live invitation, as its link's page shows it.
#[derive(Debug, Clone)]
pub struct Preview {
    /// The organization's name.
    pub organization_name: String,
    /// The team's name, for a team invitation.
    pub team_name: Option<String>,
    /// Who sent it (its latest sending); `None` when the account has no name or the
    /// invitation came from an operator.
    pub inviter_name: Option<String>,
    /// The role the invitee will have.
    pub role: Role,
    /// The invitee's email.
    pub email: String,
    /// When the link stops working.
    pub expires_at: NaiveDateTime,
    /// Whether the invitee has an account to prove (sign in, or give its password). False
    /// means they choose a password and display name, also when an account registered with
    /// the address was never verified: accepting takes that one over.
    pub account_exists: bool,
}

/// Why no preview.
#[derive(Debug, thiserror::Error)]
pub enum PreviewError {
    /// Too many attempts from this address lately: previews and accepts share one limit, so
    /// tokens cannot be guessed through either.
    #[error("rate limited")]
    RateLimited(Refused),
    /// Storage failed.
    #[error(transparent)]
    Db(#[from] DbError),
}
from_diesel_error!(PreviewError);

/// The invitation whose link carries `token`; `None` alike for unknown, expired, cancelled,
/// superseded and accepted ones, so a token reveals nothing once it no longer works.
#[tracing::instrument(skip_all)]
pub async fn preview(
    db: &Db,
    settings: &InvitationSettings,
    client: ClientAddr,
    token: &str,
) -> Result<Option<Preview>, PreviewError> {
    let digest = roster_core::token::digest(token.trim());
    let mut conn = db.get().await?;
    let mut conn = conn.conn();
    limit::reserve(&mut conn, &settings.accepts_per_address, &client.limit_key())
        .await?
        .map_err(PreviewError::RateLimited)?;
    let Some(invitation) = store::by_digest(&mut conn, &digest).await? else { return Ok(None) };
    if invitation.state != State::Pending.as_str() || invitation.expires_at <= roster_db::now() {
        return Ok(None);
    }
    let Some(membership) =
        organizations::membership(&mut conn, &invitation.scope_id, &invitation.user_id).await?
    else {
        return Ok(None);
    };
    let mut ids = vec![invitation.user_id.clone()];
    ids.extend(invitation.invited_by.clone());
    let people = users::users_by_ids(&mut conn, &ids).await?;
    let Some(invitee) = people.iter().find(|u| u.id == invitation.user_id) else { return Ok(None) };
    let inviter_name = invitation
        .invited_by
        .as_ref()
        .and_then(|id| people.iter().find(|u| &u.id == id))
        .and_then(|u| u.display_name.clone());
    let scope =
        Scope { organization_id: invitation.organization_id.clone(), team_id: invitation.team_id.clone() };
    let names = scope::names(&mut conn, &scope).await?;
    Ok(Some(Preview {
        organization_name: names.organization,
        team_name: names.team,
        inviter_name,
        role: Role::parse(&membership.role),
        email: invitee.email.clone(),
        expires_at: invitation.expires_at,
        account_exists: invitee.password_hash.is_some() && invitee.email_verified_at.is_some(),
    }))
}
