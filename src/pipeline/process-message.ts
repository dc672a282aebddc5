import { ClassifierUnavailableError } from '../classify/classifier.js';
import type { Decision } from '../decide/decision.js';
import { policyVersion } from '../decide/policy-version.js';
import { parseEmail } from '../parse/parse-email.js';
import type { ParsedEmail } from '../parse/parsed-email.js';
import { enqueueTicketEvent } from '../webhooks/enqueue-ticket-event.js';
import { enqueueDraft } from '../drafts/enqueue-draft.js';
import { rawEmailUrl } from '../api/raw-email-link.js';
import { jsonColumn, textColumn } from '../db/column-text.js';
import { defaultMetrics, recordClassification } from '../ops/metrics.js';
import { classifyWithCache, type CachedClassification } from './classify-with-cache.js';
import { evaluateEmail, type Evaluation } from './evaluate-email.js';
import { decisionConfidence } from '../classify/logprob-confidence.js';
import { ownAddressesOf, type PipelineContext } from './pipeline-context.js';
import { classificationRetryDelayMs } from './retry-delay.js';
import type { ClaimedMessage } from './sql/claim-due-messages.js';
import { recordDecision } from './sql/record-decision.js';
import { markMessageFailed, rescheduleMessage } from './sql/release-message.js';

export type ProcessOutcome =
  | { status: 'decided'; emailId: string; email: ParsedEmail; evaluation: Evaluation; decision: Decision }
  | { status: 'failed'; emailId: string; error: string }
  | { status: 'postponed'; emailId: string; error: string; nextAttemptAt: Date };

/**
 * Takes one claimed message from `pending` to `decided` (or `failed`, or back to the queue when
 * the model is unreachable). All results are written in one transaction; the ticket event's outbox
 * rows are part of it, so no event can leave before its decision is stored.
 */
export async function processMessage(ctx: PipelineContext, row: ClaimedMessage): Promise<ProcessOutcome> {
  const raw = row.raw ?? Buffer.from(`${row.raw_headers ?? ''}\r\n\r\n`, 'latin1');
  let email: ParsedEmail;
  try {
    email = await parseEmail(raw, { maxCleanChars: ctx.config.classifier.max_input_chars });
  } catch (error) {
    const reason = `cannot parse the message: ${(error as Error).message}`;
    await markMessageFailed(ctx.db, row.id, ctx.workerId, reason);
    ctx.logger.warn({ email_id: row.id, mailbox: row.mailbox }, reason);
    return { status: 'failed', emailId: row.id, error: reason };
  }

  let cached: CachedClassification | null = null;
  let evaluation: Evaluation;
  try {
    evaluation = await evaluateEmail(email, {
      ownAddresses: ownAddressesOf(ctx.config, row.mailbox),
      sizeBytes: Number(row.size_bytes),
      config: ctx.config,
      classify: async (parsed) => {
        cached = await classifyWithCache(ctx.db, ctx.classifier, parsed, row.mailbox);
        return cached.result;
      },
    });
  } catch (error) {
    if (!(error instanceof ClassifierUnavailableError)) throw error;
    return postpone(ctx, row, error);
  }

  const decision = evaluation.decision;
  await ctx.db.transaction().execute(async (trx) => {
    const { classificationId } = await recordDecision(trx, {
      emailId: row.id,
      workerId: ctx.workerId,
      rawChars: email.rawChars,
      cleanChars: email.cleanChars,
      classification: classificationRow(evaluation, cached),
      decision: {
        action: decision.action,
        reasons: jsonColumn(decision.reasons),
        flags: jsonColumn(decision.flags),
        detector_matches: jsonColumn(evaluation.detectors.matches),
        prefilter: evaluation.prefilter?.kind ?? null,
        acknowledge_only: decision.acknowledgeOnly,
        policy_version: policyVersion(
          { threshold: ctx.config.policy.threshold, draftsEnabled: ctx.config.drafts.mode !== 'off' },
          ctx.config.policy.vip,
        ),
      },
    });
    if (decision.action === 'ticket' && evaluation.classification) {
      await enqueueTicketEvent(
        trx,
        {
          emailId: row.id,
          threadId: row.thread_id,
          mailbox: row.mailbox,
          receivedAt: row.received_at,
          email,
          classification: evaluation.classification.classification,
          model: evaluation.classification.model,
          promptVersion: evaluation.classification.promptVersion,
          rawEmailUrl: rawEmailUrl(ctx.config, row.id, ctx.clock.now()),
        },
        ctx.clock.now(),
      );
    }
    void classificationId;
    if (decision.action === 'draft' && wantsDraft(ctx, row.mailbox)) {
      await enqueueDraft(trx, { emailId: row.id, mailbox: row.mailbox, acknowledgeOnly: decision.acknowledgeOnly }, ctx.clock.now());
    }
  });
  ctx.logger.info({ email_id: row.id, mailbox: row.mailbox, action: decision.action, reasons: decision.reasons.map((r) => r.code) }, 'decided');
  recordMetrics(evaluation);
  ctx.onDecided?.({ emailId: row.id, mailbox: row.mailbox, decision, imapUid: row.imap_uid === null ? null : Number(row.imap_uid) });
  return { status: 'decided', emailId: row.id, email, evaluation, decision };
}

