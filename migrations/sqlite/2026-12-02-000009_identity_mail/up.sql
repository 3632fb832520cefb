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
-- row it is about (an invitation, a user token). SQLite cannot drop a foreign key in place,
-- so the table is rebuilt.
CREATE TABLE email_outbox_new (
    id              TEXT PRIMARY KEY NOT NULL,
    kind            TEXT NOT NULL,
    subject_id      TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_until   TIMESTAMP,
    sent_at         TIMESTAMP,
    dropped_at      TIMESTAMP,
    last_error      TEXT,
    claim_id        TEXT
);

INSERT INTO email_outbox_new (id, kind, subject_id, recipient, created_at, attempts, next_attempt_at,
                              claimed_until, sent_at, dropped_at, last_error, claim_id)
SELECT id, 'INVITATION', invitation_id, recipient, created_at, attempts, next_attempt_at,
       claimed_until, sent_at, dropped_at, last_error, claim_id
FROM email_outbox;

DROP TABLE email_outbox;
ALTER TABLE email_outbox_new RENAME TO email_outbox;
CREATE INDEX email_outbox_due ON email_outbox (sent_at, dropped_at, next_attempt_at);
CREATE INDEX email_outbox_subject ON email_outbox (subject_id);
