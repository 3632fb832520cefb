-- Organizations and their teams. `event_seq` counts the membership changes of the scope; every
-- membership change bumps it under the row lock, which serialises changes per scope (the
-- last-admin rule and resends rely on that) and numbers the scope's events without gaps.
CREATE TABLE organizations (
    id         TEXT PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    event_seq  BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE teams (
    id              TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    event_seq       BIGINT NOT NULL DEFAULT 0
);

CREATE INDEX teams_organization_id ON teams (organization_id);

-- A user's place in one scope's member list. `scope_id` is the organization's id for an
-- organization membership and the team's id for a team membership; (scope_id, user_id) is
-- unique, so nobody can be listed twice. UNVERIFIED rows are pending invitations.
CREATE TABLE memberships (
    id              TEXT PRIMARY KEY NOT NULL,
    scope_id        TEXT NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    team_id         TEXT REFERENCES teams (id) ON DELETE CASCADE,
    user_id         TEXT NOT NULL REFERENCES users (id),
    role            TEXT NOT NULL,
    status          TEXT NOT NULL,
    invited_at      TIMESTAMP,
    invited_by      TEXT REFERENCES users (id),
    joined_at       TIMESTAMP,
    UNIQUE (scope_id, user_id),
    CHECK (status IN ('UNVERIFIED', 'VERIFIED')),
    CHECK ((team_id IS NULL AND scope_id = organization_id AND role IN ('ADMIN', 'MEMBER'))
        OR (team_id IS NOT NULL AND scope_id = team_id AND role IN ('OWNER', 'MEMBER')))
);

CREATE INDEX memberships_user_id ON memberships (user_id);
CREATE INDEX memberships_organization_id ON memberships (organization_id);
