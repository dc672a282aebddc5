import { sql } from 'kysely';
import { parseDateTime } from '../config/index.js';
import type { Action, Classification, DetectorMatch, Reason } from '../contract/index.js';
import { type ClassificationPii, type Db, type MessageStatus, readRawMessage } from '../db/index.js';
import { STALE_CLAIM_MS } from '../queue/index.js';

/**
 * Opaque page cursors. A cursor names the last row of a page by its sort key, (created_at, id),
 * so the next page starts strictly after it however many rows arrive meanwhile. The time is kept
 * as PostgreSQL's microsecond text: a JavaScript Date would round it to milliseconds, and two rows
 * in the same millisecond would then be skipped or repeated.
 */
export interface PageKey {
  /** created_at as `YYYY-MM-DDTHH:MM:SS.ffffffZ`. */
  time: string;
  id: string;
}

const MAX_BIGINT = 9_223_372_036_854_775_807n;
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

export function encodeCursor(key: PageKey): string {
  return Buffer.from(JSON.stringify([key.time, key.id]), 'utf8').toString('base64url');
}

/** The key, or null when the text is not a cursor this server made (decisions have numeric ids, deliveries `dlv_…`). */
export function decodeCursor(cursor: string, idPattern: RegExp = /^\d{1,19}$/): PageKey | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 2) return null;
    const [time, id] = value as unknown[];
    if (typeof time !== 'string' || !TIME.test(time) || parseDateTime(time) === null) return null;
    // A bigint column: an id past its range would fail in the database, not here.
    if (typeof id !== 'string' || !idPattern.test(id) || (/^\d+$/.test(id) && BigInt(id) > MAX_BIGINT)) return null;
    return { time, id };
  } catch {
    return null;
  }
}

/** SQL text for a timestamptz in the cursor's form (UTC, microseconds). */
export const CURSOR_TIME_FORMAT = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;

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
  pii: ClassificationPii | null;
  draft_id: string | null;
  draft_status: string | null;
  /** The correction that stands (the latest), beside the decision; null when nobody corrected it. */
  correction: { action: Action; by: string; at: string; via: string; note: string | null } | null;
  corrections: number;
}

export type FlagName = 'payment' | 'legal' | 'vip';

export interface DecisionFilter {
  action?: Action;
  mailbox?: string;
  since?: Date;
  /** Decided before this moment. */
  until?: Date;
  /** Only decisions that raised this flag. */
  flag?: FlagName;
  /** The classified intent. */
  intent?: string;
  /** Words found in the sender (address or name) or the subject, case-insensitive. */
  text?: string;
  after?: PageKey;
  limit: number;
}

/** `%`, `_` and `\` taken literally in a LIKE pattern. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
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
      'd.id',
      'd.email_id',
      'd.action',
      'd.reasons',
      'd.flags',
      'd.prefilter',
      'd.policy_version',
      'd.created_at',
      'm.mailbox',
      'm.message_id',
      'm.from_address',
      'm.subject',
      'c.classifier',
      'c.model',
      'c.prompt_version',
      'c.confidence',
      'c.output',
      'c.prompt_tokens',
      'c.completion_tokens',
      'c.cached_from',
      'c.error as classification_error',
      'c.pii',
      'r.id as draft_id',
      'r.status as draft_status',
      sql<string>`to_char(d.created_at at time zone 'UTC', ${sql.raw(CURSOR_TIME_FORMAT)})`.as('cursor_time'),
      sql<DecisionRow['correction']>`(select json_build_object('action', k.to_action, 'by', k.corrected_by, 'at', k.created_at, 'via', k.via, 'note', k.note)
        from corrections k where k.email_id = d.email_id order by k.created_at desc, k.id desc limit 1)`.as('correction'),
      sql<number>`(select count(*)::int from corrections k where k.email_id = d.email_id)`.as('corrections'),
    ])
    .orderBy('d.created_at', 'desc')
    .orderBy('d.id', 'desc')
    .limit(filter.limit);
  if (filter.action) query = query.where('d.action', '=', filter.action);
  if (filter.mailbox) query = query.where('m.mailbox', '=', filter.mailbox);
  if (filter.since) query = query.where('d.created_at', '>=', filter.since);
  if (filter.until) query = query.where('d.created_at', '<', filter.until);
  if (filter.flag) query = query.where(sql<boolean>`(d.flags ->> ${filter.flag})::boolean`);
  if (filter.intent) query = query.where(sql<string>`c.output ->> 'intent'`, '=', filter.intent);
  if (filter.text) {
    const pattern = likePattern(filter.text);
    query = query.where((eb) => eb.or([eb('m.from_address', 'ilike', pattern), eb('m.from_name', 'ilike', pattern), eb('m.subject', 'ilike', pattern)]));
  }
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
    pii: piiView(row.pii),
    intent: row.output?.intent ?? null,
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
    correction: correctionOf(row),
  };
}

/** What a classification recorded about personal data, as programs see it: kinds with counts, never values. */
export function piiView(pii: ClassificationPii | null) {
  if (!pii) return null;
  return { redacted: pii.redacted, kinds: Object.keys(pii.kinds).sort(), counts: pii.kinds };
}