function recordMetrics(evaluation: Evaluation): void {
  const metrics = defaultMetrics();
  metrics.decisions.inc({ action: evaluation.decision.action });
  const result = evaluation.classification;
  if (result && result.mode !== 'cache') {
    recordClassification(metrics, {
      classifier: result.classifier,
      model: result.model,
      latencyMs: result.latencyMs,
      outcome: 'ok',
      promptTokens: result.promptTokens,
      completionTokens: result.completionTokens,
    });
  }
  const failure = evaluation.classificationError;
  if (failure) recordClassification(metrics, { classifier: 'openai', model: failure.model, latencyMs: 0, outcome: 'failed', promptTokens: failure.promptTokens, completionTokens: failure.completionTokens });
}

/** Drafts go to a configured mailbox's Drafts folder; files triaged under another name have none. */
function wantsDraft(ctx: PipelineContext, mailbox: string): boolean {
  return ctx.config.drafts.mode !== 'off' && ctx.config.mailboxes.some((m) => m.name === mailbox);
}

async function postpone(ctx: PipelineContext, row: ClaimedMessage, error: ClassifierUnavailableError): Promise<ProcessOutcome> {
  const delay = classificationRetryDelayMs(row.attempts, error.retryAfterMs, error.permanent);
  const nextAttemptAt = new Date(ctx.clock.now().getTime() + delay);
  const reason = `classification postponed: ${error.message}`;
  await rescheduleMessage(ctx.db, row.id, ctx.workerId, nextAttemptAt, reason);
  defaultMetrics().retries.inc({ stage: 'pipeline' });
  const log = error.permanent ? ctx.logger.error.bind(ctx.logger) : ctx.logger.warn.bind(ctx.logger);
  log({ email_id: row.id, mailbox: row.mailbox, next_attempt_at: nextAttemptAt.toISOString() }, reason);
  return { status: 'postponed', emailId: row.id, error: reason, nextAttemptAt };
}

function classificationRow(evaluation: Evaluation, cached: CachedClassification | null) {
  if (evaluation.classification && cached) {
    const result = evaluation.classification;
    return {
      classifier: result.classifier,
      model: result.model,
      prompt_version: result.promptVersion,
      input_hash: cached.inputHash,
      output: jsonColumn(result.classification),
      confidence: decisionConfidence(result),
      model_confidence: result.classification.confidence,
      logprob_confidence: result.logprobConfidence,
      mode: result.mode,
      prompt_tokens: result.promptTokens,
      completion_tokens: result.completionTokens,
      latency_ms: Math.round(result.latencyMs),
      cached_from: cached.cachedFrom,
      error: null,
    };
  }
  const failure = evaluation.classificationError;
  if (!failure) return null;
  return {
    classifier: 'openai',
    model: failure.model,
    prompt_version: failure.promptVersion,
    input_hash: '',
    output: null,
    confidence: null,
    model_confidence: null,
    logprob_confidence: null,
    mode: null,
    prompt_tokens: failure.promptTokens,
    completion_tokens: failure.completionTokens,
    latency_ms: null,
    cached_from: null,
    error: failure.message,
  };
}
