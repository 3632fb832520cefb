-- Rate limits, counted here so that they hold across replicas and restarts. One row per
-- limited key (a digest of the limit's name and the key, so no email or address is kept in
-- clear). `tat` is the generic cell rate algorithm's "theoretical arrival time", in
-- microseconds since the epoch: the key may act while `tat - now` stays within the window
-- less one interval. A row whose `tat` has passed counts nothing and may be pruned.
CREATE TABLE rate_limits (
    key TEXT PRIMARY KEY NOT NULL,
    tat BIGINT NOT NULL
);

CREATE INDEX rate_limits_tat ON rate_limits (tat);
