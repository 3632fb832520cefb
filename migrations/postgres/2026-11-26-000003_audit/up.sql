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

CREATE FUNCTION audit_entries_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only();
