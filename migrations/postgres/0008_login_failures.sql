-- Usernames are unique ignoring case (login ignores case too). Usernames are ASCII, so
-- lower() means the same on SQLite and PostgreSQL.
CREATE UNIQUE INDEX users_username_lower ON users (lower(username));

-- Failed logins, per username (lower-cased) and client address, shared by every instance:
-- a run of failures within the lockout period locks that pair (not the account) for the period.
CREATE TABLE login_failures (
    username TEXT NOT NULL,
    client TEXT NOT NULL,
    failures BIGINT NOT NULL,
    first_at BIGINT NOT NULL,
    locked_until BIGINT,
    PRIMARY KEY (username, client)
);
CREATE INDEX login_failures_first_at ON login_failures (first_at);
