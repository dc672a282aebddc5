import { sql } from 'kysely';
import { ClassifierUnavailableError } from '../classify/index.js';
import { type Config, type Mailboxes, mailboxFacts } from '../config/index.js';
import { type Db, jsonColumn } from '../db/index.js';
import { applySenderRules, type PolicySettings, policyFrom } from '../decide/index.js';
import { acceptedRules, CLAIMED_COLUMNS, type ClaimedMessage, type DecisionEffect, type Evaluation, evaluateEmail, loadEmail } from '../pipeline/index.js';
import { type Claim, type ClaimOptions, claim, complete, createRunner, type QueueHandler, type Runner, reschedule } from '../queue/index.js';
import { type Clock, systemClock } from '../util/clock.js';
import { newId } from '../util/ids.js';
import type { Logger } from '../util/logger.js';
import { retryDelay } from '../util/wait.js';
import type { ShadowCandidate } from './candidate.js';

/**
 * Queues the shadow job of a live decision INSIDE the decision's transaction (like every outbox):
 * the job exists exactly when the decision does, and the candidate is asked only after the commit,
 * by its own worker — the live path never waits for it. Emails no classifier was asked about (a
 * pre-filter decided, or the message could not be read) have nothing to compare and are not shadowed.
 */
export function shadowEffect(options: { candidate: string; wake: () => void }): DecisionEffect {
  return {
    wants: ({ evaluation }) => !evaluation.prefilter && (evaluation.classification !== null || evaluation.classificationError !== null),
    async enqueue(trx, decided) {
      const inserted = await trx
        .insertInto('shadow_results')
        .values({
          id: newId('shd', decided.now),
          email_id: decided.emailId,
          candidate: options.candidate,
          status: 'pending',
          next_attempt_at: decided.now,
          created_at: decided.now,
          updated_at: decided.now,
        })
        .onConflict((oc) => oc.columns(['email_id', 'candidate']).doNothing())
        .returning('id')
        .executeTakeFirst();
      return inserted !== undefined;
    },
    wake: options.wake,
  };
}

export interface ShadowContext {
  db: Db;
  candidate: ShadowCandidate;
  logger: Logger;
  clock?: Clock;
  mailboxes: Mailboxes;
  policy: PolicySettings;
  maxMessageBytes: number;
  maxCleanChars: number;
  /**
   * True while live mail waits for a model slot: the shadow worker then starts no new job, so its
   * calls never stand between live mail and the model (it has its own limiter besides).
   */
  liveBusy?: () => boolean;
  /** Attempts before a job that cannot reach the candidate is recorded as failed (default 5). */
  maxAttempts?: number;
  random?: () => number;
}

export interface ClaimedShadow {
  id: string;
  email_id: string;
  candidate: string;
  attempts: number;
  locked_by: string | null;
}

export type ShadowOutcome = { status: 'done'; emailId: string; action: string } | { status: 'postponed'; emailId: string; error: string } | { status: 'failed'; emailId: string; error: string };

/** After the candidate was unreachable: 30 s doubling to 15 min; about 8 minutes over the default 5 attempts. */
const UNAVAILABLE_RETRY = { minMs: 30_000, maxMs: 15 * 60 * 1000 };
const DEFAULT_MAX_ATTEMPTS = 5;

/** The shadow context of a configuration, as `mailroom run` and `mailroom triage` both build it. */
export function shadowContext(
  config: Pick<Config, 'mailboxes' | 'policy' | 'drafts' | 'ingest' | 'classifier'>,
  deps: Pick<ShadowContext, 'db' | 'candidate' | 'logger'> & Partial<Pick<ShadowContext, 'clock' | 'liveBusy'>>,
): ShadowContext {
  return {
    ...deps,
    mailboxes: mailboxFacts(config),
    policy: policyFrom(config),
    maxMessageBytes: config.ingest.max_message_bytes,
    maxCleanChars: config.classifier.max_input_chars,
  };
}

/**
 * The shadow queue: every pending result of the configured candidate, or only those of `emailIds`
 * (a command finishing the jobs its own decisions queued).
 */
export function shadowHandler(ctx: ShadowContext, options: { emailIds?: readonly string[] } = {}): QueueHandler<ClaimedShadow, ShadowOutcome> {
  const columns = ['id', 'email_id', 'candidate', 'attempts', 'locked_by'] as const;
  const emails = options.emailIds ? sql`and s.email_id = any(${[...options.emailIds]}::text[])` : sql``;
  // Only this candidate's jobs: rows of a candidate since replaced in the configuration stay as they are.
  const mine: NonNullable<ClaimOptions['candidates']> = ({ now, staleBefore, restrict }) => sql`
    select s.id from shadow_results s
    where s.candidate = ${ctx.candidate.name} and s.status = 'pending' and s.next_attempt_at <= ${now}
      and (s.locked_at is null or s.locked_at < ${staleBefore}) ${emails} ${restrict('s')}
    order by s.next_attempt_at, s.id limit 1000`;
  return {
    table: 'shadow_results',
    concurrency: ctx.candidate.concurrency,
    pollMs: 2000,
    claim: async (options) => (ctx.liveBusy?.() ? [] : claim<ClaimedShadow>(ctx.db, 'shadow_results', { ...options, columns, candidates: mine })),
    handle: (row, fence) => processShadow(ctx, row, fence),
    describe: (row) => ({ shadow_id: row.id, email_id: row.email_id, candidate: row.candidate }),
  };
}

