-- Emails compare on a canonical form: the local part in NFKC and lower case, the domain in IDNA
-- ASCII form (roster_identity::email). SQL cannot compute it, so the server fills
-- `email_canonical` after migrating, at start-up and in `roster migrate`
-- (roster_identity::canonical_emails), and new rows carry it from their insert. Rows created
-- before may collide on it: all are kept, the oldest keeps the address, and each newer one
-- gets `email_conflict` (the form it shares) until the operator resolves it; sign-up refuses
-- such an address meanwhile. A unique index admits any number of nulls, on both backends.
ALTER TABLE users ADD COLUMN email_canonical TEXT;
ALTER TABLE users ADD COLUMN email_conflict TEXT;
CREATE UNIQUE INDEX users_email_canonical ON users (email_canonical);
CREATE INDEX users_email_conflict ON users (email_conflict);
