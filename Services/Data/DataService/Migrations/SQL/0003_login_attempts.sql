-- Login attempts per account, counted where every worker and data instance sees the same
-- number (see LoginAttemptRepository.swift).
-- A new table: builds of schema 2 never touch it.
--! expand
CREATE TABLE login_attempts (
    -- lower(username) of the attempt, for names no account has too: unknown names are
    -- throttled like existing ones, so the throttle does not tell which exist.
    account      text        PRIMARY KEY CHECK (char_length(account) BETWEEN 1 AND 50),
    attempts     integer     NOT NULL CHECK (attempts > 0),
    -- When the window of this count began; it ends --login-account-window later.
    window_start timestamptz NOT NULL
);

-- Cleanup: DELETE FROM login_attempts WHERE window_start <= now() - window.
CREATE INDEX login_attempts_window_start_idx ON login_attempts (window_start);
