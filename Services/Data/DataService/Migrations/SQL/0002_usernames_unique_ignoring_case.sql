-- Usernames are unique ignoring case: `Alice` cannot be registered while `alice` exists, so no
-- one can pass for someone else with a name that differs only in case. Names keep the
-- spelling they were registered with, and lookups stay exact (one user, one URL).
-- Builds of schema 1 keep working: they register names the index accepts, and a clash is
-- a unique violation, which they report as "already exists".
--! expand

-- Blocks writes to users until the migration commits, so no registration lands between the
-- check below and the index it guards (CREATE INDEX would take this lock anyway).
LOCK TABLE users IN SHARE MODE;

-- A live database may already hold such names. Refuse, naming them all, instead of failing on
-- the first with PostgreSQL's message or picking a survivor: which account keeps its name is
-- the operator's decision (see docs/operations.md, "Usernames that differ only in case").
--! refuse-if-rows: usernames that differ only in case exist; rename all but one of each group (docs/operations.md, "Usernames that differ only in case"), then migrate again
SELECT string_agg(username, ' = ' ORDER BY username COLLATE "C")
FROM users
GROUP BY lower(username)
HAVING count(*) > 1
ORDER BY lower(username);

-- Registration's "is this name taken in any spelling?" (lower(username) = lower($1)) and the
-- rule itself. The exact-name unique index of version 1 stays: every other lookup uses it.
CREATE UNIQUE INDEX users_username_lower_key ON users (lower(username));
