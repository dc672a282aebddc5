-- Corrections (issue 19): a person says what Mailroom should have done with an email. The decision
-- row stays as it was (the audit log); every correction is a row of its own, the latest one stands.

CREATE TABLE corrections (
  id           text PRIMARY KEY,                       -- cor_<ULID>, so ids sort by time
  email_id     text NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  -- What stood before this correction (the decision, or the previous correction) and what stands now.
  from_action  text NOT NULL CHECK (from_action IN ('ticket', 'draft', 'review', 'ignore')),
  to_action    text NOT NULL CHECK (to_action IN ('ticket', 'draft', 'review', 'ignore')),
  -- The intent and flags the person gave (null: not said); labels for the local model.
  intent       text,
  payment      boolean,
  legal        boolean,
  note         text,
  -- Who: the OS user for the CLI, the API token's name, the IMAP user for the mail client.
  corrected_by text NOT NULL,
  via          text NOT NULL CHECK (via IN ('cli', 'api', 'imap_keyword', 'imap_folder')),
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX corrections_email_idx ON corrections (email_id, created_at, id);
CREATE INDEX corrections_created_idx ON corrections (created_at, id);

-- Event types a subscription receives. Existing subscriptions keep receiving what they did.
ALTER TABLE webhook_subscriptions ADD COLUMN event_types text NOT NULL DEFAULT 'ticket.suggested';

-- How far the mail client has been read for corrections, per mailbox and folder: the CONDSTORE
-- modseq of the last flag check (0 when the server has none) and the last UID seen in a
-- correction folder.
CREATE TABLE correction_cursors (
  mailbox      text NOT NULL,
  folder       text NOT NULL,
  uidvalidity  bigint NOT NULL,
  modseq       text NOT NULL DEFAULT '0',              -- 63-bit unsigned in IMAP: kept as text
  last_uid     bigint NOT NULL DEFAULT 0,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (mailbox, folder)
);

-- Sender rules a person accepted from `mailroom rules suggest`: mail from this address or domain
-- gets this action (never a ticket for payment, legal or VIP mail).
CREATE TABLE sender_rules (
  id           text PRIMARY KEY,                       -- rule_<ULID>
  kind         text NOT NULL CHECK (kind IN ('sender', 'domain')),
  value        text NOT NULL,
  action       text NOT NULL CHECK (action IN ('ticket', 'draft', 'review', 'ignore')),
  accepted_by  text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (kind, value)
);
