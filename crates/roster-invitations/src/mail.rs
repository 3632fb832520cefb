//! The invitation email: minted and rendered by the mail sender when it goes out.

use futures_util::future::BoxFuture;
use roster_db::Conn;
use roster_db::prelude::QueryResult;
use roster_mail::compose::ComposeError;
use roster_mail::message::{Template, Templates};
use roster_mail::store::OutboxRow;
use roster_mail::{Composer, Message, user_text};
use roster_organizations::Scope;

use crate::settings::InvitationSettings;
use crate::store::{self, InvitationRow, State};

/// The outbox kind of invitation emails.
pub const KIND: &str = "INVITATION";

/// Names in the mail are cut to this many characters.
const NAME_CHARS: usize = 60;

const TEMPLATE: Template = Template {
    name: "invitation",
    subject: "{% if inviter %}{{ inviter }} invited you{% else %}You are invited{% endif %} to join {{ scope }} on {{ product }}",
    html: r#"{% extends "layout.html" %}{% block body %}
<p style="margin:0 0 16px;font-size:16px;line-height:24px">{% if inviter %}<strong>{{ inviter }}</strong> has invited you{% else %}You have been invited{% endif %} to join <strong>{{ scope }}</strong> on {{ product }}.</p>
<p style="margin:24px 0"><a href="{{ link }}" style="display:inline-block;background:#0b5fff;color:#ffffff;text-decoration:none;font-weight:600;padding:12px 20px;border-radius:6px">Accept the invitation</a></p>
<p style="margin:0 0 8px;font-size:14px;color:#656d76">Or open this link: <a href="{{ link }}" style="color:#0b5fff">{{ link }}</a></p>
<p style="margin:0;font-size:14px;color:#656d76">The link works once and expires in {{ days }} days.</p>
{% endblock %}"#,
    text: r#"{% extends "layout.txt" %}{% block body %}Hello,

{% if inviter %}{{ inviter }} has invited you{% else %}You have been invited{% endif %} to join {{ scope }} on {{ product }}.

Accept the invitation here:
{{ link }}

The link works once and expires in {{ days }} days.{% endblock %}"#,
};

/// Renders invitation emails.
pub struct InvitationMail {
    settings: InvitationSettings,
    templates: Templates,
}

impl InvitationMail {
    /// The composer, with the settings that shape links and wording.
    pub fn new(settings: InvitationSettings) -> InvitationMail {
        InvitationMail { settings, templates: Templates::new(&[TEMPLATE]) }
    }
}

impl Composer for InvitationMail {
    fn kind(&self) -> &'static str {
        KIND
    }

    fn compose<'a, 'c: 'a>(
        &'a self,
        conn: &'a mut Conn<'c>,
        row: &'a OutboxRow,
    ) -> BoxFuture<'a, Result<Option<Message>, ComposeError>> {
        Box::pin(async move {
            let Some(invitation) = store::by_id(conn, &row.subject_id).await? else { return Ok(None) };
            if invitation.state != State::Pending.as_str() {
                return Ok(None);
            }
            let Some(token) = issue_token(conn, &invitation.id, &self.settings).await? else {
                return Ok(None);
            };
            Ok(Some(self.render(conn, &invitation, &row.recipient, &token).await?))
        })
    }
}

impl InvitationMail {
    /// Renders the mail of `invitation` to `recipient`, with the link for `token`.
    pub async fn render(
        &self,
        conn: &mut Conn<'_>,
        invitation: &InvitationRow,
        recipient: &str,
        token: &str,
    ) -> Result<Message, ComposeError> {
        let scope = Scope {
            organization_id: invitation.organization_id.clone(),
            team_id: invitation.team_id.clone(),
        };
        let names = roster_organizations::scope::names(conn, &scope).await?;
        let inviter = match &invitation.invited_by {
            Some(id) => roster_identity::store::users_by_ids(conn, std::slice::from_ref(id))
                .await?
                .into_iter()
                .next()
                .and_then(|user| user.display_name),
            None => None,
        };
        let link = self.settings.invitation_link(token);
        let context = minijinja::context! {
            product => &self.settings.product_name,
            scope => user_text(&names.display(), NAME_CHARS * 2),
            inviter => inviter.map(|name| user_text(&name, NAME_CHARS)),
            link => &link,
            days => self.settings.ttl().num_days().max(1),
        };
        Ok(self.templates.render(TEMPLATE.name, recipient, &link, context)?)
    }
}

/// Mints the token of a pending invitation, installs its digest and restarts its expiry.
/// Returns the secret, or `None` when the invitation is no longer pending. Minting happens
/// when the link is about to go out, so no usable token is ever stored.
pub async fn issue_token(
    conn: &mut Conn<'_>,
    invitation_id: &str,
    settings: &InvitationSettings,
) -> QueryResult<Option<String>> {
    let token = roster_core::token::mint();
    let expires_at = roster_db::now() + settings.ttl();
    let installed = store::install_token(conn, invitation_id, &token.digest, expires_at).await?;
    Ok(installed.then_some(token.secret))
}
