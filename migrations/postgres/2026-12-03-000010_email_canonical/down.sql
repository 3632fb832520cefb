DROP INDEX users_email_conflict;
DROP INDEX users_email_canonical;
ALTER TABLE users DROP COLUMN email_conflict;
ALTER TABLE users DROP COLUMN email_canonical;
