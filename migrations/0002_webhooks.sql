-- Webhooks: who receives ticket.suggested, the events (exact bytes), the outbox and every attempt.

CREATE TABLE webhook_subscriptions (
  id                        text PRIMARY KEY,          -- sub_<ULID>
  url                       text NOT NULL,
  description               text NOT NULL DEFAULT '',
  enabled                   boolean NOT NULL DEFAULT true,
  disabled_reason           text,                      -- shown by `subscriptions list`
  disabled_at               timestamptz,
  -- whsec_ secrets encrypted with AES-256-GCM (see src/webhooks/secret-box.ts); never stored in clear.
  secret_encrypted          text NOT NULL,
  -- After rotate-secret the old secret keeps signing until this time (two v1, signatures).
  previous_secret_encrypted text,
  previous_secret_expires_at timestamptz,
  -- First failed attempt since the last success; null while the endpoint is healthy.
  failing_since             timestamptz,
  created_at                timestamptz NOT NULL DEFAULT now(),
  updated_at                timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE webhook_events (
  id          text PRIMARY KEY,                        -- the webhook-id: msg_<email ULID>
  type        text NOT NULL,                           -- ticket.suggested
  -- No foreign key to messages: the outbox must not depend on how long raw mail is kept.
  email_id    text,
  body        text NOT NULL,                           -- the exact JSON bytes that get signed and sent
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_events_email_idx ON webhook_events (email_id);

CREATE TABLE webhook_deliveries (
  id               text PRIMARY KEY,                   -- dlv_<ULID>
  event_id         text NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
  subscription_id  text NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
  -- pending: waiting or in flight; delivered: a 2xx came back; failed: dead letter (replayable)
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  -- Attempts of the current schedule, raised when a worker claims the row (so a crash still counts).
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL,
  locked_by        text,
  locked_at        timestamptz,
  last_status_code integer,
  last_error       text,
  last_attempt_at  timestamptz,
  delivered_at     timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT webhook_deliveries_event_subscription_key UNIQUE (event_id, subscription_id)
);
-- The claim walks each subscription's due rows in order (see src/webhooks/sql/claim-due-deliveries.ts).
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (subscription_id, next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_created_idx ON webhook_deliveries (created_at, id);

CREATE TABLE webhook_attempts (
  id             bigserial PRIMARY KEY,
  delivery_id    text NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
  attempt        integer NOT NULL,                     -- webhook_deliveries.attempts at claim time
  worker         text NOT NULL,                        -- which process sent it
  started_at     timestamptz NOT NULL,
  status_code    integer,                              -- null when no HTTP answer came back
  latency_ms     integer NOT NULL,
  error          text,                                 -- null on success
  response_head  text                                  -- first 1 KiB of the response body
);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, id);
