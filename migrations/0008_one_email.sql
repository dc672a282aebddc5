-- One email, one decision: the same message arriving twice (over IMAP in two watched mailboxes, To
-- one and Cc the other, or as a file given to `triage` after it came in over IMAP) is one row in
-- messages; every later arrival is a sighting of it (src/ingest/store-message.ts has the rules).

-- What makes two arrivals the same email, whatever their bytes:
--   mid:<sha256 of Message-ID, newline, lower-cased sender address>  when the message has a Message-ID;
--   body:<sha256 of sender, Date, Subject and the body bytes>          when it has none;
--   raw:<sha256 of the raw bytes>                                       when it could not be parsed.
-- Null for rows stored before this migration that repeat an earlier row's identity (those stay
-- separate emails, as they were decided).
ALTER TABLE messages ADD COLUMN identity text;

UPDATE messages SET identity = first.identity
FROM (
  SELECT DISTINCT ON (ident) id, ident AS identity
  FROM (
    SELECT id, created_at,
           'mid:' || encode(sha256(convert_to(message_id || chr(10) || lower(coalesce(from_address, '')), 'UTF8')), 'hex') AS ident
    FROM messages
    WHERE message_id IS NOT NULL
  ) AS candidates
  ORDER BY ident, created_at, id
) AS first
WHERE messages.id = first.id;

CREATE UNIQUE INDEX messages_identity_key ON messages (identity) WHERE identity IS NOT NULL;

-- Every arrival after the first: where and how it came. Its bytes are not kept (they differ only in
-- the headers each server added); the email's own raw bytes are the first arrival's.
CREATE TABLE message_sightings (
  id                bigserial PRIMARY KEY,
  email_id          text NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  mailbox           text NOT NULL,                   -- configured mailbox name, or "triage"
  source            text NOT NULL CHECK (source IN ('imap', 'file')),
  sha256            text NOT NULL,                   -- of the raw bytes of this arrival
  size_bytes        bigint NOT NULL,
  imap_uidvalidity  bigint,
  imap_uid          bigint,
  received_at       timestamptz NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  -- The same bytes in the same mailbox are the same arrival (a re-scan, two processes).
  CONSTRAINT message_sightings_mailbox_sha256_key UNIQUE (mailbox, sha256)
);
CREATE INDEX message_sightings_email_idx ON message_sightings (email_id);

-- Why a pending message waits: 'model' while the AI model is unreachable. Such mail is released as
-- soon as one probe finds the model answering again, instead of at its backed-off next attempt.
ALTER TABLE messages ADD COLUMN waiting_for text;
CREATE INDEX messages_waiting_idx ON messages (waiting_for) WHERE status = 'pending' AND waiting_for IS NOT NULL;