/** The standing correction beside the decision, as the API and `decisions list --json` show it. */
function correctionOf(row: DecisionRow) {
  const c = typeof row.correction === 'string' ? (JSON.parse(row.correction) as DecisionRow['correction']) : row.correction;
  if (!c) return null;
  return { action: c.action, corrected_by: c.by, corrected_at: new Date(c.at).toISOString(), via: c.via, note: c.note, corrections: row.corrections };
}

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
  c_pii: ClassificationPii | null;
  c_created_at: Date | null;
  c_model_version: string | null;
  /** messages.parsed: the stored parse (src/parse/parsed-email.ts), or a refusal. */
  parsed: unknown;
  // the reply draft, when the decision asked for one
  r_id: string | null;
  r_status: string | null;
  r_reply_text: string | null;
  r_language: string | null;
  r_folder: string | null;
  r_note: string | null;
  r_error: string | null;
  r_created_at: Date | null;
  r_completed_at: Date | null;
}

/** One email with its decision and classification, without the raw bytes. */
export async function loadEmail(db: Db, id: string): Promise<EmailRow | null> {
  const { rows } = await sql<EmailRow>`
    select m.id, m.thread_id, m.mailbox, m.source, m.message_id, m.sha256, m.size_bytes::text as size_bytes,
           (m.raw is not null or m.raw_path is not null) as raw_available, m.from_address, m.from_name, m.subject, m.sent_at, m.received_at,
           m.status, m.last_error as error, m.attempts,
           d.action, d.reasons, d.flags, d.detector_matches, d.prefilter, d.acknowledge_only, d.policy_version,
           d.created_at as decided_at,
           c.classifier as c_classifier, c.model as c_model, c.prompt_version as c_prompt_version, c.output as c_output,
           c.confidence as c_confidence, c.model_confidence as c_model_confidence, c.logprob_confidence as c_logprob_confidence,
           c.mode as c_mode, c.prompt_tokens as c_prompt_tokens, c.completion_tokens as c_completion_tokens,
           c.latency_ms as c_latency_ms, (c.cached_from is not null) as c_cached, c.error as c_error, c.pii as c_pii, c.created_at as c_created_at,
           c.model_version as c_model_version, m.parsed,
           r.id as r_id, r.status as r_status, r.reply_text as r_reply_text, r.language as r_language, r.folder as r_folder,
           r.note as r_note, r.last_error as r_error, r.created_at as r_created_at, r.completed_at as r_completed_at
    from messages m
    left join drafts r on r.email_id = m.id
    left join decisions d on d.email_id = m.id
    left join classifications c on c.id = coalesce(
      d.classification_id,
      (select max(c2.id) from classifications c2 where c2.email_id = m.id))
    where m.id = ${id}`.execute(db);
  return rows[0] ?? null;
}

/** The original bytes of one email; `raw` is null when the message was over the size limit. */
export async function loadRawEmail(db: Db, id: string): Promise<{ raw: Buffer | null; size_bytes: string } | null> {
  const message = await readRawMessage(db, id);
  return message ? { raw: message.bytes, size_bytes: String(message.sizeBytes) } : null;
}

