-- The local model (src/classify/local/): which version classified an email, or gave its second
-- opinion beside the AI model, is stored with the classification next to prompt_version.
ALTER TABLE classifications ADD COLUMN model_version text;

-- The local model's answer for every email it saw next to the AI model: the cascade's running
-- agreement (`mailroom model status`, /metrics) is measured on these rows.
CREATE TABLE local_predictions (
  email_id        text PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
  model_version   text NOT NULL,
  intent          text NOT NULL,
  confidence      real NOT NULL,                     -- calibrated probability of that intent
  payment         real NOT NULL,                     -- probability that money is at stake
  legal           real NOT NULL,                     -- probability that it is a legal matter
  -- The AI model's intent for the same email; null when the cascade answered without asking it.
  llm_intent      text,
  decided_locally boolean NOT NULL DEFAULT false,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX local_predictions_compared_idx ON local_predictions (created_at) WHERE llm_intent IS NOT NULL;
