/** Shared pieces of the correction tests (not a test file). */
import { sql } from 'kysely';
import type { Action, Classification } from '../../src/contract/index.js';
import type { CorrectionContext } from '../../src/corrections/index.js';
import type { Db } from '../../src/db/index.js';
import { storeMessage } from '../../src/ingest/store-message.js';
import { makeEml } from '../support/make-eml.js';

export function correctionContext(db: Db, now: () => Date = () => new Date()): CorrectionContext {
  return { db, now, maxCleanChars: 6000, rawEmailUrl: () => null };
}

export interface DecidedEmailOptions {
  action: Action;
  subject?: string;
  from?: string;
  body?: string;
  mailbox?: string;
  intent?: Classification['intent'];
  imap?: { uidvalidity: number; uid: number };
  raw?: Buffer;
}

/** Stores a message as ingest does (parsed once), with a classification and a decision. Returns its id. */
export async function decidedEmail(db: Db, options: DecidedEmailOptions): Promise<string> {
  const raw = options.raw ?? makeEml({ subject: options.subject, from: options.from, body: options.body });
  const now = new Date();
  const stored = await storeMessage(
    db,
    { mailbox: options.mailbox ?? 'support', source: options.imap ? 'imap' : 'file', raw, sizeBytes: raw.length, ...(options.imap ? { imap: options.imap } : {}) },
    { maxCleanChars: 6000, now },
  );
  await decide(db, stored.id, options.action, options.intent ?? (options.action === 'ignore' ? 'newsletter' : 'support'));
  return stored.id;
}

/** The classification and decision rows the pipeline writes, for an email already stored. */
export async function decide(db: Db, emailId: string, action: Action, intent: Classification['intent']): Promise<void> {
  const output: Classification = {
    intent,
    category: 'account',
    priority: 'high',
    summary: 'Problema di accesso',
    language: 'it',
    flags: { payment: false, legal: false },
    sentiment: 'neutral',
    team: null,
    confidence: 0.9,
  };
  await sql`update messages set status = 'decided' where id = ${emailId}`.execute(db);
  const { rows } = await sql<{ id: string }>`
    insert into classifications (email_id, classifier, model, prompt_version, input_hash, output, confidence, mode)
    values (${emailId}, 'openai', 'gpt-4o-mini', 'p1', ${`h${emailId}`}, ${JSON.stringify(output)}::jsonb, 0.9, 'json_schema')
    returning id`.execute(db);
  await sql`
    insert into decisions (email_id, action, reasons, flags, detector_matches, classification_id, policy_version)
    values (${emailId}, ${action}, ${JSON.stringify([{ code: 'test', text: 'decided by the test' }])}::jsonb,
            ${JSON.stringify({ payment: false, legal: false, vip: false })}::jsonb, '[]'::jsonb, ${rows[0]!.id}, 'v1')`.execute(db);
}
