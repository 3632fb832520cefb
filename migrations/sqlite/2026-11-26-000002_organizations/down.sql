DROP TABLE memberships;
DROP TABLE teams;
DROP TABLE organizations;
