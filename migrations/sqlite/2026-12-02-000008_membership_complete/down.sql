ALTER TABLE teams DROP COLUMN deleted_at;
ALTER TABLE member_list_events DROP COLUMN member_joined_at;
ALTER TABLE member_list_events DROP COLUMN member_invited_by;
ALTER TABLE member_list_events DROP COLUMN member_invited_at;
ALTER TABLE member_list_events DROP COLUMN member_status;
ALTER TABLE member_list_events DROP COLUMN member_role;
ALTER TABLE member_list_events DROP COLUMN membership_id;
