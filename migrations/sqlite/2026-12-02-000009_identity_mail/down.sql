CREATE TABLE email_outbox_old (
    id              TEXT PRIMARY KEY NOT NULL,
    invitation_id   TEXT NOT NULL REFERENCES invitations (id) ON DELETE CASCADE,
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

INSERT INTO email_outbox_old (id, invitation_id, recipient, created_at, attempts, next_attempt_at,
                              claimed_until, sent_at, dropped_at, last_error, claim_id)
SELECT id, subject_id, recipient, created_at, attempts, next_attempt_at,
       claimed_until, sent_at, dropped_at, last_error, claim_id
FROM email_outbox WHERE kind = 'INVITATION';

DROP TABLE email_outbox;
ALTER TABLE email_outbox_old RENAME TO email_outbox;
CREATE INDEX email_outbox_due ON email_outbox (sent_at, dropped_at, next_attempt_at);

DROP TABLE user_tokens;
ALTER TABLE users DROP COLUMN email_verified_at;
