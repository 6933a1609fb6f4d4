-- Account deletion erases the person from every table, the append-only admin audit log included. The log keeps its
-- rows and what they say was done; only the person's identifying text may go: an UPDATE is allowed when it changes
-- nothing but (a) `actor`, to the placeholder 'deleted user', for a row whose actor's account is deleted, and/or
-- (b) `before` and `after`, to themselves without the keys email, name and bio, for a row about a deleted account.
-- Every other UPDATE, every DELETE and TRUNCATE are refused as before.
CREATE OR REPLACE FUNCTION admin_audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    personal CONSTANT text[] := ARRAY['email', 'name', 'bio'];
BEGIN
    IF TG_OP = 'UPDATE'
       AND NEW.id = OLD.id
       AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id
       AND NEW.action = OLD.action
       AND NEW.target_user_id IS NOT DISTINCT FROM OLD.target_user_id
       AND NEW.trace_id IS NOT DISTINCT FROM OLD.trace_id
       AND NEW.occurred_at = OLD.occurred_at
       AND (NEW.actor = OLD.actor
            OR (NEW.actor = 'deleted user'
                AND EXISTS (SELECT 1 FROM users WHERE id = OLD.actor_id AND deleted_at IS NOT NULL)))
       AND ((NEW.before IS NOT DISTINCT FROM OLD.before AND NEW.after IS NOT DISTINCT FROM OLD.after)
            OR (NEW.before IS NOT DISTINCT FROM OLD.before - personal
                AND NEW.after IS NOT DISTINCT FROM OLD.after - personal
                AND EXISTS (SELECT 1 FROM users WHERE id = OLD.target_user_id AND deleted_at IS NOT NULL)))
    THEN
        RETURN NEW;
    END IF;

    RAISE EXCEPTION 'admin_audit is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;

-- The farewell mail of a deleted account is the one message still addressed to the person (it has no user_id, so the
-- deletion that wrote it does not erase it). Once the sender is done with it, sent or failed, its address and bodies
-- are erased too, whoever sets the status.
CREATE FUNCTION mail_messages_erase_farewell() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.recipient := 'erased@deleted.invalid';
    NEW.text_body := NULL;
    NEW.html_body := NULL;
    NEW.last_error := NULL;
    RETURN NEW;
END;
$$;

CREATE TRIGGER mail_messages_farewell_erased BEFORE UPDATE OF status ON mail_messages
    FOR EACH ROW WHEN (NEW.kind = 'account_deleted' AND NEW.user_id IS NULL AND NEW.status <> 'pending')
    EXECUTE FUNCTION mail_messages_erase_farewell();
