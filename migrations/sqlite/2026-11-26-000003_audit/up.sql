-- The audit log: append-only. `code` is for programs, `action` for people.
CREATE TABLE audit_entries (
    id              TEXT PRIMARY KEY NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    team_id         TEXT REFERENCES teams (id) ON DELETE CASCADE,
    actor_id        TEXT REFERENCES users (id),
    target_id       TEXT REFERENCES users (id),
    code            TEXT NOT NULL,
    action          TEXT NOT NULL,
    occurred_at     TIMESTAMP NOT NULL
);

CREATE INDEX audit_entries_organization_id ON audit_entries (organization_id, id);

CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
BEGIN
    SELECT RAISE(ABORT, 'audit entries are append-only');
END;

CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
BEGIN
    SELECT RAISE(ABORT, 'audit entries are append-only');
END;
