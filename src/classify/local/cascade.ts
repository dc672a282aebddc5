import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Config } from '../../config/index.js';
import type { Db } from '../../db/index.js';
import { nextTurn, settled } from '../../util/wait.js';
import type { ClassificationResult, Classifier, ClassifierInput } from '../classifier.js';
import { toClassification } from './local-classifier.js';
import { type Prediction, predict } from './model.js';
import type { LocalModelStore } from './store.js';

/** The last answers the cascade's agreement is measured over. */
export const AGREEMENT_WINDOW = 500;
const AGREEMENT_REFRESH_MS = 30_000;

export interface Agreement {
  /** Of the last AGREEMENT_WINDOW emails the local model was that confident about and the AI model answered too… */
  compared: number;
  /** …how many got the same intent from both. */
  agreeing: number;
}

/** The local model's running agreement with the AI model, on the emails it was at least `confidence` sure of. */
export async function agreementOf(db: Db, confidence: number): Promise<Agreement> {
  const { rows } = await sql<{ compared: number; agreeing: number }>`
    select count(*)::int as compared, count(*) filter (where intent = llm_intent)::int as agreeing
    from (select intent, llm_intent from local_predictions
          where llm_intent is not null and confidence >= ${confidence}
          order by created_at desc limit ${AGREEMENT_WINDOW}) recent`.execute(db);
  return rows[0] ?? { compared: 0, agreeing: 0 };
}

/** What the local model has done beside the AI model, over the whole database. */
export interface CascadeUsage {
  agreement: Agreement;
  /** Emails the cascade answered locally (no model call). */
  decidedLocally: number;
  /** Emails the AI model answered (cache hits not counted). */
  modelCalls: number;
  /** Decided locally times the mean tokens of a model call: what they would have cost. */
  tokensSavedEstimate: number;
}

export async function cascadeUsage(db: Db, confidence: number): Promise<CascadeUsage> {
  const [agreement, { rows }] = await Promise.all([
    agreementOf(db, confidence),
    sql<{ local: number; model: number; tokens: number | null }>`
      select (select count(*)::int from local_predictions where decided_locally) as local,
             (select count(*)::int from classifications where classifier = 'openai' and cached_from is null and output is not null) as model,
             (select avg(coalesce(prompt_tokens, 0) + coalesce(completion_tokens, 0))::float from classifications where classifier = 'openai' and prompt_tokens is not null) as tokens`.execute(db),
  ]);
  const calls = rows[0] ?? { local: 0, model: 0, tokens: null };
  return { agreement, decidedLocally: calls.local, modelCalls: calls.model, tokensSavedEstimate: Math.round(calls.local * (calls.tokens ?? 0)) };
}

export function agreementTrusted(agreement: Agreement, settings: Config['classifier']['local']): boolean {
  return agreement.compared >= settings.cascade_min_answers && agreement.agreeing / agreement.compared >= settings.cascade_agreement;
}

/**
 * The AI model with the local model beside it. Every answer carries the local model's second
 * opinion on the flags (which the AI model cannot talk away) and its own answer (stored, to
 * measure the agreement). With `cascade` on, an email the local model is sure of is answered
 * locally — no model call, no tokens — once it has agreed with the AI model on enough such emails;
 * a share of them still goes to the AI model, so the agreement keeps being measured.
 */
export function withLocalModel(model: Classifier, options: { store: LocalModelStore; db: Db | null; config: Config['classifier'] }): Classifier {
  const settings = options.config.local;
  let agreement: { value: Agreement; at: number } | null = null;
  const currentAgreement = async (): Promise<Agreement> => {
    if (!options.db) return { compared: 0, agreeing: 0 };
    if (!agreement || Date.now() - agreement.at > AGREEMENT_REFRESH_MS) agreement = { value: await agreementOf(options.db, settings.cascade_confidence), at: Date.now() };
    return agreement.value;
  };
  return {
    name: model.name,
    get promptVersion() {
      return model.promptVersion;
    },
    async classify(input: ClassifierInput, signal?: AbortSignal): Promise<ClassificationResult> {
      const local = options.store.current();
      const { subject, cleanText, newestText } = input.email;
      if (!options.config.cascade) {
        // Only a second opinion: given while the model's request is out, not before it leaves.
        const asked = settled(model.classify(input, signal));
        await nextTurn();
        const p = predict(local, subject, newestText);
        const outcome = await asked;
        if ('error' in outcome) throw outcome.error;
        return withSecondOpinion(outcome.result, local.version, p);
      }
      // newestText, as the model was trained (local-classifier.ts says why).
      const p = predict(local, subject, newestText);
      const sure = p.intent.probability >= settings.cascade_confidence && !audited(input, settings.cascade_audit);
      if (sure && agreementTrusted(await currentAgreement(), settings)) {
        return {
          classification: toClassification(p, subject, cleanText, settings.flag_threshold),
          model: `local@${local.version}`,
          classifier: 'local',
          promptVersion: local.version,
          logprobConfidence: null,
          promptTokens: null,
          completionTokens: null,
          latencyMs: 0,
          mode: 'cascade',
          modelVersion: local.version,
          local: { ...shadowOf(p, local.version), decidedLocally: true },
        };
      }
      return withSecondOpinion(await model.classify(input, signal), local.version, p);
    },
    ...(model.prepare ? { prepare: model.prepare.bind(model) } : {}),
    // The model's rate limiter stays reachable (reply drafts share it; the shadow worker yields to it).
    ...('limiter' in model ? { limiter: (model as { limiter: unknown }).limiter } : {}),
    close: () => model.close?.() ?? Promise.resolve(),
  };
}

/** The AI model's answer with the local model's opinion beside it: its flags for the decision, its answer to measure the agreement. */
function withSecondOpinion(answer: ClassificationResult, modelVersion: string, p: Prediction): ClassificationResult {
  return { ...answer, modelVersion, secondOpinion: { payment: p.payment, legal: p.legal, billing: p.billing }, local: { ...shadowOf(p, modelVersion), decidedLocally: false } };
}

/** What the local model said, stored beside the answer to measure the agreement. */
function shadowOf(p: Prediction, modelVersion: string) {
  return { modelVersion, intent: p.intent.label, confidence: p.intent.probability, payment: p.payment, legal: p.legal };
}

/** A fixed share of emails, chosen by their text, always goes to the AI model. */
function audited(input: ClassifierInput, share: number): boolean {
  const digest = createHash('sha256').update(`${input.email.subject}\n${input.email.cleanText}`).digest();
  return digest.readUInt16BE(0) / 65536 < share;
}
