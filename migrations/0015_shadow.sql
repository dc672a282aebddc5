-- Shadow mode (issue 19): a candidate classifier (classifier.shadow) classifies live mail too, after
-- the live decision; its answer and the action it would have taken are stored here and never acted
-- on. A row is both the result and its job on the queue (src/queue/): written in the live
-- decision's transaction, classified after the commit by the shadow worker.
CREATE TABLE shadow_results (
  id                 text PRIMARY KEY,                   -- shd_<ULID>
  email_id           text NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  candidate          text NOT NULL,                      -- classifier.shadow.name
  -- Filled once classified: the candidate's prompt version (or the local model's version), the
  -- model the server reported, its answer, and what the pure decision engine made of it.
  candidate_version  text,
  model              text,
  classification     jsonb,
  action             text CHECK (action IN ('ticket', 'draft', 'review', 'ignore')),
  flags              jsonb,
  reasons            jsonb,
  latency_ms         integer,
  prompt_tokens      integer,
  completion_tokens  integer,
  -- Why the candidate gave no valid answer (then action is what the engine does without one, review)
  -- or why the job gave up (status failed). The live decision never depends on it.
  error              text,
  -- pending: waiting or in flight; done: classified (or answered invalidly, see error);
  -- failed: the candidate could not be reached after its attempts.
  status             text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
  attempts           integer NOT NULL DEFAULT 0,
  next_attempt_at    timestamptz NOT NULL DEFAULT now(),
  locked_by          text,
  locked_at          timestamptz,
  last_error         text,
  completed_at       timestamptz,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  UNIQUE (email_id, candidate)
);
CREATE INDEX shadow_results_due_idx ON shadow_results (next_attempt_at) WHERE status = 'pending';
CREATE INDEX shadow_results_created_idx ON shadow_results (created_at);

-- A correction made from the CLI or the API is shown in the mail client too: Mailroom sets the
-- corrected action's $Mailroom-* keyword through the same keyword outbox. An email may then have
-- two keyword rows (the decision's and the correction's), one per keyword.
ALTER TABLE keyword_updates DROP CONSTRAINT keyword_updates_email_id_key;
ALTER TABLE keyword_updates ADD CONSTRAINT keyword_updates_email_keyword_key UNIQUE (email_id, keyword);
-- true for a correction's keyword: Mailroom's other $Mailroom-* keywords are taken off the message
-- when it is set, so the mail client shows only the action that stands.
ALTER TABLE keyword_updates ADD COLUMN exclusive boolean NOT NULL DEFAULT false;
