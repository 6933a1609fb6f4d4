-- Accounts and sessions. A session is one sign-in on one device: the family of refresh tokens rotated from the first
-- one. Refresh tokens are stored only as SHA-256 hashes; presenting one that was already rotated revokes its session.
CREATE TABLE users (
    id                  uuid        PRIMARY KEY,
    email               text        NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    name                text        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    bio                 text        NULL CHECK (length(bio) <= 2000),
    password_hash       text        NOT NULL,
    roles               text[]      NOT NULL DEFAULT ARRAY['learner'],
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    password_changed_at timestamptz NOT NULL
);

-- Emails are unique whatever their casing.
CREATE UNIQUE INDEX users_email_unique_idx ON users (lower(email));

CREATE TABLE auth_sessions (
    id            uuid        PRIMARY KEY,
    user_id       uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL,
    revoked_at    timestamptz NULL,
    revoke_reason text        NULL
);

CREATE INDEX auth_sessions_user_idx ON auth_sessions (user_id) WHERE revoked_at IS NULL;

CREATE TABLE refresh_tokens (
    id          uuid        PRIMARY KEY,
    session_id  uuid        NOT NULL REFERENCES auth_sessions (id) ON DELETE CASCADE,
    token_hash  bytea       NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    rotated_at  timestamptz NULL
);

CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);
