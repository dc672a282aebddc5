import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import type { Classification } from '../../classify/classification.js';
import type { Action, Reason } from '../../decide/decision.js';
import { CURSOR_TIME_FORMAT, type PageKey } from '../cursor.js';

export interface DecisionRow {
  id: string;
  cursor_time: string;
  email_id: string;
  action: Action;
  reasons: Reason[];
  flags: { payment: boolean; legal: boolean; vip: boolean };
  prefilter: string | null;
  policy_version: string;
  created_at: Date;
  mailbox: string;
  message_id: string | null;
  from_address: string | null;
  subject: string | null;
  classifier: string | null;
  model: string | null;
  prompt_version: string | null;
  confidence: number | null;
  output: Classification | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  cached_from: string | null;
  classification_error: string | null;
  draft_id: string | null;
  draft_status: string | null;
}

export interface DecisionFilter {
  action?: Action;
  mailbox?: string;
  since?: Date;
  after?: PageKey;
  limit: number;
}

/**
 * The audit log, for the API and for `mailroom decisions list`. Newest first, keyed by (created_at, id) so pages never overlap or skip a row (the row
 * comparison uses decisions_created_idx). Returns up to `limit` rows.
 */
export async function listDecisions(db: Db, filter: DecisionFilter): Promise<DecisionRow[]> {
  let query = db
    .selectFrom('decisions as d')
    .innerJoin('messages as m', 'm.id', 'd.email_id')
    .leftJoin('classifications as c', 'c.id', 'd.classification_id')
    .leftJoin('drafts as r', 'r.email_id', 'd.email_id')
    .select([
      'd.id', 'd.email_id', 'd.action', 'd.reasons', 'd.flags', 'd.prefilter', 'd.policy_version', 'd.created_at',
      'm.mailbox', 'm.message_id', 'm.from_address', 'm.subject',
      'c.classifier', 'c.model', 'c.prompt_version', 'c.confidence', 'c.output',
      'c.prompt_tokens', 'c.completion_tokens', 'c.cached_from', 'c.error as classification_error',
      'r.id as draft_id', 'r.status as draft_status',
      sql<string>`to_char(d.created_at at time zone 'UTC', ${sql.raw(CURSOR_TIME_FORMAT)})`.as('cursor_time'),
    ])
    .orderBy('d.created_at', 'desc')
    .orderBy('d.id', 'desc')
    .limit(filter.limit);
  if (filter.action) query = query.where('d.action', '=', filter.action);
  if (filter.mailbox) query = query.where('m.mailbox', '=', filter.mailbox);
  if (filter.since) query = query.where('d.created_at', '>=', filter.since);
  if (filter.after) {
    query = query.where(sql<boolean>`(d.created_at, d.id) < (${filter.after.time}::timestamptz, ${filter.after.id}::bigint)`);
  }
  return (await query.execute()) as DecisionRow[];
}

/**
 * One decision as programs see it, for `/v1/decisions` and `mailroom decisions list --json`
 * (the API's response schema keeps the fields it documents).
 */
export function decisionView(row: DecisionRow) {
  return {
    email_id: row.email_id,
    decided_at: row.created_at.toISOString(),
    mailbox: row.mailbox,
    message_id: row.message_id,
    from: row.from_address,
    subject: row.subject,
    action: row.action,
    reasons: row.reasons,
    flags: row.flags,
    prefilter: row.prefilter,
    policy_version: row.policy_version,
    summary: row.output?.summary ?? null,
    classifier: row.model
      ? {
          classifier: row.classifier,
          model: row.model,
          prompt_version: row.prompt_version,
          confidence: row.confidence,
          prompt_tokens: row.prompt_tokens,
          completion_tokens: row.completion_tokens,
          cached: row.cached_from !== null,
          error: row.classification_error,
        }
      : null,
    draft: row.draft_id ? { id: row.draft_id, status: row.draft_status } : null,
  };
}
