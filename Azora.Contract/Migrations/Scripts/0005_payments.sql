-- Payments for paid courses, one row per Stripe PaymentIntent, and the Stripe events already applied.
CREATE TABLE payments (
    id                 uuid        PRIMARY KEY,
    user_id            uuid        NOT NULL REFERENCES users (id),
    course_id          uuid        NOT NULL REFERENCES courses (id),
    payment_intent_id  text        NOT NULL UNIQUE,
    client_secret      text        NOT NULL,
    amount             bigint      NOT NULL CHECK (amount > 0),
    currency           text        NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    status             text        NOT NULL CHECK (status IN ('pending', 'requires_action', 'failed', 'succeeded', 'canceled', 'refunded')),
    idempotency_key    text        NULL CHECK (length(idempotency_key) <= 255),
    failure_reason     text        NULL,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL
);

CREATE UNIQUE INDEX payments_idempotency_idx ON payments (user_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
-- At most one open payment per learner and course: a second request gets the open one back.
CREATE UNIQUE INDEX payments_open_idx ON payments (user_id, course_id) WHERE status IN ('pending', 'requires_action');
CREATE INDEX payments_user_idx ON payments (user_id, created_at DESC);
CREATE INDEX payments_reconcile_idx ON payments (updated_at) WHERE status IN ('pending', 'requires_action');

-- Stripe event ids, written in the same transaction as the event's effect: a redelivered event finds its id and does nothing.
CREATE TABLE stripe_events (
    id          text        PRIMARY KEY,
    type        text        NOT NULL,
    outcome     text        NOT NULL,
    received_at timestamptz NOT NULL
);
