DROP INDEX email_outbox_subject;
DELETE FROM email_outbox WHERE kind <> 'INVITATION';
ALTER TABLE email_outbox RENAME COLUMN subject_id TO invitation_id;
ALTER TABLE email_outbox ADD CONSTRAINT email_outbox_invitation_id_fkey
    FOREIGN KEY (invitation_id) REFERENCES invitations (id) ON DELETE CASCADE;
ALTER TABLE email_outbox DROP COLUMN kind;
DROP TABLE user_tokens;
ALTER TABLE users DROP COLUMN email_verified_at;
