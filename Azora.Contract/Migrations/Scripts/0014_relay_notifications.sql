-- Wakes the payments worker's webhook relay as soon as there is something to hand on: a committed outbox event, or a
-- delivery queued directly (a ping). NOTIFY is sent at commit, so the relay never wakes for a change that rolled back.
-- The relay LISTENs on the channel and still polls (Azora:Webhooks:PollInterval) in case a notification is missed.
-- The relay's own fan-out (it sets azora.relay_fan_out in its transaction) does not wake it again.
CREATE FUNCTION relay_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM inserted) AND current_setting('azora.relay_fan_out', true) IS DISTINCT FROM 'on' THEN
        PERFORM pg_notify('azora_relay', TG_TABLE_NAME);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER outbox_events_notify_relay AFTER INSERT ON outbox_events
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION relay_notify();

CREATE TRIGGER webhook_deliveries_notify_relay AFTER INSERT ON webhook_deliveries
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION relay_notify();
