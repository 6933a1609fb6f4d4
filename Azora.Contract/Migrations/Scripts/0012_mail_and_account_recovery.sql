-- Mail and account recovery: verified emails, single-use account tokens, and the mail outbox.
--
-- email_verified_at: when the owner proved the address (a verification link); unverified accounts can sign in and
-- browse but cannot pay. deleted_at: when the owner deleted the account; the row stays, anonymised, so enrollments and
-- payments keep their user for accounting while nothing in it names a person.
ALTER TABLE users
    ADD COLUMN email_verified_at timestamptz NULL,
    ADD COLUMN deleted_at        timestamptz NULL;

-- Accounts from before verification existed were made by the people using them (or by operators): treated as verified.
UPDATE users SET email_verified_at = created_at;

-- Single-use tokens mailed to an account: email verification (24 h) and password reset (30 min). Stored only as
-- SHA-256 hashes; `email` is the address the token was sent to, which a verification token proves (for an email
-- change, the new address, applied when it is verified). A token is used at most once (used_at).
CREATE TABLE account_tokens (
    id         uuid        PRIMARY KEY,
    user_id    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    text        NOT NULL CHECK (purpose IN ('verify_email', 'password_reset')),
    token_hash bytea       NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    email      text        NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz NULL
);

CREATE INDEX account_tokens_user_idx ON account_tokens (user_id, purpose) WHERE used_at IS NULL;

-- The mail outbox: a message is written in the transaction of the change that causes it, and the payments worker's
-- sender delivers it over SMTP with retries. The bodies are cleared once the message is sent (they can hold a
-- single-use link); subject, kind and recipient stay for support until the account is deleted. dedupe_key makes a
-- message written twice for the same cause (a receipt for one payment event) exist once.
CREATE TABLE mail_messages (
    id              uuid        PRIMARY KEY,
    kind            text        NOT NULL CHECK (length(kind) BETWEEN 1 AND 50),
    user_id         uuid        NULL REFERENCES users (id) ON DELETE SET NULL,
    recipient       text        NOT NULL CHECK (length(recipient) BETWEEN 3 AND 254),
    subject         text        NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
    text_body       text        NULL,
    html_body       text        NULL,
    dedupe_key      text        NULL UNIQUE CHECK (length(dedupe_key) <= 200),
    status          text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempt_count   integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NULL,
    last_error      text        NULL CHECK (length(last_error) <= 1000),
    created_at      timestamptz NOT NULL,
    sent_at         timestamptz NULL
);

CREATE INDEX mail_messages_due_idx ON mail_messages (next_attempt_at) WHERE status = 'pending';
CREATE INDEX mail_messages_user_idx ON mail_messages (user_id);
