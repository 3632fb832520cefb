//! The mails identity sends: the verification link after sign-up and the password reset
//! link. Each is a `user_tokens` row queued with its mail in the transaction that causes it;
//! the mail sender mints the token when the mail goes out (see `tokens`).

use diesel::IntoSql as _;
use diesel::sql_types::{Integer, Text, Timestamp};
use futures_util::future::BoxFuture;
use roster_core::id::{IdKind, new_id};
use roster_db::prelude::*;
use roster_db::schema::{email_outbox, user_tokens, users};
use roster_db::{Conn, db_run};
use roster_mail::compose::ComposeError;
use roster_mail::message::{Template, Templates};
use roster_mail::store::{self as outbox, OutboxRow};
use roster_mail::{Composer, Message, user_text};

use crate::settings::IdentitySettings;
use crate::store::{self, UserRow};
use crate::tokens::{self, Purpose};

/// Names in the mail are cut to this many characters.
const NAME_CHARS: usize = 60;

const VERIFY_EMAIL: Template = Template {
    name: "verify-email",
    subject: "Confirm your email for {{ product }}",
    html: r#"{% extends "layout.html" %}{% block body %}
<p style="margin:0 0 16px;font-size:16px;line-height:24px">Hello{% if name %} {{ name }}{% endif %},</p>
<p style="margin:0 0 16px;font-size:16px;line-height:24px">Confirm that <strong>{{ email }}</strong> is your email address for {{ product }}.</p>
<p style="margin:24px 0"><a href="{{ link }}" style="display:inline-block;background:#0b5fff;color:#ffffff;text-decoration:none;font-weight:600;padding:12px 20px;border-radius:6px">Confirm my email</a></p>
<p style="margin:0 0 8px;font-size:14px;color:#656d76">Or open this link: <a href="{{ link }}" style="color:#0b5fff">{{ link }}</a></p>
<p style="margin:0;font-size:14px;color:#656d76">The link works once and expires in 24 hours.</p>
{% endblock %}{% block footer %}If you did not create this account, ignore this email: it stays unconfirmed.{% endblock %}"#,
    text: r#"{% extends "layout.txt" %}{% block body %}Hello{% if name %} {{ name }}{% endif %},

Confirm that {{ email }} is your email address for {{ product }}:
{{ link }}

The link works once and expires in 24 hours.{% endblock %}{% block footer %}If you did not create this account, ignore this email: it stays unconfirmed.{% endblock %}"#,
};

const RESET_PASSWORD: Template = Template {
    name: "reset-password",
    subject: "Reset your {{ product }} password",
    html: r#"{% extends "layout.html" %}{% block body %}
<p style="margin:0 0 16px;font-size:16px;line-height:24px">Hello{% if name %} {{ name }}{% endif %},</p>
<p style="margin:0 0 16px;font-size:16px;line-height:24px">Someone asked to reset the password of the {{ product }} account for <strong>{{ email }}</strong>. If it was you, choose a new password:</p>
<p style="margin:24px 0"><a href="{{ link }}" style="display:inline-block;background:#0b5fff;color:#ffffff;text-decoration:none;font-weight:600;padding:12px 20px;border-radius:6px">Choose a new password</a></p>
<p style="margin:0 0 8px;font-size:14px;color:#656d76">Or open this link: <a href="{{ link }}" style="color:#0b5fff">{{ link }}</a></p>
<p style="margin:0;font-size:14px;color:#656d76">The link works once and expires in 1 hour. Choosing a new password signs the account out everywhere.</p>
{% endblock %}{% block footer %}If you did not ask for this, ignore this email: your password stays as it is.{% endblock %}"#,
    text: r#"{% extends "layout.txt" %}{% block body %}Hello{% if name %} {{ name }}{% endif %},

Someone asked to reset the password of the {{ product }} account for {{ email }}. If it was you, choose a new password here:
{{ link }}

The link works once and expires in 1 hour. Choosing a new password signs the account out everywhere.{% endblock %}{% block footer %}If you did not ask for this, ignore this email: your password stays as it is.{% endblock %}"#,
};

/// Queues a link of `purpose` to `user`, retiring earlier ones. Call it in the transaction
/// of the change that causes it, and wake the sender after the commit.
pub async fn queue(tx: &mut Conn<'_>, user: &UserRow, purpose: Purpose) -> QueryResult<()> {
    let now = roster_db::now();
    let token = tokens::placeholder(&user.id, purpose, now);
    tokens::insert(tx, &token).await?;
    outbox::enqueue(tx, &OutboxRow::new(purpose.as_str(), &token.id, &user.email, now)).await
}

