-- Each member-list event keeps the member as they were after the change, so a replay (or a
-- slower replica) shows each change as it happened, not as things are when it is delivered.
-- Null when the user left the list.
ALTER TABLE member_list_events ADD COLUMN membership_id TEXT;
ALTER TABLE member_list_events ADD COLUMN member_role TEXT;
ALTER TABLE member_list_events ADD COLUMN member_status TEXT;
ALTER TABLE member_list_events ADD COLUMN member_invited_at TIMESTAMP;
ALTER TABLE member_list_events ADD COLUMN member_invited_by TEXT;
ALTER TABLE member_list_events ADD COLUMN member_joined_at TIMESTAMP;

-- A deleted team keeps its row, so its audit entries (append-only, and referring to it) stay;
-- everything else treats it as gone.
ALTER TABLE teams ADD COLUMN deleted_at TIMESTAMP;
