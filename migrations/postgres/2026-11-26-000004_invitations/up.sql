-- Invitation tokens. One row per token ever minted for a pending membership; `state` says
-- what became of it. Only the SHA-256 digest of a token is kept. A row is created with a
-- random placeholder digest that no token hashes to; the mail sender mints the real token
-- at send time and stores its digest, so no usable token is ever at rest, not even in the
-- outbox.
CREATE TABLE invitations (
    id              TEXT PRIMARY KEY NOT NULL,
    scope_id        TEXT NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    team_id         TEXT REFERENCES teams (id) ON DELETE CASCADE,
    user_id         TEXT NOT NULL REFERENCES users (id),
    invited_by      TEXT REFERENCES users (id),
    token_digest    TEXT NOT NULL UNIQUE,
    state           TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    expires_at      TIMESTAMP NOT NULL,
    resolved_at     TIMESTAMP,
    CHECK (state IN ('PENDING', 'ACCEPTED', 'CANCELLED', 'SUPERSEDED'))
);

-- At most one live token per pending membership.
CREATE UNIQUE INDEX invitations_one_pending ON invitations (scope_id, user_id) WHERE state = 'PENDING';
CREATE INDEX invitations_scope_user ON invitations (scope_id, user_id, created_at);

-- Mail to send. Written in the transaction of the change that causes it; a background
-- sender delivers it, retrying with backoff. `claimed_until` lets several replicas share
-- the work without sending twice.
CREATE TABLE email_outbox (
    id              TEXT PRIMARY KEY NOT NULL,
    invitation_id   TEXT NOT NULL REFERENCES invitations (id) ON DELETE CASCADE,
    recipient       TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_until   TIMESTAMP,
    sent_at         TIMESTAMP,
    dropped_at      TIMESTAMP,
    last_error      TEXT
);

CREATE INDEX email_outbox_due ON email_outbox (sent_at, dropped_at, next_attempt_at);
