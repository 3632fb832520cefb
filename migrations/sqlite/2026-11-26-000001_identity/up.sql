-- Accounts. `email` keeps the address as given (trimmed); `email_key` is its lower-case form,
-- which is what uniqueness and look-ups use, so emails compare case-insensitively.
-- `password_hash` is null for a user created by an invitation who has not accepted yet.
CREATE TABLE users (
    id            TEXT PRIMARY KEY NOT NULL,
    email         TEXT NOT NULL,
    email_key     TEXT NOT NULL UNIQUE,
    display_name  TEXT,
    password_hash TEXT,
    created_at    TIMESTAMP NOT NULL
);

-- Bearer sessions. Only the SHA-256 digest of a token is stored.
CREATE TABLE sessions (
    id           TEXT PRIMARY KEY NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_digest TEXT NOT NULL UNIQUE,
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    revoked_at   TIMESTAMP
);

CREATE INDEX sessions_user_id ON sessions (user_id);
