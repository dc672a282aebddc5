import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { ClassifierUnavailableError } from '../classify/index.js';
import type { Action, Classification, Flags, Reason } from '../contract/index.js';
import type { Db } from '../db/index.js';
import { findStoredEmail, headerBlock, storeMessage } from '../ingest/index.js';
import { assertLooksLikeEmail, isMalformedEmailError, parseEmail } from '../parse/index.js';
import { claimOf, newWorkerId } from '../queue/index.js';
import { type Evaluation, evaluateEmail, unparseableEvaluation } from './evaluate-email.js';
import { claimMessage, type PipelineContext, type ProcessOutcome, processMessage } from './process-message.js';

/** What triage reports for one file: the JSON line of the README's triage --json, plus context for people. */
export type TriageResult =
  | {
      file: string;
      ok: true;
      email_id: string | null;
      message_id: string | null;
      subject: string;
      action: Action;
      reasons: Reason[];
      flags: Flags;
      /** A draft may only acknowledge (payment, legal, VIP). */
      acknowledge_only: boolean;
      prefilter: string | null;
      classification: Classification | null;
      classifier: { model: string; prompt_version: string; cached: boolean } | null;
      /** True when the stored decision of an earlier run was reused (no new model call). */
      reused: boolean;
    }
  | { file: string; ok: false; email_id: string | null; error: string; postponed?: boolean };

/** The pipeline's context; without a database (--dry-run) nothing is stored and nothing is read. */
export type TriageContext = Omit<PipelineContext, 'db'> & { db: Db | null };

export interface TriageOptions {
  files: string[];
  mailbox: string;
  ctx: TriageContext;
  concurrency: number;
  /**
   * Decide without storing anything, so nothing can be sent: an email already stored reports its
   * stored decision, a new one is classified as by --dry-run (`triage` without --deliver on a
   * configuration that would send something).
   */
  preview?: boolean;
  /** Called once per file, in the order of `files`. */
  onResult: (result: TriageResult) => void;
}

/**
 * The pipeline on message files: each file is stored like a message from a mailbox (same
 * dedup, same decision path, same outbox), then processed at once. Output stays in input order
 * while up to `concurrency` files are in flight.
 */
