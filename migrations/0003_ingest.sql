-- IMAP ingestion: where each mailbox's watcher stopped, and which process watches it.

CREATE TABLE ingest_cursors (
  mailbox      text PRIMARY KEY,                    -- configured mailbox name
  folder       text NOT NULL,                       -- the IMAP folder the UIDs belong to
  uidvalidity  bigint NOT NULL,
  -- Every UID up to this one is stored or deliberately skipped; advanced in the transaction that stores the message.
  last_uid     bigint NOT NULL,
  -- UIDs up to catchup_uid were already in the folder when this cursor was made (first start or a
  -- UIDVALIDITY change): of those only mail with INTERNALDATE >= since is ours (ingest.backfill).
  catchup_uid  bigint NOT NULL,
  since        timestamptz NOT NULL,
  -- The cursor was made after a UIDVALIDITY change: catch-up UIDs are matched against stored mail first.
  rescan       boolean NOT NULL DEFAULT false,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);

-- One row per watched mailbox: the process that watches it until expires_at, renewed by that process.
CREATE TABLE ingest_leases (
  mailbox      text PRIMARY KEY,
  holder       text NOT NULL,                       -- processId of the watcher
  expires_at   timestamptz NOT NULL,
  acquired_at  timestamptz NOT NULL DEFAULT now(),
  renewed_at   timestamptz NOT NULL DEFAULT now()
);
