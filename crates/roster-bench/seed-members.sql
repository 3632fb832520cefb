-- The peer benchmark's data shape (../shared/perf/README.md) in Roster's own tables: 201
-- organizations, one with 1,000 members and 200 with 50, and 11,000 users. In each, member 1
-- is the ADMIN (who invited the others) and every 5th member is UNVERIFIED (invited, pending).
-- Users of the big organization are user1..1000@org1.example.com, named "User N". Member ids
-- are zero-padded so they sort in member order, as real ids sort by creation.
-- psql -v token=… sets the admin's bearer token (only its SHA-256 digest is stored).
\set ON_ERROR_STOP on
BEGIN;

CREATE TEMPORARY TABLE seed_members ON COMMIT DROP AS
SELECT 1 AS org, n AS member, n AS seq, 'user' || n || '@org1.example.com' AS email
FROM generate_series(1, 1000) AS n
UNION ALL
SELECT k, j, 1000 + (k - 2) * 50 + j, 'user' || j || '@org' || k || '.example.com'
FROM generate_series(2, 201) AS k, generate_series(1, 50) AS j;

INSERT INTO organizations (id, name, created_at, event_seq)
SELECT 'org_' || lpad(k::text, 26, '0'), 'Org ' || k, now(), 0 FROM generate_series(1, 201) AS k;

INSERT INTO users (id, email, email_key, email_canonical, display_name, password_hash, created_at, email_verified_at)
SELECT 'usr_' || lpad(seq::text, 26, '0'), email, email, email, 'User ' || member, NULL, now(), now()
FROM seed_members;

INSERT INTO memberships (id, scope_id, organization_id, team_id, user_id, role, status, invited_at, invited_by, joined_at)
SELECT
    'mem_' || lpad(s.seq::text, 26, '0'),
    'org_' || lpad(s.org::text, 26, '0'),
    'org_' || lpad(s.org::text, 26, '0'),
    NULL,
    'usr_' || lpad(s.seq::text, 26, '0'),
    CASE WHEN s.member = 1 THEN 'ADMIN' ELSE 'MEMBER' END,
    CASE WHEN s.member % 5 = 0 THEN 'UNVERIFIED' ELSE 'VERIFIED' END,
    CASE WHEN s.member = 1 THEN NULL ELSE now() END,
    CASE WHEN s.member = 1 THEN NULL ELSE 'usr_' || lpad(a.seq::text, 26, '0') END,
    CASE WHEN s.member % 5 = 0 THEN NULL ELSE now() END
FROM seed_members AS s
JOIN seed_members AS a ON a.org = s.org AND a.member = 1;

INSERT INTO sessions (id, user_id, token_digest, created_at, expires_at, revoked_at)
VALUES ('ses_' || lpad('1', 26, '0'), 'usr_' || lpad('1', 26, '0'),
        encode(sha256(convert_to(:'token', 'UTF8')), 'hex'), now(), now() + interval '30 days', NULL);

COMMIT;
ANALYZE;
