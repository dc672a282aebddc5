-- Personal data: what each classification found (kinds and counts, never values), whether the
-- model was shown a redacted view, and the mapping that puts the values back into a reply draft.

-- {"redacted": true, "kinds": {"email": 2, "phone": 1}}; null for classifications made before this.
ALTER TABLE classifications ADD COLUMN pii jsonb;

-- Placeholder -> value of what the model did not see, AES-256-GCM with the key of the webhook
-- secrets (webhooks.secret_key or data/secret.key), the email id bound in. Kept exactly as long as
-- the email: deleting the message deletes its mapping.
CREATE TABLE pii_mappings (
  email_id    text PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
  sealed      text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- A subscription that must not store personal data gets subject and body_text redacted.
ALTER TABLE webhook_subscriptions ADD COLUMN redact boolean NOT NULL DEFAULT false;
-- The event body for those subscriptions, stored once like `body`; null when nothing needed redacting.
ALTER TABLE webhook_events ADD COLUMN redacted_body text;
