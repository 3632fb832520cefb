-- Verified emails: set when the owner proves the mailbox (a verification link, an invitation,
-- a password reset). Null for an account that never did.
ALTER TABLE users ADD COLUMN email_verified_at TIMESTAMP;

-- Single-use tokens mailed to a user: email verification and password reset. As with
-- invitations, a row is written with a placeholder digest and the mail sender mints the real
-- token at send time, so no usable token is ever at rest.
CREATE TABLE user_tokens (
    id           TEXT PRIMARY KEY NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose      TEXT NOT NULL,
    token_digest TEXT NOT NULL UNIQUE,
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    used_at      TIMESTAMP,
    CHECK (purpose IN ('VERIFY_EMAIL', 'RESET_PASSWORD'))
);

CREATE INDEX user_tokens_user ON user_tokens (user_id, purpose);

-- The outbox carries every kind of mail now: `kind` says which, and `subject_id` names the
-- row it is about (an invitation, a user token).
ALTER TABLE email_outbox ADD COLUMN kind TEXT NOT NULL DEFAULT 'INVITATION';
ALTER TABLE email_outbox ALTER COLUMN kind DROP DEFAULT;
ALTER TABLE email_outbox DROP CONSTRAINT email_outbox_invitation_id_fkey;
ALTER TABLE email_outbox RENAME COLUMN invitation_id TO subject_id;
CREATE INDEX email_outbox_subject ON email_outbox (subject_id);
