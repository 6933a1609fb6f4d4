-- Partner webhooks: subscriptions managed through the API, deliveries made by the payments worker from the outbox.
CREATE TABLE webhook_subscriptions (
    id                          uuid        PRIMARY KEY,
    owner_id                    uuid        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    url                         text        NOT NULL CHECK (length(url) <= 2000),
    events                      text[]      NOT NULL,
    description                 text        NULL CHECK (length(description) <= 500),
    secret                      text        NOT NULL,
    previous_secret             text        NULL,
    previous_secret_expires_at  timestamptz NULL,
    active                      boolean     NOT NULL DEFAULT true,
    disabled_reason             text        NULL,
    failing_since               timestamptz NULL,
    created_at                  timestamptz NOT NULL,
    updated_at                  timestamptz NOT NULL
);

CREATE INDEX webhook_subscriptions_owner_idx ON webhook_subscriptions (owner_id);

CREATE TABLE webhook_deliveries (
    id               uuid        PRIMARY KEY,
    subscription_id  uuid        NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    event_id         uuid        NOT NULL,
    event_type       text        NOT NULL,
    envelope         jsonb       NOT NULL,
    outcome          text        NOT NULL DEFAULT 'pending' CHECK (outcome IN ('pending', 'delivered', 'failed')),
    attempt_count    integer     NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NULL,
    last_status_code integer     NULL,
    last_error       text        NULL,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    delivered_at     timestamptz NULL,
    UNIQUE (subscription_id, event_id)
);

CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE outcome = 'pending';
CREATE INDEX webhook_deliveries_subscription_idx ON webhook_deliveries (subscription_id, created_at DESC);
