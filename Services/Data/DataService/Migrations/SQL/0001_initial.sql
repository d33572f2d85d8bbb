-- Microposts schema, version 1.
--
-- Format (see Migration.swift): each statement ends with ';' as the last character of its line,
-- lines starting with '--' are comments, and there are no dollar-quoted bodies. The file runs in
-- one transaction.
--
-- Every index below names the API query it serves; add none without a query that needs it.

-- The first schema: no build ran before it.
--! contract

-- Trigram indexes make the API's substring searches (ILIKE '%…%') index scans. pg_trgm is a
-- trusted extension, so the database owner can create it without superuser rights.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE users (
    id            bigserial   PRIMARY KEY,
    -- The unique constraint's index also serves every lookup by name.
    username      text        NOT NULL UNIQUE
                  CHECK (char_length(username) BETWEEN 1 AND 50 AND username ~ '^[A-Za-z0-9_.-]+$'),
    -- A salted, slow hash made by the data service; plain passwords never reach the database.
    password_hash text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- Search's optional "username contains" filter.
CREATE INDEX users_username_trgm_idx ON users USING gin (username gin_trgm_ops);

CREATE TABLE microposts (
    id            bigserial   PRIMARY KEY,
    author_id     bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- Characters, not bytes: char_length counts code points in a UTF-8 database.
    text          text        NOT NULL CHECK (char_length(text) BETWEEN 1 AND 255),
    referenced_id bigint      REFERENCES users (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- A user's collection, newest first (ids only grow, so id order is creation order), and the
-- per-author half of the timeline: WHERE author_id = ANY(followed) ORDER BY id DESC.
CREATE INDEX microposts_author_id_idx ON microposts (author_id, id DESC);

-- Search by text substring, case-insensitive: text ILIKE '%' || $1 || '%' (trigrams ignore case).
CREATE INDEX microposts_text_trgm_idx ON microposts USING gin (text gin_trgm_ops);

-- No index on referenced_id: the API never looks posts up by the user they reference, and users
-- are never deleted, so the ON DELETE action never has to find them.

CREATE TABLE follows (
    follower_id bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    followed_id bigint      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    -- The key serves follow/unfollow, the timeline's "whom does X follow" and the following list.
    PRIMARY KEY (follower_id, followed_id),
    CHECK (follower_id <> followed_id)
);

-- The followers list: who follows X.
CREATE INDEX follows_followed_id_idx ON follows (followed_id, follower_id);

CREATE TABLE revoked_tokens (
    -- The token's id (JWT "jti"); the key serves "is this token revoked?".
    token_id   text        PRIMARY KEY CHECK (char_length(token_id) BETWEEN 1 AND 200),
    -- Once the token has expired anyway the row is useless and is deleted.
    expires_at timestamptz NOT NULL
);

-- Cleanup: DELETE FROM revoked_tokens WHERE expires_at < now().
CREATE INDEX revoked_tokens_expires_at_idx ON revoked_tokens (expires_at);
