-- Domain events written in the same transaction as the change that caused them (transactional outbox).
-- The payments worker relays them to partner webhooks; dispatched_at is set once they have been fanned out.
CREATE TABLE outbox_events (
    id            uuid        PRIMARY KEY,
    type          text        NOT NULL CHECK (length(type) BETWEEN 1 AND 100),
    payload       jsonb       NOT NULL,
    occurred_at   timestamptz NOT NULL,
    dispatched_at timestamptz NULL
);

CREATE INDEX outbox_events_pending_idx ON outbox_events (occurred_at) WHERE dispatched_at IS NULL;
