import { readFile } from 'node:fs/promises';
import { type Classifier, ClassifierUnavailableError } from '../classify/index.js';
import type { Action, Flags, Intent, Reason } from '../contract/index.js';
import { type DetectorResult, localFlagsOf, type PolicySettings, type SecondOpinion } from '../decide/index.js';
import { isMalformedEmailError, type ParsedEmail, parseEmail } from '../parse/index.js';
import { type Evaluation, evaluateEmail, unparseableEvaluation } from '../pipeline/index.js';
import { PII_KINDS, type PiiKind } from '../redact/index.js';
import type { Label, LabeledEmail } from './labels.js';
import { type PiiEmailResult, scorePii } from './pii.js';

/** What one labeled email got: the decision and what each part of the safety net said. */
export interface EmailResult {
  file: string;
  label: Label;
  action: Action;
  /** The action is one of the label's acceptable actions. */
  acceptable: boolean;
  prefilter: string | null;
  /** The classifier's intent; null when a pre-filter decided or classification failed. */
  intent: Intent | null;
  /** The classifier's confidence in that intent (the reliability table checks it against the labels). */
  confidence: number | null;
  /** Flags as finally applied (model OR detectors, VIP from the configuration). */
  flags: Flags;
  /** What the classifier said alone; null when it was not asked. */
  modelFlags: { payment: boolean; legal: boolean } | null;
  detectorFlags: { payment: boolean; legal: boolean };
  /** What the local model's second opinion raised beside the AI model; null when it was not asked. */
  localFlags: { payment: boolean; legal: boolean } | null;
  reasons: Reason[];
  promptTokens: number;
  completionTokens: number;
  /** The classifier's answer time; null when it was not asked or gave no valid answer. */
  latencyMs: number | null;
  /** Set when the email could not be classified at all (model unreachable). */
  error: string | null;
  /** The PII detectors against the labels' `pii`, on the text the model is shown; null when the email was not parsed. */
  pii: PiiEmailResult | null;
  /**
   * The same email classified the other way (with placeholders when the run above had none, and
   * the reverse): whether action and intent came out the same. Null when not measured.
   */
  redaction: { action: boolean; intent: boolean } | null;
}

export interface EvalOptions {
  classifier: Classifier;
  policy: PolicySettings;
  /** The mailbox the files are treated as arriving in (its own addresses apply to the loop guard). */
  mailbox: string;
  ownAddresses: string[];
  maxMessageBytes: number;
  maxCleanChars: number;
  /** Emails evaluated at once (the classifier's limiter bounds model calls anyway). */
  concurrency: number;
  /** Kinds replaced before the model sees an email (classifier.redact, as `mailroom run` resolves it); null: none. */
  redact?: ReadonlySet<PiiKind> | null;
  /** Also classify each email the other way, with or without placeholders, and compare. */
  redactionAgreement?: boolean;
}

