//! The first admin: `roster admin create-organization --name NAME --admin EMAIL`. An operator
//! creates an organization and invites its first ADMIN, also on a server where sign-up and
//! organization creation are closed to users.

use roster_db::{Db, DbError, from_diesel_error};
use roster_identity::email;
use roster_identity::store as users;
use roster_mail::Message;
use roster_mail::compose::ComposeError;
use roster_organizations::create_organization::{CreateOrganizationError, insert_unowned};
use roster_organizations::lookup::OrganizationRow;
use roster_organizations::membership::{self, Invitee};
use roster_organizations::role::Role;

use crate::invitation::new_invitation;
use crate::mail::InvitationMail;
use crate::settings::InvitationSettings;
use crate::store;

/// What the operator gets: the organization, and the invitation's mail with its link.
#[derive(Debug)]
pub struct Bootstrapped {
    /// The new organization.
    pub organization: OrganizationRow,
    /// The invitation mail, rendered, for the caller to send.
    pub message: Message,
}

/// Why nothing was created.
#[derive(Debug, thiserror::Error)]
pub enum BootstrapError {
    /// The name is empty or too long.
    #[error("invalid name: {0}")]
    InvalidName(&'static str),
    /// The admin's email is not an email address.
    #[error("invalid email: {0}")]
    InvalidEmail(String),
    /// Storage failed.
    #[error(transparent)]
    Db(#[from] DbError),
    /// The mail failed to render.
    #[error(transparent)]
    Compose(#[from] ComposeError),
    /// A creation limit refused it. The operator's path counts none today; kept so that the
    /// error of the shared insert stays whole.
    #[error("too many organizations created lately")]
    RateLimited,
}
from_diesel_error!(BootstrapError);

impl From<CreateOrganizationError> for BootstrapError {
    fn from(e: CreateOrganizationError) -> Self {
        match e {
            CreateOrganizationError::Invalid(message) => BootstrapError::InvalidName(message),
            CreateOrganizationError::Db(e) => BootstrapError::Db(e),
            CreateOrganizationError::RateLimited(_) => BootstrapError::RateLimited,
        }
    }
}

/// Creates the organization `name` with a pending ADMIN invitation for `admin_email`, in
/// one transaction with their audit entries (no actor: the operator) and the list's INVITED
/// event. The link's token is minted here and only its digest stored; the returned mail is
/// the only place the link appears, so the caller sends it and shows it once. It is not
/// queued in the outbox, where a server's sender would mint a second, different link.
#[tracing::instrument(skip_all)]
pub async fn create_organization_with_admin(
    db: &Db,
    settings: &InvitationSettings,
    name: &str,
    admin_email: &str,
) -> Result<Bootstrapped, BootstrapError> {
    let email =
        email::parse(admin_email).ok_or_else(|| BootstrapError::InvalidEmail(admin_email.to_owned()))?;
    let token = roster_core::token::mint();
    let (name, owned_settings, digest) = (name.to_owned(), settings.clone(), token.digest.clone());
    let (organization, invitation, recipient) = membership::transaction(db, move |tx, changes| {
        Box::pin(async move {
            let (organization, scope) = insert_unowned(tx, &name).await?;
            let now = roster_db::now();
            let user = users::invitee(tx, &email, now).await?;
            let admin = Invitee { user_id: &user.id, role: Role::Admin, invited_by: None, at: now };
            membership::invite(tx, &scope, changes, admin).await?;
            let (mut invitation, _) = new_invitation(&scope, &user, None, &owned_settings, now);
            invitation.token_digest = digest;
            store::insert(tx, &invitation).await?;
            Ok::<_, BootstrapError>((organization, invitation, user.email))
        })
    })
    .await?;
    let mut conn = db.get().await?;
    let message = InvitationMail::new(settings.clone())
        .render(&mut conn.conn(), &invitation, &recipient, &token.secret)
        .await?;
    Ok(Bootstrapped { organization, message })
}