export async function triageFiles(options: TriageOptions): Promise<{ failed: number; tickets: number }> {
  const workerId = newWorkerId();
  // Byte-identical files are one email: the second waits for the first instead of reporting it busy.
  const inFlight = new Map<string, Promise<unknown>>();
  const results: (TriageResult | undefined)[] = new Array(options.files.length);
  let printed = 0;
  let next = 0;
  let failed = 0;
  let tickets = 0;

  const flush = () => {
    while (printed < results.length && results[printed]) {
      options.onResult(results[printed]!);
      printed++;
    }
  };

  const worker = async () => {
    while (next < options.files.length) {
      const index = next++;
      const file = options.files[index]!;
      let result: TriageResult;
      try {
        const { db } = options.ctx;
        result = !db ? await triageDry(options, file) : options.preview ? await triagePreview(options, db, file) : await triageStored(options, { ...options.ctx, db }, file, workerId, inFlight);
      } catch (error) {
        result = { file, ok: false, email_id: null, error: (error as Error).message };
      }
      if (!result.ok) failed++;
      else if (result.action === 'ticket') tickets++;
      results[index] = result;
      flush();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  flush();
  return { failed, tickets };
}

async function readMessageFile(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error('no such file; check the path');
    if (code === 'EISDIR') throw new Error('is a folder; pass the folder to triage all .eml files in it');
    if (code === 'EACCES') throw new Error('permission denied; check the file permissions');
    throw new Error(`cannot read the file: ${(error as Error).message}`);
  }
}

async function triageDry(options: TriageOptions, file: string): Promise<TriageResult> {
  const raw = await readMessageFile(file);
  assertLooksLikeEmail(raw);
  return evaluateUnstored(options, file, raw);
}

async function triagePreview(options: TriageOptions, db: Db, file: string): Promise<TriageResult> {
  const raw = await readMessageFile(file);
  assertLooksLikeEmail(raw);
  const known = await findStoredEmail(db, { mailbox: options.mailbox, raw, maxCleanChars: options.ctx.maxCleanChars });
  if (known) return storedResult(db, file, known);
  return evaluateUnstored(options, file, raw);
}

/** The pipeline on bytes that are not stored: no cache, no outbox. */
async function evaluateUnstored(options: TriageOptions, file: string, raw: Buffer): Promise<TriageResult> {
  const { ctx } = options;
  const email = await parseEmail(raw, { maxCleanChars: ctx.maxCleanChars }).catch((error: unknown) => {
    if (isMalformedEmailError(error)) return error;
    throw error;
  });
  if (isMalformedEmailError(email)) return resultOf(file, null, null, '', unparseableEvaluation(email.message), false, false);
  const evaluation = await evaluateEmail(email, {
    ownAddresses: ctx.mailboxes.ownAddresses(options.mailbox),
    sizeBytes: raw.length,
    maxMessageBytes: ctx.maxMessageBytes,
    policy: ctx.policy,
    redact: ctx.redact,
    classify: (parsed, redacted) => ctx.classifier.classify({ email: parsed, mailbox: options.mailbox, redacted }),
  }).catch(unavailableToError);
  return resultOf(file, null, email.messageId, email.subject, evaluation, false, false);
}

async function triageStored(options: TriageOptions, ctx: PipelineContext, file: string, workerId: string, inFlight: Map<string, Promise<unknown>>): Promise<TriageResult> {
  const { db } = ctx;
  const raw = await readMessageFile(file);
  // A file that is not an email at all (empty, binary, no header block) is an input error, not mail to decide on.
  assertLooksLikeEmail(raw);
  const oversize = raw.length > ctx.maxMessageBytes;
  const stored = await storeMessage(
    db,
    { mailbox: options.mailbox, source: 'file', raw: oversize ? null : raw, rawHeaders: oversize ? headerBlock(raw) : null, sizeBytes: raw.length },
    { maxCleanChars: ctx.maxCleanChars, now: ctx.clock.now() },
  );
  const running = inFlight.get(stored.id);
  if (running !== undefined) {
    await running.catch(() => {});
    return storedResult(db, file, stored.id);
  }
  // Registered before the first await, so a twin file in this run always finds it.
  const processing = claimAndProcess(ctx, stored.id, workerId);
  inFlight.set(stored.id, processing);
  const outcome = await processing.finally(() => inFlight.delete(stored.id));
  if (!outcome) return settledElsewhere(ctx, file, stored.id, workerId);
  return outcomeResult(file, stored.id, outcome);
}

function outcomeResult(file: string, emailId: string, outcome: ProcessOutcome): TriageResult {
  if (outcome.status === 'postponed') return { file, ok: false, email_id: emailId, error: outcome.error, postponed: true };
  const cached = outcome.evaluation.classification?.mode === 'cache';
  return resultOf(file, emailId, outcome.email.messageId, outcome.email.subject, outcome.evaluation, false, cached);
}

/**
 * The claim after storing found the email not free: another process (`mailroom run` beside the
 * command) took it, and its decision is this email's one decision, so it is waited for. An email
 * that is pending, free and has no error is claimed again: the claim has missed such an email (in
 * CI, beside a service on the embedded database, cause unknown; on PostgreSQL a foreign-key lock
 * once hid it, see queue.ts), and reporting "not decided yet" for mail nobody is deciding would
 * leave a one-shot command without its answer. Bounded by OTHERS_DECISION_WAIT_MS.
 */
async function settledElsewhere(ctx: PipelineContext & { db: Db }, file: string, emailId: string, workerId: string): Promise<TriageResult> {
  const until = Date.now() + OTHERS_DECISION_WAIT_MS;
  for (;;) {
    const { heldElsewhere, free, ...result } = await decidedResult(ctx.db, file, emailId);
    if (result.ok || !result.postponed || Date.now() >= until) return result;
    if (!heldElsewhere) {
      const outcome = free ? await claimAndProcess(ctx, emailId, workerId) : null;
      if (outcome) return outcomeResult(file, emailId, outcome);
      // Postponed with a reason (the model was unreachable): it waits for its next attempt.
      if (!free) return result;
    }
    await sleep(250);
  }
}

/** Null when the email is not pending (decided before, failed, or held by another process). */
async function claimAndProcess(ctx: PipelineContext, emailId: string, workerId: string): Promise<ProcessOutcome | null> {
  const row = await claimMessage(ctx, emailId, workerId);
  if (!row) return null;
  return processMessage(ctx, row, claimOf('messages', row));
}

/**
 * How long to wait for the decision of another process that claimed the email between its storing
 * and this command's claim: `mailroom run` beside the command shares the queue, and its decision
 * (and its delivery) is this email's one decision.
 */
const OTHERS_DECISION_WAIT_MS = 120_000;

/** The email was stored before: its decision, or why it has none, without processing it again. */
async function storedResult(db: Db, file: string, emailId: string): Promise<TriageResult> {
  const { heldElsewhere: _, free: __, ...reported } = await decidedResult(db, file, emailId);
  return reported;
}

/** `heldElsewhere`: another process holds the claim; `free`: pending, unclaimed and without an error. */
async function decidedResult(db: Db, file: string, emailId: string): Promise<TriageResult & { heldElsewhere?: boolean; free?: boolean }> {
  const decision = await db
    .selectFrom('decisions as d')
    .innerJoin('messages as m', 'm.id', 'd.email_id')
    .leftJoin('classifications as c', 'c.id', 'd.classification_id')
    .select(['d.action', 'd.reasons', 'd.flags', 'd.prefilter', 'd.acknowledge_only', 'm.message_id', 'm.subject', 'c.output', 'c.model', 'c.prompt_version'])
    .where('d.email_id', '=', emailId)
    .executeTakeFirst();
  if (decision) {
    return {
      file,
      ok: true,
      email_id: emailId,
      message_id: decision.message_id,
      subject: decision.subject ?? '',
      action: decision.action,
      reasons: decision.reasons,
      flags: decision.flags,
      acknowledge_only: decision.acknowledge_only,
      prefilter: decision.prefilter,
      classification: decision.output ?? null,
      classifier: decision.model ? { model: decision.model, prompt_version: decision.prompt_version ?? '', cached: true } : null,
      reused: true,
    };
  }
  const message = await db.selectFrom('messages').select(['status', 'last_error', 'locked_by']).where('id', '=', emailId).executeTakeFirstOrThrow();
  if (message.status === 'failed') return { file, ok: false, email_id: emailId, error: message.last_error ?? 'failed' };
  const why = message.locked_by ? `being processed by ${message.locked_by}` : (message.last_error ?? 'waiting for its next attempt');
  return {
    file,
    ok: false,
    email_id: emailId,
    error: `not decided yet: ${why}`,
    postponed: true,
    heldElsewhere: message.locked_by !== null,
    free: message.locked_by === null && message.last_error === null,
  };
}

function resultOf(file: string, emailId: string | null, messageId: string | null, subject: string, evaluation: Evaluation, reused: boolean, cached: boolean): TriageResult {
  const c = evaluation.classification;
  return {
    file,
    ok: true,
    email_id: emailId,
    message_id: messageId,
    subject,
    action: evaluation.decision.action,
    reasons: evaluation.decision.reasons,
    flags: evaluation.decision.flags,
    acknowledge_only: evaluation.decision.acknowledgeOnly,
    prefilter: evaluation.prefilter?.kind ?? null,
    classification: c?.classification ?? null,
    classifier: c ? { model: c.model, prompt_version: c.promptVersion, cached } : null,
    reused,
  };
}

function unavailableToError(error: unknown): never {
  if (error instanceof ClassifierUnavailableError) throw new Error(`not classified, nothing stored: the AI model is unreachable: ${error.message}`);
  throw error;
}
