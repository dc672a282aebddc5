import { type ClassificationResult, type Classifier, type ClassifierInput, ClassifierUnavailableError, classifierInputHash } from '../classify/index.js';
import { type Config, type Mailboxes, mailboxFacts } from '../config/index.js';
import type { Db, SecretBox, Tx } from '../db/index.js';
import { parseSource, readRawMessage, secretBoxFromConfig } from '../db/index.js';
import { applySenderRules, type Decision, type PolicySettings, policyFrom, type SenderRule } from '../decide/index.js';
import { DECISION_KEYWORDS, enqueueKeyword, type KeywordSupport } from '../ingest/index.js';
import { fromStoredEmail, isMalformedEmailError, type ParsedEmail, parseEmail, REPARSE_PATIENCE, storedFailure } from '../parse/index.js';
import { type Claim, claim, createRunner, type QueueHandler, type Runner, reschedule } from '../queue/index.js';
import { type PiiKind, redactionKinds, sealMapping } from '../redact/index.js';
import { type Clock, systemClock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { createMetrics, type Metrics, recordClassification } from '../util/metrics.js';
import { retryDelay } from '../util/wait.js';
import { type Evaluation, evaluateEmail, unparseableEvaluation } from './evaluate-email.js';
import type { ModelWatch } from './model-watch.js';
import { type DecidedEmail, recordDecision } from './record-decision.js';

/** What turning stored messages into decisions needs. */
export interface PipelineContext {
  db: Db;
  classifier: Classifier;
  logger: Logger;
  clock: Clock;
  metrics: Metrics;
  mailboxes: Mailboxes;
  policy: PolicySettings;
  maxMessageBytes: number;
  /** The classifier's length cap (`classifier.max_input_chars`). */
  maxCleanChars: number;
  /** Kinds replaced before the model sees an email (classifier.redact); null when the text stays on this machine. */
  redact: ReadonlySet<PiiKind> | null;
  /** Encrypts the placeholder mapping (the webhook secrets' key), opened on first use. */
  secretBox: () => SecretBox;
  /** The outboxes of later stages, filled in the decision's transaction. */
  effects: DecisionEffect[];
  /** Told when the model fails or answers, so waiting mail goes on as soon as it is back (`mailroom run`). */
  modelWatch?: Pick<ModelWatch, 'down' | 'answered'>;
}

/** The pipeline for a configuration: its mailbox facts and policy worked out once, the later stages' outboxes wired in. */
export function createPipelineContext<D extends Db | null>(parts: {
  db: D;
  config: Config;
  classifier: Classifier;
  logger: Logger;
  clock?: Clock;
  metrics?: Metrics;
  effects?: DecisionEffect[];
}): Omit<PipelineContext, 'db'> & { db: D } {
  const { config } = parts;
  let box: SecretBox | null = null;
  return {
    db: parts.db,
    classifier: parts.classifier,
    logger: parts.logger,
    clock: parts.clock ?? systemClock,
    metrics: parts.metrics ?? createMetrics({ defaultMetrics: false }),
    effects: parts.effects ?? [],
    mailboxes: mailboxFacts(config),
    policy: policyFrom(config),
    maxMessageBytes: config.ingest.max_message_bytes,
    maxCleanChars: config.classifier.max_input_chars,
    // Only a model elsewhere is shown a redacted view; the local model and the rules run here.
    redact: parts.classifier.name === 'openai' ? redactionKinds(config.classifier) : null,
    secretBox: () => (box ??= secretBoxFromConfig(config)),
  };
}

/** The long-running decision worker for `mailroom run`: up to `concurrency` messages in flight. */
export function startPipelineWorker(ctx: PipelineContext, options: { workerId: string; concurrency: number }): Runner<ProcessOutcome> {
  const runner = createRunner({ db: ctx.db, workerId: options.workerId, clock: ctx.clock, logger: ctx.logger }, messageHandler(ctx, options.concurrency));
  runner.start();
  return runner;
}

/**
 * A later stage's side of a decision (ticket.suggested, the reply draft, the IMAP keyword): it
 * writes the rows that ask for its side effect INSIDE the decision's transaction, so the effect
 * exists exactly when the decision does, and is told to look for work after the commit.
 */
export interface DecisionEffect {
  /**
   * Whether this decision may need the stage's outbox row, from the decision alone (no database):
   * when no stage wants one, the decision is stored in one statement without a transaction.
   * enqueue is only called when this said yes.
   */
  wants(decided: DecidedEmail): boolean;
  /** Returns true when it queued something. */
  enqueue(trx: Tx, decided: DecidedEmail): Promise<boolean>;
  wake(): void;
}

export type ProcessOutcome =
  | { status: 'decided'; emailId: string; email: ParsedEmail; evaluation: Evaluation; decision: Decision }
  | { status: 'postponed'; emailId: string; error: string; nextAttemptAt: Date };

/** The columns a worker needs: everything but the raw bytes, which only an old row without a stored parse reads. */
export const CLAIMED_COLUMNS = [
  'id',
  'thread_id',
  'mailbox',
  'message_id',
  'from_address',
  'from_name',
  'subject',
  'size_bytes',
  'received_at',
  'imap_uid',
  'attempts',
  'locked_by',
  'parsed',
] as const;
export interface ClaimedMessage {
  id: string;
  thread_id: string;
  mailbox: string;
  message_id: string | null;
  from_address: string | null;
  from_name: string | null;
  subject: string | null;
  size_bytes: string;
  received_at: Date;
  imap_uid: string | null;
  attempts: number;
  locked_by: string | null;
  parsed: unknown;
}

/** Waits after the model was unreachable: 30 s doubling to 15 min. */
const UNAVAILABLE_RETRY = { minMs: 30_000, maxMs: 15 * 60 * 1000 };

/** The messages queue: parse → classify → decide for every stored message, several processes sharing it. */
export function messageHandler(ctx: PipelineContext, concurrency: number): QueueHandler<ClaimedMessage, ProcessOutcome> {
  return {
    table: 'messages',
    concurrency,
    pollMs: 1000,
    claim: (options) => claim<ClaimedMessage>(ctx.db, 'messages', { ...options, columns: CLAIMED_COLUMNS }),
    handle: (row, fence) => processMessage(ctx, row, fence),
    describe: (row) => ({ email_id: row.id, mailbox: row.mailbox }),
  };
}

/** Claims one stored message by id (triage processes the file it just stored), if it is pending and free. */
export async function claimMessage(ctx: Pick<PipelineContext, 'db' | 'clock'>, id: string, workerId: string): Promise<ClaimedMessage | null> {
  const [row] = await claim<ClaimedMessage>(ctx.db, 'messages', { workerId, now: ctx.clock.now(), limit: 1, only: [id], columns: CLAIMED_COLUMNS });
  return row ?? null;
}

/**
 * Takes one claimed message from `pending` to `decided`, or back to the queue when the model is
 * unreachable. The classification, the decision and every later stage's outbox rows are written
 * in one transaction, so no event can leave before its decision is stored.
 */
export async function processMessage(ctx: PipelineContext, row: ClaimedMessage, fence: Claim): Promise<ProcessOutcome> {
  const loaded = await loadEmail(ctx, row);
  let cache: { inputHash: string; cachedFrom: string | null } | null = null;
  let evaluation: Evaluation;
  try {
    evaluation =
      'unparseable' in loaded
        ? unparseableEvaluation(loaded.unparseable)
        : await evaluateEmail(loaded.email, {
            ownAddresses: ctx.mailboxes.ownAddresses(row.mailbox),
            sizeBytes: Number(row.size_bytes),
            maxMessageBytes: ctx.maxMessageBytes,
            policy: ctx.policy,
            redact: ctx.redact,
            classify: async (parsed, redacted) => {
              const cached = await classifyWithCache(ctx.db, ctx.classifier, { email: parsed, mailbox: row.mailbox, redacted });
              cache = cached;
              return cached.result;
            },
          });
  } catch (error) {
    if (!(error instanceof ClassifierUnavailableError)) throw error;
    return postpone(ctx, row, fence, error);
  }
  const email = loaded.email;
  evaluation = { ...evaluation, decision: applySenderRules(evaluation.decision, email.from?.address ?? null, evaluation.prefilter !== null, await acceptedRules(ctx.db)) };

  const now = ctx.clock.now();
  const decision = evaluation.decision;
  const decided: DecidedEmail = {
    emailId: row.id,
    threadId: row.thread_id,
    mailbox: row.mailbox,
    receivedAt: new Date(row.received_at),
    email,
    evaluation,
    decision,
    now,
  };
  const record = { cache, policyVersion: ctx.policy.version, sealedPii: sealedPiiMapping(ctx, decided) };
  const wanted = ctx.effects.filter((effect) => effect.wants(decided));
  let woken: DecisionEffect[] = [];
  // Without an outbox row to add, the decision's one statement is its own transaction.
  if (wanted.length === 0) await recordDecision(ctx.db, fence, decided, record);
  else
    woken = await ctx.db.transaction().execute(async (trx) => {
      await recordDecision(trx, fence, decided, record);
      const queued: DecisionEffect[] = [];
      for (const effect of wanted) if (await effect.enqueue(trx, decided)) queued.push(effect);
      return queued;
    });
  for (const effect of woken) effect.wake();
  const asked = evaluation.classificationError || (evaluation.classification && evaluation.classification.mode !== 'cache' && evaluation.classification.classifier === 'openai');
  if (asked) ctx.modelWatch?.answered();
  ctx.logger.info({ email_id: row.id, mailbox: row.mailbox, action: decision.action, reasons: decision.reasons.map((r) => r.code) }, 'decided');
  recordMetrics(ctx.metrics, evaluation);
  return { status: 'decided', emailId: row.id, email, evaluation, decision };
}

const RULES_REFRESH_MS = 30_000;
const rulesCache = new WeakMap<Db, { at: number; rules: Promise<SenderRule[]> }>();

/** The sender rules people accepted, read at most every 30 s per database (an accepted rule applies within that). */
export function acceptedRules(db: Db): Promise<SenderRule[]> {
  const cached = rulesCache.get(db);
  if (cached && Date.now() - cached.at < RULES_REFRESH_MS) return cached.rules;
  const rules = db.selectFrom('sender_rules').select(['kind', 'value', 'action']).orderBy('created_at').execute();
  rulesCache.set(db, { at: Date.now(), rules });
  rules.catch(() => rulesCache.delete(db));
  return rules;
}

/**
 * The IMAP keyword of the decision (ingest.keywords), for a message that came over IMAP; none for
 * a mailbox whose server this process has seen refuse custom keywords.
 */
export function keywordEffect(options: { enabled: boolean; wake: () => void; support?: KeywordSupport }): DecisionEffect {
  return {
    wants: (decided) => options.enabled && DECISION_KEYWORDS[decided.decision.action] !== undefined && !options.support?.refused(decided.mailbox),
    async enqueue(trx, decided) {
      const keyword = DECISION_KEYWORDS[decided.decision.action];
      if (!keyword) return false;
      const row = await trx.selectFrom('messages').select('imap_uid').where('id', '=', decided.emailId).executeTakeFirst();
      if (!row || row.imap_uid === null) return false;
      await enqueueKeyword(trx, { emailId: decided.emailId, mailbox: decided.mailbox, keyword }, decided.now);
      return true;
    },
    wake: options.wake,
  };
}

/**
 * The stored parse; an old row without one (or one of another parse version) is parsed from its raw
 * bytes, and so is one whose parse at ingest only ran out of time (with more patience). A message the
 * parser refused comes back with the reason and an email of its headers alone.
 */
export async function loadEmail(ctx: Pick<PipelineContext, 'db' | 'maxCleanChars'>, row: ClaimedMessage): Promise<{ email: ParsedEmail } | { email: ParsedEmail; unparseable: string }> {
  const refused = storedFailure(row.parsed);
  const stored = refused === null ? fromStoredEmail(row.parsed, ctx.maxCleanChars) : null;
  if (stored) return { email: stored };
  const headersOnly = headersOnlyEmail(row);
  if (refused !== null && !refused.retry) return { email: headersOnly, unparseable: refused.reason };
  const source = await readRawMessage(ctx.db, row.id);
  if (!source) throw new Error(`email ${row.id} was deleted while it was being processed`);
  try {
    return { email: await parseEmail(parseSource(source), { maxCleanChars: ctx.maxCleanChars, patience: refused ? REPARSE_PATIENCE : 1 }) };
  } catch (error) {
    if (!isMalformedEmailError(error)) throw error;
    return { email: headersOnly, unparseable: error.message };
  }
}

/** What the store knew of a message without a usable parse: enough for the audit log and the effects. */
function headersOnlyEmail(row: ClaimedMessage): ParsedEmail {
  const from = row.from_address ? { address: row.from_address, name: row.from_name ?? '' } : null;
  return {
    messageId: row.message_id,
    inReplyTo: null,
    references: [],
    from,
    replyTo: null,
    to: [],
    cc: [],
    subject: row.subject ?? '',
    date: null,
    headers: {},
    contentType: 'text/plain',
    reportType: null,
    attachments: [],
    fullText: '',
    hiddenText: '',
    newestText: '',
    cleanText: '',
    rawChars: 0,
    cleanChars: 0,
    truncated: false,
  };
}

async function postpone(ctx: PipelineContext, row: ClaimedMessage, fence: Claim, error: ClassifierUnavailableError): Promise<ProcessOutcome> {
  const now = ctx.clock.now();
  const nextAttemptAt = new Date(now.getTime() + retryDelay(row.attempts, UNAVAILABLE_RETRY, error));
  const reason = `classification postponed, the email waits and is tried again later: ${error.message}`;
  await reschedule(ctx.db, fence as Claim<'messages'>, nextAttemptAt, reason, now, { waiting_for: 'model' });
  ctx.modelWatch?.down(error.message);
  ctx.metrics.retries.inc({ stage: 'pipeline' });
  const log = error.permanent ? ctx.logger.error.bind(ctx.logger) : ctx.logger.warn.bind(ctx.logger);
  log({ email_id: row.id, mailbox: row.mailbox, next_attempt_at: nextAttemptAt.toISOString() }, reason);
  return { status: 'postponed', emailId: row.id, error: reason, nextAttemptAt };
}

/**
 * Classifies through the content-hash cache: the same input under the same prompt version is
 * answered from the database (the first successful classification of exactly this text), so a
 * re-run or a duplicate email makes no model call.
 */
async function classifyWithCache(db: Db, classifier: Classifier, given: ClassifierInput): Promise<{ result: ClassificationResult; inputHash: string; cachedFrom: string | null }> {
  // The corrected examples are looked up first: the cache key covers them.
  const input = classifier.prepare ? await classifier.prepare(given) : given;
  const inputHash = classifierInputHash(classifier.promptVersion, input);
  // Only a model's answers are worth a cache: the offline classifiers answer in a millisecond, and
  // whether they may suggest tickets changes as they learn.
  if (classifier.name !== 'openai') return { inputHash, cachedFrom: null, result: await classifier.classify(input) };
  const hit = await db
    .selectFrom('classifications')
    .selectAll()
    .where('input_hash', '=', inputHash)
    .where('output', 'is not', null)
    .where('cached_from', 'is', null)
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  if (!hit?.output) return { inputHash, cachedFrom: null, result: await classifier.classify(input) };
  const result: ClassificationResult = {
    classification: hit.output,
    model: hit.model,
    classifier: 'openai',
    promptVersion: hit.prompt_version,
    logprobConfidence: hit.logprob_confidence,
    promptTokens: null,
    completionTokens: null,
    latencyMs: 0,
    mode: 'cache',
  };
  return { inputHash, cachedFrom: hit.id, result };
}

/**
 * The placeholder mapping of an email the model saw redacted, sealed with the webhook secrets' key
 * and bound to the email id, for the reply draft to put the values back; null when there is none.
 * Deleted with the email (foreign key); a re-run replaces it with the mapping of what the model saw this time.
 */
function sealedPiiMapping(ctx: PipelineContext, decided: DecidedEmail): string | null {
  const pii = decided.evaluation.pii;
  if (!pii?.view || pii.mapping.length === 0 || !decided.evaluation.classification) return null;
  return sealMapping(ctx.secretBox(), decided.emailId, pii.mapping);
}

function recordMetrics(metrics: Metrics, evaluation: Evaluation): void {
  metrics.decisions.inc({ action: evaluation.decision.action });
  const result = evaluation.classification;
  if (result && result.mode !== 'cache') {
    recordClassification(metrics, { ...result, outcome: 'ok' });
  }
  const failure = evaluation.classificationError;
  if (failure)
    recordClassification(metrics, {
      classifier: 'openai',
      model: failure.model,
      latencyMs: 0,
      outcome: 'failed',
      promptTokens: failure.promptTokens,
      completionTokens: failure.completionTokens,
    });
}
