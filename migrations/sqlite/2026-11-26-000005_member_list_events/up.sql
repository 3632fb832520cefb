-- Every change to a member list, numbered per scope without gaps in commit order: the
-- position is the scope's event_seq, bumped under the scope row's lock in the same
-- transaction as the change and its audit entry. Subscriptions read from here, so no event is
-- lost across reconnects or replicas. Old rows are pruned after the retention period.
CREATE TABLE member_list_events (
    scope_id        TEXT NOT NULL,
    position        BIGINT NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    kind            TEXT NOT NULL,
    user_id         TEXT NOT NULL REFERENCES users (id),
    occurred_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (scope_id, position)
);

CREATE INDEX member_list_events_occurred_at ON member_list_events (occurred_at);
