import { ACTIONS, type Action, type Classification, INTENTS, type Intent } from '../contract/index.js';
import type { CorrectionVia, Db, Tx } from '../db/index.js';
import { DECISION_KEYWORDS, enqueueCorrectionKeyword } from '../ingest/index.js';
import { fromStoredEmail } from '../parse/index.js';
import { newId } from '../util/ids.js';
import { enqueueTicketEvent, enqueueTicketRetracted } from '../webhooks/index.js';
import { CORRECTION_KEYWORDS } from './keyword-corrections.js';

export const CORRECTION_FLAGS = ['payment', 'legal'] as const;
export type CorrectionFlag = (typeof CORRECTION_FLAGS)[number];

/** What a person says about one email. */
export interface CorrectionInput {
  emailId: string;
  action: string;
  intent?: string | undefined;
  flags?: readonly string[] | undefined;
  note?: string | undefined;
  /** The OS user (CLI), the API token's name, the IMAP user (mail client). */
  by: string;
  via: CorrectionVia;
}

export interface RecordedCorrection {
  id: string;
  emailId: string;
  from: Action;
  to: Action;
  by: string;
  via: CorrectionVia;
  at: Date;
  /** What the correction set in motion: a ticket.suggested queued, a ticket.retracted queued, deliveries cancelled, the keyword queued. */
  effects: { suggested: number; retracted: number; cancelled: number; keyword?: string };
}

/** A correction that cannot be recorded: an unknown email, an action or intent that does not exist (exit 2, HTTP 422). */
export class CorrectionRefusedError extends Error {
  override readonly name = 'CorrectionRefusedError';
  constructor(
    message: string,
    readonly code: 'UNKNOWN_EMAIL' | 'NOT_DECIDED' | 'INVALID_ACTION' | 'INVALID_INTENT' | 'INVALID_FLAG' | 'NOTE_TOO_LONG',
  ) {
    super(message);
  }
}

export interface CorrectionContext {
  db: Db;
  now: () => Date;
  maxCleanChars: number;
  /** The signed link a ticket.suggested carries (api.public_url), or null. */
  rawEmailUrl: (emailId: string, now: Date) => string | null;
  /** ingest.keywords: a correction from the CLI or the API also sets the corrected action's keyword on the message. */
  keywords?: boolean;
}

const MAX_NOTE = 2000;

/** Checks what a person typed before anything is touched. */
export function validateCorrection(input: CorrectionInput): { action: Action; intent: Intent | null; flags: CorrectionFlag[]; note: string | null } {
  if (!ACTIONS.includes(input.action as Action)) {
    throw new CorrectionRefusedError(`action "${input.action}" does not exist; expected one of ${ACTIONS.join(', ')}`, 'INVALID_ACTION');
  }
  if (input.intent !== undefined && !INTENTS.includes(input.intent as Intent)) {
    throw new CorrectionRefusedError(`intent "${input.intent}" does not exist; expected one of ${INTENTS.join(', ')}`, 'INVALID_INTENT');
  }
  for (const flag of input.flags ?? []) {
    if (!CORRECTION_FLAGS.includes(flag as CorrectionFlag)) throw new CorrectionRefusedError(`flag "${flag}" does not exist; expected ${CORRECTION_FLAGS.join(' or ')}`, 'INVALID_FLAG');
  }
  const note = input.note?.trim() ? input.note.trim() : null;
  if (note !== null && note.length > MAX_NOTE) throw new CorrectionRefusedError(`the note has ${note.length} characters; at most ${MAX_NOTE}`, 'NOTE_TOO_LONG');
  return { action: input.action as Action, intent: (input.intent as Intent | undefined) ?? null, flags: [...new Set(input.flags ?? [])] as CorrectionFlag[], note };
}

/**
 * Records a correction and what it sets in motion, in one transaction. The decision row is never
 * changed: the correction is a row beside it, and the latest correction of an email stands (the
 * decision row is locked first, so two people correcting at once are ordered, and both are kept).
 * A correction to `ticket` queues the email's one ticket.suggested (its webhook-id is the email's,
 * so a receiver never gets two); a correction away from a ticket cancels deliveries not yet made
 * and queues ticket.retracted for the subscriptions that received it and chose that event.
 */
export async function recordCorrection(ctx: CorrectionContext, input: CorrectionInput): Promise<RecordedCorrection> {
  return (await record(ctx, input, false))!;
}

/**
 * The mail client's form: a keyword or folder move already recorded as this same correction (seen
 * again by a later sweep, or by a second process) is not recorded twice. Null when it was.
 */
export async function recordCorrectionOnce(ctx: CorrectionContext, input: CorrectionInput): Promise<RecordedCorrection | null> {
  return record(ctx, input, true);
}

