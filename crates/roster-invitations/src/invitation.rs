//! What invite and resend share: a new invitation's rows, and the pending member as the
//! inviter sees it.

use chrono::NaiveDateTime;
use roster_core::id::{IdKind, new_id};
use roster_db::Conn;
use roster_identity::store::UserRow;
use roster_organizations::Authority;
use roster_organizations::lookup as organizations;
use roster_organizations::members::{ActionRules, Member};
use roster_organizations::scope::Scope;

use crate::settings::InvitationSettings;
use roster_mail::store::OutboxRow;

use crate::store::{InvitationRow, State};

/// A new pending invitation row and the outbox row that will mail it.
pub fn new_invitation(
    scope: &Scope,
    user: &UserRow,
    inviter: Option<&str>,
    settings: &InvitationSettings,
    now: NaiveDateTime,
) -> (InvitationRow, OutboxRow) {
    let invitation = InvitationRow {
        id: new_id(IdKind::Invitation),
        scope_id: scope.id().to_owned(),
        organization_id: scope.organization_id.clone(),
        team_id: scope.team_id.clone(),
        user_id: user.id.clone(),
        invited_by: inviter.map(str::to_owned),
        // A digest of a token nobody keeps: no link works until the sender mints the real one.
        token_digest: roster_core::token::mint().digest,
        state: State::Pending.as_str().to_owned(),
        created_at: now,
        expires_at: now + settings.ttl(),
        resolved_at: None,
    };
    let email = OutboxRow::new(crate::mail::KIND, &invitation.id, &user.email, now);
    (invitation, email)
}

/// The member `user_id` of `scope`, with the actions the inviter may now take on them.
/// `None` when the row is gone (it cannot be: the caller wrote it in this transaction).
pub async fn member(
    tx: &mut Conn<'_>,
    scope: &Scope,
    authority: Authority,
    user_id: &str,
) -> diesel::QueryResult<Option<Member>> {
    let rules = ActionRules::load(tx, authority, scope).await?;
    let record = organizations::member_record(tx, scope.id(), user_id).await?;
    Ok(record.map(|record| Member::new(record, &rules)))
}
