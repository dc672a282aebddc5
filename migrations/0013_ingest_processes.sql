-- Processes that watch mailboxes register here and renew their row with their leases, in one
-- statement per cycle (src/ingest/lease.ts). The live rows say how many processes share the
-- mailboxes, so each aims at ceil(mailboxes / live processes) and hands surplus over.

CREATE TABLE ingest_processes (
  id            text PRIMARY KEY,                     -- newWorkerId(): host:pid:random, the lease holder's name
  expires_at    timestamptz NOT NULL,                 -- renewed with its leases; live while in the future
  mailboxes     integer NOT NULL,                     -- mailboxes in its configuration
  -- A digest of their names: processes share fairly only with those configured alike, so a process
  -- with another list (a rolling configuration change) never makes the others hand over mailboxes
  -- that nobody in its group would take.
  mailbox_set   text NOT NULL,
  watching      integer NOT NULL DEFAULT 0,           -- leases it held at its last heartbeat (for operators)
  started_at    timestamptz NOT NULL DEFAULT now(),
  heartbeat_at  timestamptz NOT NULL DEFAULT now()
);

-- A process renews and releases its leases by holder.
CREATE INDEX ingest_leases_holder ON ingest_leases (holder);
