-- User administration: an account can be disabled (it cannot sign in or refresh; its sessions are closed when it is),
-- and every administrative change is recorded in an append-only audit log, in the same transaction as the change.
ALTER TABLE users ADD COLUMN disabled_at timestamptz NULL;

CREATE TABLE admin_audit (
    id             uuid        PRIMARY KEY,
    -- Who: the admin's id and email at the time; no id for the operator command (admin create), which has no account.
    actor_id       uuid        NULL,
    actor          text        NOT NULL CHECK (length(actor) BETWEEN 1 AND 254),
    action         text        NOT NULL CHECK (length(action) BETWEEN 1 AND 100),
    -- No foreign key: the record outlives the account it is about.
    target_user_id uuid        NULL,
    before         jsonb       NULL,
    after          jsonb       NULL,
    trace_id       text        NULL CHECK (length(trace_id) <= 64),
    occurred_at    timestamptz NOT NULL
);

CREATE INDEX admin_audit_occurred_idx ON admin_audit (occurred_at DESC, id DESC);
CREATE INDEX admin_audit_target_idx ON admin_audit (target_user_id, occurred_at DESC);

-- Append-only for every role, the table's owner included: rows are never changed or removed.
CREATE FUNCTION admin_audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'admin_audit is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER admin_audit_no_update_or_delete BEFORE UPDATE OR DELETE ON admin_audit
    FOR EACH ROW EXECUTE FUNCTION admin_audit_refuse_change();
CREATE TRIGGER admin_audit_no_truncate BEFORE TRUNCATE ON admin_audit
    FOR EACH STATEMENT EXECUTE FUNCTION admin_audit_refuse_change();