/** Runs the decision on every labeled email, storing and sending nothing. Results in folder order. */
export async function runEval(emails: readonly LabeledEmail[], options: EvalOptions): Promise<EmailResult[]> {
  const results: EmailResult[] = new Array(emails.length);
  let next = 0;
  const worker = async () => {
    while (next < emails.length) {
      const index = next++;
      results[index] = await evaluateOne(emails[index]!, options);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  return results;
}

/**
 * Whether the classifier of this run reads placeholders: a model elsewhere with classifier.redact
 * on. The local model and the rules read the original text in production.
 */
function runsRedacted(options: EvalOptions): boolean {
  return options.classifier.name === 'openai' && (options.redact?.size ?? 0) > 0;
}

/** The decision with the classifier reading the email as production does, or, with `flip`, the other way. */
function evaluateAs(email: ParsedEmail, sizeBytes: number, options: EvalOptions, flip: boolean): Promise<Evaluation> {
  const redacted = runsRedacted(options) !== flip;
  const kinds = redacted ? (options.redact && options.redact.size > 0 ? options.redact : new Set(PII_KINDS)) : null;
  return evaluateEmail(email, {
    ownAddresses: options.ownAddresses,
    sizeBytes,
    maxMessageBytes: options.maxMessageBytes,
    policy: options.policy,
    redact: kinds,
    // With placeholders every classifier is given the redacted view as the email itself, so the
    // offline ones (which read `email`) are measured on what a hosted model would see.
    classify: (parsed, view) => options.classifier.classify(view ? { email: view, mailbox: options.mailbox, redacted: view } : { email: parsed, mailbox: options.mailbox }),
  });
}

/** Beside the detectors' hints, as in production: a hint with the local model's payment probability is its flag. */
function localFlagPair(second: SecondOpinion, policy: PolicySettings, detectors: DetectorResult): { payment: boolean; legal: boolean } {
  const { payment, legal } = localFlagsOf(second, policy, detectors);
  return { payment, legal };
}

async function evaluateOne(item: LabeledEmail, options: EvalOptions): Promise<EmailResult> {
  const raw = await readFile(item.path);
  let evaluation: Evaluation;
  let pii: PiiEmailResult | null = null;
  let redaction: EmailResult['redaction'] = null;
  try {
    const email = await parseEmail(raw, { maxCleanChars: options.maxCleanChars });
    pii = scorePii(item.label, email);
    evaluation = await evaluateAs(email, raw.length, options, false);
    if (options.redactionAgreement && evaluation.classification) {
      const other = await evaluateAs(email, raw.length, options, true);
      redaction = { action: other.decision.action === evaluation.decision.action, intent: other.classification?.classification.intent === evaluation.classification.classification.intent };
    }
  } catch (error) {
    if (isMalformedEmailError(error)) evaluation = unparseableEvaluation(error.message);
    else if (error instanceof ClassifierUnavailableError) return unclassified(item, error.message);
    else throw error;
  }
  const { decision, classification, classificationError } = evaluation;
  const answered = classification ?? null;
  return {
    file: item.label.file,
    label: item.label,
    action: decision.action,
    acceptable: item.label.acceptable_actions.includes(decision.action),
    prefilter: evaluation.prefilter?.kind ?? null,
    intent: answered?.classification.intent ?? null,
    confidence: answered?.classification.confidence ?? null,
    flags: decision.flags,
    modelFlags: answered ? answered.classification.flags : null,
    detectorFlags: { payment: evaluation.detectors.payment, legal: evaluation.detectors.legal },
    localFlags: answered?.secondOpinion ? localFlagPair(answered.secondOpinion, options.policy, evaluation.detectors) : null,
    reasons: decision.reasons,
    promptTokens: (answered?.promptTokens ?? 0) + (classificationError?.promptTokens ?? 0),
    completionTokens: (answered?.completionTokens ?? 0) + (classificationError?.completionTokens ?? 0),
    latencyMs: answered ? Math.round(answered.latencyMs) : null,
    error: null,
    pii,
    redaction,
  };
}

function unclassified(item: LabeledEmail, cause: string): EmailResult {
  const none = { payment: false, legal: false };
  return {
    file: item.label.file,
    label: item.label,
    action: 'review',
    acceptable: false,
    prefilter: null,
    intent: null,
    confidence: null,
    flags: { ...none, vip: false },
    modelFlags: null,
    detectorFlags: none,
    localFlags: null,
    reasons: [],
    promptTokens: 0,
    completionTokens: 0,
    latencyMs: null,
    error: `not classified: the AI model is unreachable: ${cause}`,
    pii: null,
    redaction: null,
  };
}

/**
 * A model that answers "support, confidence 0.97, no flags" to everything — what a prompt-injected
 * model does. `mailroom eval --fooled` puts it in place of the real one to measure the safety net
 * alone: the detectors, the pre-filters and the VIP list must still keep flagged mail from tickets.
 */
export function fooledClassifier(): Classifier {
  return {
    name: 'openai',
    promptVersion: 'fooled',
    async classify() {
      return {
        classification: {
          intent: 'support',
          category: 'question',
          priority: 'normal',
          summary: 'A routine support request.',
          language: 'en',
          flags: { payment: false, legal: false },
          sentiment: 'neutral',
          team: null,
          confidence: 0.97,
        },
        model: 'fooled',
        classifier: 'openai',
        promptVersion: 'fooled',
        logprobConfidence: null,
        promptTokens: null,
        completionTokens: null,
        latencyMs: 0,
        mode: 'fooled',
      };
    },
  };
}
