//! `roster admin …`: what an operator does from a shell, on any server's database.

use roster_db::Db;
use roster_invitations::bootstrap::{BootstrapError, create_organization_with_admin};
use roster_mail::Mailer;

use crate::app::module_settings;
use crate::settings::Settings;

/// `roster admin create-organization --name NAME --admin EMAIL`: creates the organization
/// with a pending ADMIN invitation for EMAIL, mails it, and returns what to print: the link,
/// shown this once. Works whatever `ROSTER_SIGNUP_OPEN` and `ROSTER_ORG_CREATION_OPEN` say:
/// this is how the first admin of a closed server arrives.
pub async fn create_organization(
    settings: &Settings,
    name: &str,
    admin_email: &str,
) -> Result<String, String> {
    let db = Db::connect(&settings.database_url, &settings.pool).map_err(|e| e.to_string())?;
    db.migrate().await.map_err(|e| e.to_string())?;
    roster_identity::canonical_emails::fill(&db).await.map_err(|e| e.to_string())?;
    let (_, invitations, _) = module_settings(settings);
    let mailer = Mailer::new(settings.smtp_url.as_deref(), &settings.mail_from, invitations.smtp_timeout())
        .map_err(|e| e.to_string())?;
    let created =
        create_organization_with_admin(&db, &invitations, name, admin_email).await.map_err(|e| match e {
            BootstrapError::InvalidName(message) => format!("--name: {message}"),
            BootstrapError::InvalidEmail(email) => format!("--admin: `{email}` is not an email address"),
            other => other.to_string(),
        })?;
    let mut out = format!(
        "Created organization \"{}\" ({}).\nInvitation link for {} (shown only this once; it works for {} days):\n{}\n",
        created.organization.name,
        created.organization.id,
        created.message.to,
        invitations.ttl().num_days().max(1),
        created.message.link,
    );
    // The organization exists whatever happens to the mail: the link above is the way in.
    match mailer.send(&created.message).await {
        Ok(()) if settings.smtp_url.is_some() => {
            out.push_str(&format!("Mailed it to {}.\n", created.message.to))
        }
        Ok(()) => out.push_str("SMTP_URL is not set, so nothing was mailed: pass the link on yourself.\n"),
        Err(e) => out.push_str(&format!("Mailing it failed ({}): pass the link on yourself.\n", e.message)),
    }
    Ok(out)
}
