-- Partner API keys: an instructor's or admin's long-lived credential for integrations, limited to scopes. Only the
-- SHA-256 hash of the key is stored (the key is 256 random bits, so a fast hash is enough: nothing to brute-force);
-- key_hint (prefix and last characters) lets the owner recognise a key without revealing it.
CREATE TABLE api_keys (
    id           uuid        PRIMARY KEY,
    user_id      uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         text        NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    key_hash     bytea       NOT NULL UNIQUE CHECK (length(key_hash) = 32),
    key_hint     text        NOT NULL CHECK (length(key_hint) <= 20),
    scopes       text[]      NOT NULL CHECK (cardinality(scopes) > 0),
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NULL,
    last_used_at timestamptz NULL,
    revoked_at   timestamptz NULL
);

CREATE INDEX api_keys_user_idx ON api_keys (user_id, created_at) WHERE revoked_at IS NULL;

-- API replicas keep recently used keys in memory; they LISTEN on this channel and forget every cached key when a key
-- is revoked or changed, or when any user's roles or disabled state change (by the admin API or by hand in SQL).
-- The notification is sent when the change commits.
CREATE FUNCTION api_keys_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('azora_api_keys', TG_TABLE_NAME);
    RETURN NULL;
END;
$$;

CREATE TRIGGER api_keys_changed AFTER UPDATE OF revoked_at, scopes, expires_at, user_id OR DELETE ON api_keys
    FOR EACH STATEMENT EXECUTE FUNCTION api_keys_notify_change();
CREATE TRIGGER users_access_changed AFTER UPDATE OF roles, disabled_at OR DELETE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION api_keys_notify_change();
