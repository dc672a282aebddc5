/**
 * The decision's record in the database: one statement that closes the claimed message and stores
 * the classification, the local model's answer, the sealed placeholder mapping and the decision.
 */
import { type InsertObject, isExpression, type QueryCreator, sql } from 'kysely';
import { decisionConfidence } from '../classify/index.js';
import type { Database, DbOrTx } from '../db/index.js';
import { jsonColumn } from '../db/index.js';
import type { Decision } from '../decide/index.js';
import type { ParsedEmail } from '../parse/index.js';
import { type Claim, claimLost, stillClaimed } from '../queue/index.js';
import type { Evaluation } from './evaluate-email.js';

/** Everything a later stage may need when a decision is recorded. */
export interface DecidedEmail {
  emailId: string;
  threadId: string;
  mailbox: string;
  receivedAt: Date;
  email: ParsedEmail;
  evaluation: Evaluation;
  decision: Decision;
  now: Date;
}

/** The tables the decision's statement adds for itself: the closed message's id, the stored classification's. */
interface DecisionStatement {
  closed: { id: string };
  stored: { id: string };
}
type DecisionQuery = QueryCreator<Database & DecisionStatement>;
/** The tables a decision writes a row to for its email, beside closing the message. */
type DecisionTable = 'classifications' | 'local_predictions' | 'pii_mappings' | 'decisions';

/**
 * Records the decision in ONE statement: closes the message (fenced on the claim) and, only when
 * that matched, stores the classification, the local model's prediction, the sealed placeholder
 * mapping and the decision — each an INSERT ... SELECT from the closed row, so a worker that lost
 * its claim writes nothing (ClaimLostError), and the decisions.email_id unique key stops a second
 * decision even in a race. A single statement is atomic without a transaction: for most emails
 * (nothing for a later stage to queue) that is one round trip where BEGIN, four writes and COMMIT
 * were six, which was most of a decision's own cost on the database (issue 15's drain).
 */
export async function recordDecision(
  db: DbOrTx,
  fence: Claim,
  decided: DecidedEmail,
  extra: { cache: { inputHash: string; cachedFrom: string | null } | null; policyVersion: string; sealedPii: string | null },
): Promise<void> {
  const { email, evaluation, decision, now } = decided;
  const closing = { status: 'decided', last_error: null, waiting_for: null, raw_chars: email.rawChars, clean_chars: email.cleanChars, locked_by: null, locked_at: null, updated_at: now } as const;
  let query = db.with('closed', (qc) => qc.updateTable('messages').set(closing).where(stillClaimed(fence)).returning('id')) as unknown as DecisionQuery;
  const classification = classificationRow(evaluation, extra.cache);
  if (classification) query = query.with('stored', (qc) => fromClosed(qc, 'classifications', classification).returning('id')) as unknown as DecisionQuery;
  const local = evaluation.classification?.local;
  if (local) {
    const llmIntent = local.decidedLocally ? null : (evaluation.classification?.classification.intent ?? null);
    const { modelVersion, decidedLocally, ...answer } = local;
    const row = { model_version: modelVersion, ...answer, llm_intent: llmIntent, decided_locally: decidedLocally };
    query = query.with('predicted', (qc) => fromClosed(qc, 'local_predictions', row).onConflict((oc) => oc.column('email_id').doNothing())) as unknown as DecisionQuery;
  }
  const sealed = extra.sealedPii;
  if (sealed !== null) {
    query = query.with('sealed', (qc) => fromClosed(qc, 'pii_mappings', { sealed, created_at: now }).onConflict((oc) => oc.column('email_id').doUpdateSet({ sealed }))) as unknown as DecisionQuery;
  }
  const recorded = await fromClosed(
    query,
    'decisions',
    {
      action: decision.action,
      reasons: jsonColumn(decision.reasons),
      flags: jsonColumn(decision.flags),
      detector_matches: jsonColumn(evaluation.detectors.matches),
      prefilter: evaluation.prefilter?.kind ?? null,
      acknowledge_only: decision.acknowledgeOnly,
      policy_version: extra.policyVersion,
      classification_id: classification ? sql<string>`(SELECT id FROM stored)` : null,
    },
    db as unknown as DecisionQuery,
  )
    .returning('email_id')
    .executeTakeFirst();
  if (!recorded) throw claimLost(fence);
}

/**
 * INSERT INTO table (email_id, ...) SELECT closed.id, ... FROM closed: a row for the email only when
 * closing the message matched. The values stay parameters; PostgreSQL types them by their columns.
 */
function fromClosed<T extends DecisionTable>(qc: DecisionQuery, table: T, values: Omit<InsertObject<Database, T>, 'email_id'>, plain: DecisionQuery = qc) {
  const columns = Object.keys(values).filter((column) => (values as Record<string, unknown>)[column] !== undefined);
  // From a creator without the WITH clauses: a SELECT carrying them would nest the data-modifying CTEs.
  const select = plain.selectFrom('closed').select((eb) => [
    eb.ref('closed.id').as('email_id'),
    ...columns.map((column) => {
      const value = (values as Record<string, unknown>)[column];
      return isExpression(value) ? sql`${value}`.as(column) : eb.val(value).as(column);
    }),
  ]);
  return qc
    .insertInto(table as DecisionTable)
    .columns(['email_id', ...columns] as never)
    .expression(select as never);
}

function classificationRow(evaluation: Evaluation, cache: { inputHash: string; cachedFrom: string | null } | null) {
  const result = evaluation.classification;
  const pii = evaluation.pii ? jsonColumn({ redacted: evaluation.pii.view !== null, kinds: evaluation.pii.found }) : null;
  if (result && cache) {
    return {
      pii,
      classifier: result.classifier,
      model: result.model,
      prompt_version: result.promptVersion,
      input_hash: cache.inputHash,
      output: jsonColumn(result.classification),
      confidence: decisionConfidence(result),
      model_confidence: result.classification.confidence,
      logprob_confidence: result.logprobConfidence,
      mode: result.mode,
      prompt_tokens: result.promptTokens,
      completion_tokens: result.completionTokens,
      latency_ms: Math.round(result.latencyMs),
      cached_from: cache.cachedFrom,
      error: null,
      model_version: result.modelVersion ?? null,
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
    pii,
  };
}
