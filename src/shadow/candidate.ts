import {
  type Classifier,
  createExampleFinder,
  createLocalClassifier,
  createRateLimiter,
  createRulesClassifier,
  DEFAULT_BASE_URL,
  type LocalModelStore,
  localModelPath,
  openLocalModel,
  type RateLimiter,
  withLocalModel,
} from '../classify/index.js';
import { createOpenAIClassifier } from '../classify/openai-classifier.js';
import type { Config, ShadowConfig } from '../config/index.js';
import type { Db } from '../db/index.js';
import { type PiiKind, redactionKinds } from '../redact/index.js';
import { type Logger, silentLogger } from '../util/logger.js';

/** The candidate classifier of classifier.shadow, ready to classify beside the live one. */
export interface ShadowCandidate {
  /** classifier.shadow.name, or one made from its kind and model. */
  name: string;
  classifier: Classifier;
  /** Kinds replaced before the candidate sees an email: a hosted candidate is shown what a hosted live model is. */
  redact: ReadonlySet<PiiKind> | null;
  /** The candidate's own gate for its model calls (never the live classifier's); null for the offline kinds. */
  limiter: RateLimiter | null;
  /** Shadow jobs in flight at once in this process. */
  concurrency: number;
  close(): Promise<void>;
}

export interface CandidateOptions {
  logger?: Logger;
  /** The corrected examples for an openai candidate's prompt, as the live model gets them. */
  db?: Db | null;
  /** The live process's local model, shared (second opinion, or the candidate itself); opened here when absent. */
  local?: LocalModelStore | null;
  /** OPENAI_API_KEY as the live classifier reads it. */
  apiKeyFromEnv?: string;
  /** Tests hold a candidate's request back with this. */
  fetch?: typeof fetch;
}

/** The name a candidate is stored and reported under. */
export function candidateName(shadow: ShadowConfig): string {
  if (shadow.name) return shadow.name;
  if (shadow.kind !== 'openai') return shadow.kind;
  const prompt = shadow.instructions !== undefined || shadow.extra_instructions.trim() !== '' ? '+prompt' : '';
  return `openai:${shadow.model}${prompt}`.slice(0, 64);
}

/**
 * Builds classifier.shadow. An openai candidate is measured as it would run if it replaced the live
 * model: every classifier setting it does not name is the live one, the corrected examples go into
 * its prompt, and the local model gives its second opinion on the flags beside it — with the
 * cascade off, so every shadowed email is really asked of the candidate. Returns null when no
 * candidate is configured.
 */
export async function createShadowCandidate(config: Pick<Config, 'classifier' | 'database'>, options: CandidateOptions = {}): Promise<ShadowCandidate | null> {
  const shadow = config.classifier.shadow;
  if (!shadow) return null;
  const live = config.classifier;
  const logger = options.logger ?? silentLogger();
  const name = candidateName(shadow);
  let ownStore: LocalModelStore | null = null;
  const localStore = async (): Promise<LocalModelStore> => {
    if (options.local) return options.local;
    ownStore ??= await openLocalModel({ path: localModelPath(config), db: options.db ?? null, maxCleanChars: live.max_input_chars, retrainAfter: live.local.retrain_after, logger });
    return ownStore;
  };
  const closeStore = async () => {
    await ownStore?.close();
  };

  if (shadow.kind === 'rules') {
    return { name, classifier: createRulesClassifier(live.teams.map((t) => t.name)), redact: null, limiter: null, concurrency: shadow.concurrency, close: closeStore };
  }
  if (shadow.kind === 'local') {
    const store = await localStore();
    const classifier = createLocalClassifier({
      model: () => store.current(),
      autonomy: { minPrecision: live.local.min_precision, minLabels: live.local.min_labels },
      flagThreshold: live.local.flag_threshold,
    });
    return { name, classifier, redact: null, limiter: null, concurrency: shadow.concurrency, close: closeStore };
  }

  const { settings, apiKey } = candidateSettings(live, shadow, 'apiKeyFromEnv' in options ? options.apiKeyFromEnv : process.env.OPENAI_API_KEY);
  const limiter = createRateLimiter({ concurrency: shadow.concurrency, rpm: shadow.rpm });
  const examples = options.db && settings.examples > 0 ? createExampleFinder(options.db, { limit: settings.examples, maxCleanChars: settings.max_input_chars }) : undefined;
  const model = createOpenAIClassifier({ config: settings, logger, apiKey, limiter, ...(examples ? { examples } : {}), ...(options.fetch ? { fetch: options.fetch } : {}) });
  const classifier = options.local === null ? model : withLocalModel(model, { store: await localStore(), db: options.db ?? null, config: settings });
  return { name, classifier, redact: redactionKinds(settings), limiter, concurrency: shadow.concurrency, close: closeStore };
}

/**
 * What an openai candidate runs with: the live classifier settings with its own on top, and the key
 * it sends (`mailroom doctor` probes exactly this).
 */
export function candidateSettings(live: Config['classifier'], shadow: Extract<ShadowConfig, { kind: 'openai' }>, envKey: string | undefined): { settings: Config['classifier']; apiKey: string } {
  return { settings: openaiSettings(live, shadow), apiKey: candidateKey(live, shadow, envKey) };
}

/** The live classifier settings with the candidate's own on top. */
function openaiSettings(live: Config['classifier'], shadow: Extract<ShadowConfig, { kind: 'openai' }>): Config['classifier'] {
  const base = shadow.instructions ?? live.instructions;
  const extra = shadow.extra_instructions.trim();
  return {
    ...live,
    model: shadow.model,
    base_url: shadow.base_url ?? live.base_url,
    instructions: extra ? `${base.trim()}\n${extra}`.trim() : base,
    response_format: shadow.response_format ?? live.response_format,
    temperature: shadow.temperature ?? live.temperature,
    timeout: shadow.timeout ?? live.timeout,
    max_retries: shadow.max_retries,
    concurrency: shadow.concurrency,
    rpm: shadow.rpm,
    redact: shadow.redact ?? live.redact,
    cascade: false,
    shadow: undefined,
  };
}

/**
 * The candidate's own key; without one, the live key only when the candidate talks to the live
 * server (another model there) — never sent to a server it was not configured for.
 */
function candidateKey(live: Config['classifier'], shadow: Extract<ShadowConfig, { kind: 'openai' }>, envKey: string | undefined): string {
  if (shadow.api_key) return shadow.api_key;
  const server = (url: string | undefined) => (url ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  const sameServer = shadow.base_url === undefined || server(shadow.base_url) === server(live.base_url);
  const liveKey = live.api_key ?? (envKey?.trim() ? envKey : undefined);
  return (sameServer ? liveKey : undefined) ?? 'not-needed';
}
