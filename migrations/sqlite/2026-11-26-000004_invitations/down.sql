DROP TABLE email_outbox;
DROP TABLE invitations;
