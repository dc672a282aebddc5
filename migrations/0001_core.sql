-- Core of the flow: every email, its classification and its one decision.

CREATE TABLE messages (
  id               text PRIMARY KEY,                 -- em_<ULID>, the public email id
  thread_id        text NOT NULL,                    -- th_<hash of the thread's root Message-ID>
  mailbox          text NOT NULL,                    -- configured mailbox name, or "triage" for files
  source           text NOT NULL CHECK (source IN ('imap', 'file')),
  message_id       text,                             -- Message-ID header with <>, when present
  sha256           text NOT NULL,                    -- of the raw bytes as received
  size_bytes       bigint NOT NULL,
  raw              bytea,                            -- the whole message; null only when over the size limit
  raw_headers      text,                             -- kept even when raw is not
  from_address     text,
  from_name        text,
  subject          text,
  sent_at          timestamptz,                      -- Date header
  received_at      timestamptz NOT NULL DEFAULT now(),
  imap_uidvalidity bigint,
  imap_uid         bigint,
  -- pending: waits for a worker; decided: has its decision; failed: malformed, kept with its error
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'decided', 'failed')),
  error            text,
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  locked_by        text,
  locked_at        timestamptz,
  raw_chars        integer,
  clean_chars      integer,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  -- The same bytes in the same mailbox are the same email, whatever UID or file they came from.
  CONSTRAINT messages_mailbox_sha256_key UNIQUE (mailbox, sha256)
);
CREATE INDEX messages_due_idx ON messages (next_attempt_at) WHERE status = 'pending';
CREATE INDEX messages_message_id_idx ON messages (mailbox, message_id);
CREATE INDEX messages_thread_idx ON messages (thread_id);

CREATE TABLE classifications (
  id                  bigserial PRIMARY KEY,
  email_id            text NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
  classifier          text NOT NULL,                 -- openai | rules
  model               text NOT NULL,
  prompt_version      text NOT NULL,
  -- sha256 of prompt_version + the exact input the model saw: the cache key.
  input_hash          text NOT NULL,
  output              jsonb,                         -- the validated classification; null when it failed
  confidence          real,                          -- the number the threshold applies to
  model_confidence    real,                          -- what the model said
  logprob_confidence  real,                          -- derived from token logprobs, when available
  mode                text,                          -- json_schema | json_object | text | rules | cache
  prompt_tokens       integer,
  completion_tokens   integer,
  latency_ms          integer,
  cached_from         bigint REFERENCES classifications (id),
  error               text,
  created_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX classifications_email_idx ON classifications (email_id);
CREATE INDEX classifications_cache_idx ON classifications (input_hash) WHERE output IS NOT NULL AND cached_from IS NULL;

CREATE TABLE decisions (
  id                 bigserial PRIMARY KEY,
  -- One decision per email, enforced here rather than trusted to the code.
  email_id           text NOT NULL UNIQUE REFERENCES messages (id) ON DELETE CASCADE,
  action             text NOT NULL CHECK (action IN ('ticket', 'draft', 'review', 'ignore')),
  reasons            jsonb NOT NULL,                -- [{code, text}]
  flags              jsonb NOT NULL,                -- {payment, legal, vip}
  detector_matches   jsonb NOT NULL DEFAULT '[]',
  prefilter          text,                          -- the pre-filter that decided, if any
  acknowledge_only   boolean NOT NULL DEFAULT false,
  classification_id  bigint REFERENCES classifications (id),
  policy_version     text NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX decisions_created_idx ON decisions (created_at, id);
CREATE INDEX decisions_action_idx ON decisions (action, created_at);