/// Queues a link of `purpose` to the account whose email has the canonical form `email_key`
/// ([`crate::email::key`]), if there is one, without
/// first asking whether there is: the same three statements run either way, each touching
/// no row when there is no account, so neither the answer nor its timing tells.
pub async fn queue_by_email(tx: &mut Conn<'_>, email_key: &str, purpose: Purpose) -> QueryResult<()> {
    let now = roster_db::now();
    let token = tokens::placeholder("", purpose, now);
    let mail_id = new_id(IdKind::Email);
    let kind = purpose.as_str();
    db_run!(tx, |c| {
        let account = users::table.filter(crate::store::has_email(email_key));
        diesel::update(
            user_tokens::table
                .filter(user_tokens::user_id.eq_any(account.select(users::id)))
                .filter(user_tokens::purpose.eq(kind))
                .filter(user_tokens::used_at.is_null()),
        )
        .set(user_tokens::used_at.eq(Some(now)))
        .execute(c)
        .await?;
        diesel::insert_into(user_tokens::table)
            .values(account.select((
                token.id.as_str().into_sql::<Text>(),
                users::id,
                kind.into_sql::<Text>(),
                token.token_digest.as_str().into_sql::<Text>(),
                now.into_sql::<Timestamp>(),
                token.expires_at.into_sql::<Timestamp>(),
            )))
            .into_columns((
                user_tokens::id,
                user_tokens::user_id,
                user_tokens::purpose,
                user_tokens::token_digest,
                user_tokens::created_at,
                user_tokens::expires_at,
            ))
            .execute(c)
            .await?;
        diesel::insert_into(email_outbox::table)
            .values(account.select((
                mail_id.as_str().into_sql::<Text>(),
                kind.into_sql::<Text>(),
                token.id.as_str().into_sql::<Text>(),
                users::email,
                now.into_sql::<Timestamp>(),
                0.into_sql::<Integer>(),
                now.into_sql::<Timestamp>(),
            )))
            .into_columns((
                email_outbox::id,
                email_outbox::kind,
                email_outbox::subject_id,
                email_outbox::recipient,
                email_outbox::created_at,
                email_outbox::attempts,
                email_outbox::next_attempt_at,
            ))
            .execute(c)
            .await
    })?;
    Ok(())
}

/// Renders the mails of one purpose.
pub struct TokenMail {
    purpose: Purpose,
    settings: IdentitySettings,
    templates: Templates,
}

impl TokenMail {
    /// The verification mail's composer.
    pub fn verify_email(settings: IdentitySettings) -> TokenMail {
        TokenMail { purpose: Purpose::VerifyEmail, settings, templates: Templates::new(&[VERIFY_EMAIL]) }
    }

    /// The password reset mail's composer.
    pub fn reset_password(settings: IdentitySettings) -> TokenMail {
        TokenMail { purpose: Purpose::ResetPassword, settings, templates: Templates::new(&[RESET_PASSWORD]) }
    }

    fn link(&self, token: &str) -> String {
        match self.purpose {
            Purpose::VerifyEmail => self.settings.verify_email_link(token),
            Purpose::ResetPassword => self.settings.reset_password_link(token),
        }
    }
}

impl Composer for TokenMail {
    fn kind(&self) -> &'static str {
        self.purpose.as_str()
    }

    fn compose<'a, 'c: 'a>(
        &'a self,
        conn: &'a mut Conn<'c>,
        row: &'a OutboxRow,
    ) -> BoxFuture<'a, Result<Option<Message>, ComposeError>> {
        Box::pin(async move {
            let now = roster_db::now();
            let Some(token_row) = tokens::live_by_id(conn, &row.subject_id, now).await? else {
                return Ok(None);
            };
            let Some(user) = store::users_by_ids(conn, std::slice::from_ref(&token_row.user_id)).await?.pop()
            else {
                return Ok(None);
            };
            if self.purpose == Purpose::VerifyEmail && user.email_verified_at.is_some() {
                return Ok(None);
            }
            let token = roster_core::token::mint();
            if !tokens::install(conn, &token_row.id, &token.digest, now + self.purpose.lifetime()).await? {
                return Ok(None);
            }
            let link = self.link(&token.secret);
            let template = match self.purpose {
                Purpose::VerifyEmail => VERIFY_EMAIL.name,
                Purpose::ResetPassword => RESET_PASSWORD.name,
            };
            let context = minijinja::context! {
                product => &self.settings.product_name,
                name => user.display_name.map(|name| user_text(&name, NAME_CHARS)),
                email => user_text(&user.email, NAME_CHARS * 4),
                link => &link,
            };
            Ok(Some(self.templates.render(template, &row.recipient, &link, context)?))
        })
    }
}
