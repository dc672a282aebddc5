import type { Classification } from '../contract/index.js';
import type { ParsedEmail } from '../parse/index.js';

/** Provenance stored with every classification and sent in the event. */
export interface ClassificationResult {
  classification: Classification;
  /** `rules`, `local@<version>`, or the model name the server reported. */
  model: string;
  classifier: ClassifierName;
  promptVersion: string;
  /** Confidence derived from token logprobs of the intent, when the server returned them. */
  logprobConfidence: number | null;
  promptTokens: number | null;
  completionTokens: number | null;
  latencyMs: number;
  /** Which response_format mode produced the answer (json_schema, json_object, text, rules, local, cache). */
  mode: string;
  /** The local model's version, when it classified or gave its second opinion. */
  modelVersion?: string | null;
  /** Set when this answer may not suggest a ticket on its own, with why (the offline classifiers until they earn it). */
  noTickets?: string;
  /** The local model's probabilities that money is at stake / that it is a legal matter, beside the AI model's answer. */
  secondOpinion?: { payment: number; legal: number; billing: number };
  /** The local model's own answer beside the AI model's (stored: the cascade's agreement is measured on it). */
  local?: LocalAnswer;
}

export interface LocalAnswer {
  modelVersion: string;
  intent: string;
  confidence: number;
  payment: number;
  legal: number;
  /** The cascade answered with it, without asking the AI model. */
  decidedLocally: boolean;
}

export type ClassifierName = 'openai' | 'rules' | 'local';

export interface ClassifierInput {
  email: ParsedEmail;
  mailbox: string;
  /**
   * The email with personal data replaced by placeholders (classifier.redact): what a hosted model
   * is shown and what the cache keys on. The local model and the rules read `email`: they run here.
   */
  redacted?: ParsedEmail | null;
  /** The mailbox's corrected emails most like this one, for the prompt (classifier.examples). */
  examples?: FewShotExample[];
}

/** A corrected email shown to the model as an example: what a person said about it. */
export interface FewShotExample {
  messageId: string | null;
  from: string;
  subject: string;
  text: string;
  action: string;
  intent: string | null;
  flags: { payment: boolean | null; legal: boolean | null };
}

/** Anything that turns an email into a validated classification. */
export interface Classifier {
  readonly name: ClassifierName;
  /** Hash of template, schema and model settings; part of the cache key. */
  readonly promptVersion: string;
  /**
   * Resolves with a schema-valid classification, or rejects with
   * {@link ClassifierUnavailableError} (try again later, the email waits) or
   * {@link ClassificationFailedError} (the model answered but never validly: goes to review).
   */
  classify(input: ClassifierInput, signal?: AbortSignal): Promise<ClassificationResult>;
  /** Adds what the classifier looks up before answering (the corrected examples), so a cache key can cover it. */
  prepare?(input: ClassifierInput): Promise<ClassifierInput>;
  close?(): Promise<void>;
}

/** The model could not be reached or refused for now (timeouts, 429, 5xx, connection errors). */
export class ClassifierUnavailableError extends Error {
  override readonly name = 'ClassifierUnavailableError';
  /** Milliseconds the server asked us to wait, when it said so. */
  readonly retryAfterMs: number | null;
  /** True for errors no retry can fix (401, 403, 404 model not found): the operator must act. */
  readonly permanent: boolean;
  constructor(message: string, options: { retryAfterMs?: number | null; permanent?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.retryAfterMs = options.retryAfterMs ?? null;
    this.permanent = options.permanent ?? false;
  }
}

/** The model answered, but not with a valid classification even after the repair retry. */
export class ClassificationFailedError extends Error {
  override readonly name = 'ClassificationFailedError';
  readonly model: string;
  readonly promptVersion: string;
  readonly promptTokens: number | null;
  readonly completionTokens: number | null;
  constructor(message: string, details: { model: string; promptVersion: string; promptTokens?: number | null; completionTokens?: number | null; cause?: unknown }) {
    super(message, { cause: details.cause });
    this.model = details.model;
    this.promptVersion = details.promptVersion;
    this.promptTokens = details.promptTokens ?? null;
    this.completionTokens = details.completionTokens ?? null;
  }
}
