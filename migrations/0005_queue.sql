-- One job queue (src/queue/): every table a worker claims has the same columns with the same
-- meaning — status ('pending' while queued), attempts (raised by each claim), next_attempt_at,
-- locked_by / locked_at (the claim), last_error (why the last attempt did not finish).

ALTER TABLE messages RENAME COLUMN error TO last_error;

-- The parse stage's result, stored once at ingest (src/parse/stored-email.ts): classification
-- and drafting read it instead of parsing the raw bytes again. Null for messages stored before
-- this column existed (they are parsed from raw when needed) and for messages the parser rejected.
ALTER TABLE messages ADD COLUMN parsed jsonb;

-- IMAP keywords ($Mailroom-Ticket …) as an outbox like drafts and deliveries: the row is written in
-- the decision's transaction and the keyword is set after the commit, so a crash loses none.
CREATE TABLE keyword_updates (
  id               text PRIMARY KEY,                   -- kw_<ULID>
  email_id         text NOT NULL UNIQUE REFERENCES messages (id) ON DELETE CASCADE,
  mailbox          text NOT NULL,                      -- configured mailbox name
  keyword          text NOT NULL,                      -- e.g. $Mailroom-Ticket
  -- pending: waiting or in flight; done: set and confirmed; skipped: the message is gone, or
  -- keywords are off; failed: gave up after its attempts (reason in last_error)
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'skipped', 'failed')),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  locked_by        text,
  locked_at        timestamptz,
  last_error       text,
  completed_at     timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX keyword_updates_due_idx ON keyword_updates (next_attempt_at) WHERE status = 'pending';
