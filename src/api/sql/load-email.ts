import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import type { Classification } from '../../classify/classification.js';
import type { Action, DetectorMatch, Reason } from '../../decide/decision.js';
import type { MessageStatus } from '../../db/tables/core.js';

export interface EmailRow {
  id: string;
  thread_id: string;
  mailbox: string;
  source: 'imap' | 'file';
  message_id: string | null;
  sha256: string;
  size_bytes: string;
  raw_available: boolean;
  from_address: string | null;
  from_name: string | null;
  subject: string | null;
  sent_at: Date | null;
  received_at: Date;
  status: MessageStatus;
  error: string | null;
  attempts: number;
  // decision (null columns when there is none yet)
  action: Action | null;
  reasons: Reason[] | null;
  flags: { payment: boolean; legal: boolean; vip: boolean } | null;
  detector_matches: DetectorMatch[] | null;
  prefilter: string | null;
  acknowledge_only: boolean | null;
  policy_version: string | null;
  decided_at: Date | null;
  // classification: the one the decision used, else the latest attempt
  c_classifier: string | null;
  c_model: string | null;
  c_prompt_version: string | null;
  c_output: Classification | null;
  c_confidence: number | null;
  c_model_confidence: number | null;
  c_logprob_confidence: number | null;
  c_mode: string | null;
  c_prompt_tokens: number | null;
  c_completion_tokens: number | null;
  c_latency_ms: number | null;
  c_cached: boolean | null;
  c_error: string | null;
  c_created_at: Date | null;
}

/** One email with its decision and classification, without the raw bytes. */
export async function loadEmail(db: Db, id: string): Promise<EmailRow | null> {
  const { rows } = await sql<EmailRow>`
    select m.id, m.thread_id, m.mailbox, m.source, m.message_id, m.sha256, m.size_bytes::text as size_bytes,
           (m.raw is not null) as raw_available, m.from_address, m.from_name, m.subject, m.sent_at, m.received_at,
           m.status, m.error, m.attempts,
           d.action, d.reasons, d.flags, d.detector_matches, d.prefilter, d.acknowledge_only, d.policy_version,
           d.created_at as decided_at,
           c.classifier as c_classifier, c.model as c_model, c.prompt_version as c_prompt_version, c.output as c_output,
           c.confidence as c_confidence, c.model_confidence as c_model_confidence, c.logprob_confidence as c_logprob_confidence,
           c.mode as c_mode, c.prompt_tokens as c_prompt_tokens, c.completion_tokens as c_completion_tokens,
           c.latency_ms as c_latency_ms, (c.cached_from is not null) as c_cached, c.error as c_error, c.created_at as c_created_at
    from messages m
    left join decisions d on d.email_id = m.id
    left join classifications c on c.id = coalesce(
      d.classification_id,
      (select max(c2.id) from classifications c2 where c2.email_id = m.id))
    where m.id = ${id}`.execute(db);
  return rows[0] ?? null;
}