/** The long-running shadow worker for `mailroom run`, on the shared job queue. */
export function startShadowWorker(ctx: ShadowContext, options: { workerId: string }): Runner<ShadowOutcome> {
  const runner = createRunner({ db: ctx.db, workerId: options.workerId, clock: ctx.clock ?? systemClock, logger: ctx.logger, ...(ctx.random ? { random: ctx.random } : {}) }, shadowHandler(ctx));
  runner.start();
  return runner;
}

/**
 * Tries the due shadow jobs of these emails once, now: `mailroom triage` after its live decisions
 * (and their webhooks) are done, so the candidate never delays them. A job the candidate could not
 * take now stays queued with its backoff for `mailroom run`; one another process holds is left to it.
 */
export async function shadowNow(ctx: ShadowContext, options: { emailIds: readonly string[]; workerId: string }): Promise<Array<ShadowOutcome | null>> {
  if (options.emailIds.length === 0) return [];
  const runner = createRunner(
    { db: ctx.db, workerId: options.workerId, clock: ctx.clock ?? systemClock, logger: ctx.logger, ...(ctx.random ? { random: ctx.random } : {}) },
    shadowHandler(ctx, { emailIds: options.emailIds }),
  );
  return runner.drainOnce();
}

/**
 * Classifies the email with the candidate as the live path did — the same stored, cleaned text, the
 * redacted view when the candidate is a hosted model — and runs the same pure decision on it (the
 * detectors, the policy, the accepted sender rules). Only the result row is written: no event, no
 * draft, no keyword. An unreachable candidate is tried again with the queue's backoff, then recorded
 * as failed; nothing here touches the live decision.
 */
export async function processShadow(ctx: ShadowContext, row: ClaimedShadow, fence: Claim): Promise<ShadowOutcome> {
  const clock = ctx.clock ?? systemClock;
  const claimFence = fence as Claim<'shadow_results'>;
  const message = await ctx.db.selectFrom('messages').select(CLAIMED_COLUMNS).where('id', '=', row.email_id).executeTakeFirst();
  if (!message) {
    const error = `email ${row.email_id} was deleted before the candidate classified it`;
    await complete(ctx.db, claimFence, { status: 'failed', error, last_error: error, completed_at: clock.now() }, clock.now());
    return { status: 'failed', emailId: row.email_id, error };
  }
  const loaded = await loadEmail({ db: ctx.db, maxCleanChars: ctx.maxCleanChars }, message as ClaimedMessage);
  if ('unparseable' in loaded) {
    const error = `email ${row.email_id} could not be read (${loaded.unparseable}); nothing to classify`;
    await complete(ctx.db, claimFence, { status: 'failed', error, last_error: error, completed_at: clock.now() }, clock.now());
    return { status: 'failed', emailId: row.email_id, error };
  }
  const { email } = loaded;
  let evaluation: Evaluation;
  try {
    evaluation = await evaluateEmail(email, {
      ownAddresses: ctx.mailboxes.ownAddresses(message.mailbox),
      sizeBytes: Number(message.size_bytes),
      maxMessageBytes: ctx.maxMessageBytes,
      policy: ctx.policy,
      redact: ctx.candidate.redact,
      classify: (parsed, redacted) => ctx.candidate.classifier.classify({ email: parsed, mailbox: message.mailbox, redacted }),
    });
  } catch (error) {
    if (!(error instanceof ClassifierUnavailableError)) throw error;
    return unreachable(ctx, row, claimFence, error);
  }
  const decision = applySenderRules(evaluation.decision, email.from?.address ?? null, evaluation.prefilter !== null, await acceptedRules(ctx.db));
  const answered = evaluation.classification;
  const failure = evaluation.classificationError;
  const now = clock.now();
  await complete(
    ctx.db,
    claimFence,
    {
      status: 'done',
      candidate_version: ctx.candidate.classifier.promptVersion,
      model: answered?.model ?? failure?.model ?? null,
      classification: answered ? jsonColumn(answered.classification) : null,
      action: decision.action,
      flags: jsonColumn(decision.flags),
      reasons: jsonColumn(decision.reasons),
      latency_ms: answered ? Math.round(answered.latencyMs) : null,
      prompt_tokens: answered?.promptTokens ?? failure?.promptTokens ?? null,
      completion_tokens: answered?.completionTokens ?? failure?.completionTokens ?? null,
      error: failure ? failure.message : null,
      last_error: null,
      completed_at: now,
    },
    now,
  );
  ctx.logger.debug({ email_id: row.email_id, candidate: row.candidate, action: decision.action }, 'shadow classified');
  return { status: 'done', emailId: row.email_id, action: decision.action };
}

async function unreachable(ctx: ShadowContext, row: ClaimedShadow, fence: Claim<'shadow_results'>, error: ClassifierUnavailableError): Promise<ShadowOutcome> {
  const now = (ctx.clock ?? systemClock).now();
  const maxAttempts = ctx.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  if (error.permanent || row.attempts >= maxAttempts) {
    const reason = `the shadow candidate ${row.candidate} could not classify email ${row.email_id} after ${row.attempts} attempt(s): ${error.message}`;
    await complete(ctx.db, fence, { status: 'failed', error: reason, last_error: error.message, completed_at: now }, now);
    ctx.logger.warn({ email_id: row.email_id, candidate: row.candidate }, `${reason}; the live decision is unaffected`);
    return { status: 'failed', emailId: row.email_id, error: reason };
  }
  const delay = retryDelay(row.attempts, UNAVAILABLE_RETRY, error, ctx.random);
  const reason = `the shadow candidate is unreachable, tried again later: ${error.message}`;
  await reschedule(ctx.db, fence, new Date(now.getTime() + delay), reason, now);
  ctx.logger.info({ email_id: row.email_id, candidate: row.candidate, retry_in_ms: delay }, reason);
  return { status: 'postponed', emailId: row.email_id, error: reason };
}