async function record(ctx: CorrectionContext, input: CorrectionInput, once: boolean): Promise<RecordedCorrection | null> {
  const valid = validateCorrection(input);
  const now = ctx.now();
  return ctx.db.transaction().execute(async (trx) => {
    const decision = await trx.selectFrom('decisions').select(['action', 'classification_id']).where('email_id', '=', input.emailId).forUpdate().executeTakeFirst();
    if (!decision) {
      const known = await trx.selectFrom('messages').select('id').where('id', '=', input.emailId).executeTakeFirst();
      if (!known) throw new CorrectionRefusedError(`no email ${input.emailId}; \`mailroom decisions list\` (or GET /v1/decisions) shows email ids`, 'UNKNOWN_EMAIL');
      throw new CorrectionRefusedError(`email ${input.emailId} has no decision yet; correct it once it is decided (\`mailroom messages list\` shows why it waits)`, 'NOT_DECIDED');
    }
    if (once) {
      const seen = await trx.selectFrom('corrections').select('id').where('email_id', '=', input.emailId).where('via', '=', input.via).where('to_action', '=', valid.action).executeTakeFirst();
      if (seen) return null;
    }
    const from = (await standingAction(trx, input.emailId)) ?? decision.action;
    const id = newId('cor', now);
    await trx
      .insertInto('corrections')
      .values({
        id,
        email_id: input.emailId,
        from_action: from,
        to_action: valid.action,
        intent: valid.intent ?? (valid.action === 'ticket' ? 'support' : null),
        payment: valid.flags.includes('payment') ? true : valid.action === 'ticket' ? false : null,
        legal: valid.flags.includes('legal') ? true : valid.action === 'ticket' ? false : null,
        note: valid.note,
        corrected_by: input.by,
        via: input.via,
        created_at: now,
      })
      .execute();
    const effects = { suggested: 0, retracted: 0, cancelled: 0 };
    if (valid.action === 'ticket' && from !== 'ticket') {
      effects.suggested = await suggestTicket(ctx, trx, { emailId: input.emailId, classificationId: decision.classification_id, by: input.by, note: valid.note, now });
    }
    if (from === 'ticket' && valid.action !== 'ticket') {
      const retraction = await enqueueTicketRetracted(trx, { emailId: input.emailId, correctionId: id, action: valid.action, correctedBy: input.by, note: valid.note }, now);
      effects.retracted = retraction.deliveries;
      effects.cancelled = retraction.cancelled;
    }
    // The mail client shows it too; a correction made there already shows (the person set the keyword or moved the message).
    const keyword = CORRECTION_KEYWORDS[valid.action as keyof typeof CORRECTION_KEYWORDS] ?? DECISION_KEYWORDS[valid.action];
    const fromElsewhere = input.via === 'cli' || input.via === 'api';
    const withKeyword = ctx.keywords && fromElsewhere && keyword && (await enqueueCorrectionKeyword(trx, { emailId: input.emailId, keyword }, now));
    return { id, emailId: input.emailId, from, to: valid.action, by: input.by, via: input.via, at: now, effects: withKeyword ? { ...effects, keyword } : effects };
  });
}

/** The action the latest correction set, or null when nobody corrected the email. */
export async function standingAction(db: Db | Tx, emailId: string): Promise<Action | null> {
  const latest = await db.selectFrom('corrections').select('to_action').where('email_id', '=', emailId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
  return latest?.to_action ?? null;
}

/**
 * The email's ticket.suggested, built as the pipeline builds it from the stored parse and the
 * classification. Mail a pre-filter decided has no classification: the event then says what
 * Mailroom knows (the subject as summary) and that a person made it a ticket.
 */
async function suggestTicket(ctx: CorrectionContext, trx: Tx, params: { emailId: string; classificationId: string | null; by: string; note: string | null; now: Date }): Promise<number> {
  const message = await trx.selectFrom('messages').select(['thread_id', 'mailbox', 'received_at', 'parsed']).where('id', '=', params.emailId).executeTakeFirstOrThrow();
  const email = fromStoredEmail(message.parsed, ctx.maxCleanChars);
  if (!email) return 0;
  const stored = params.classificationId
    ? await trx.selectFrom('classifications').select(['output', 'model', 'prompt_version']).where('id', '=', params.classificationId).executeTakeFirst()
    : undefined;
  const output = (stored?.output ?? null) as Classification | null;
  const classification: Classification = {
    intent: 'support',
    category: output?.category ?? 'other',
    priority: output?.priority ?? 'normal',
    summary: output?.summary ?? email.subject,
    language: output?.language ?? 'en',
    flags: output?.flags ?? { payment: false, legal: false },
    sentiment: output?.sentiment ?? 'neutral',
    team: output?.team ?? null,
    // A person decided: the threshold did not apply, and the receiver should not read doubt into it.
    confidence: 1,
  };
  const { deliveries } = await enqueueTicketEvent(
    trx,
    {
      emailId: params.emailId,
      threadId: message.thread_id,
      mailbox: message.mailbox,
      receivedAt: new Date(message.received_at),
      email,
      classification,
      model: stored?.model ?? 'person',
      promptVersion: stored?.prompt_version ?? 'correction',
      rawEmailUrl: ctx.rawEmailUrl(params.emailId, params.now),
      correction: { corrected_by: params.by, corrected_at: params.now.toISOString(), note: params.note },
    },
    params.now,
  );
  return deliveries;
}