/** The later arrivals of one email (src/ingest/store-message.ts), oldest first. */
export async function loadSightings(db: Db, emailId: string) {
  const rows = await db.selectFrom('message_sightings').select(['mailbox', 'source', 'size_bytes', 'imap_uid', 'received_at']).where('email_id', '=', emailId).orderBy('id').execute();
  return rows.map((r) => ({
    mailbox: r.mailbox,
    source: r.source,
    size_bytes: Number(r.size_bytes),
    imap_uid: r.imap_uid === null ? null : Number(r.imap_uid),
    received_at: r.received_at.toISOString(),
  }));
}

/** Mail not decided yet, by what it is doing: waiting for its turn or the model, being decided now, or failed. */
export const WAITING_STATUSES = ['pending', 'processing', 'failed'] as const;
export type WaitingStatus = (typeof WAITING_STATUSES)[number];

export interface WaitingMessage {
  email_id: string;
  mailbox: string;
  from: string | null;
  subject: string | null;
  received_at: string;
  status: WaitingStatus;
  attempts: number;
  /** When it is tried next (pending); null while processing or failed. */
  next_attempt_at: string | null;
  /** 'model' while the AI model is unreachable (released as soon as it answers again). */
  waiting_for: string | null;
  /** Why it is not decided, in words. */
  reason: string;
}

/**
 * Messages without a decision, oldest first. `processing` is a pending row a worker holds (a claim
 * younger than STALE_CLAIM_MS); an older claim belongs to a dead process and the row counts as pending.
 */
export async function listWaitingMessages(db: Db, filter: { status?: WaitingStatus; limit: number; now: Date }): Promise<WaitingMessage[]> {
  const fresh = new Date(filter.now.getTime() - STALE_CLAIM_MS);
  let query = db
    .selectFrom('messages')
    .select(['id', 'mailbox', 'from_address', 'subject', 'received_at', 'status', 'attempts', 'next_attempt_at', 'waiting_for', 'last_error', 'locked_by', 'locked_at'])
    .where('status', 'in', ['pending', 'failed']);
  if (filter.status === 'failed') query = query.where('status', '=', 'failed');
  if (filter.status === 'processing') query = query.where('status', '=', 'pending').where('locked_at', '>=', fresh);
  if (filter.status === 'pending') query = query.where('status', '=', 'pending').where((eb) => eb.or([eb('locked_at', 'is', null), eb('locked_at', '<', fresh)]));
  const rows = await query.orderBy('received_at').orderBy('id').limit(filter.limit).execute();
  return rows.map((r) => {
    const processing = r.status === 'pending' && r.locked_at !== null && r.locked_at >= fresh;
    const status: WaitingStatus = r.status === 'failed' ? 'failed' : processing ? 'processing' : 'pending';
    return {
      email_id: r.id,
      mailbox: r.mailbox,
      from: r.from_address,
      subject: r.subject,
      received_at: r.received_at.toISOString(),
      status,
      attempts: r.attempts,
      next_attempt_at: status === 'pending' ? r.next_attempt_at.toISOString() : null,
      waiting_for: status === 'pending' ? r.waiting_for : null,
      reason: waitingReason(status, r, filter.now),
    };
  });
}

function waitingReason(
  status: WaitingStatus,
  r: { attempts: number; last_error: string | null; locked_by: string | null; locked_at: Date | null; next_attempt_at: Date; waiting_for: string | null },
  now: Date,
): string {
  if (status === 'processing') return `being decided by ${r.locked_by} since ${r.locked_at!.toISOString()}`;
  if (status === 'failed') return r.last_error ?? 'failed (no reason recorded)';
  if (r.waiting_for === 'model') return `waiting for the AI model, retried as soon as it answers again: ${r.last_error ?? 'unreachable'}`;
  if (r.last_error) return `${r.last_error}${r.next_attempt_at > now ? ` (next attempt ${r.next_attempt_at.toISOString()})` : ''}`;
  return r.attempts === 0 ? 'queued, not tried yet' : 'queued again after an interrupted attempt';
}
