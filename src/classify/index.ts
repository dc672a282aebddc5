/**
 * Classify: turns a parsed email into the validated classification of the contract, through an
 * OpenAI-compatible model (openai-classifier.ts), the local model (local/) or the rules baseline.
 */
import { dirname, join } from 'node:path';
import type { Config } from '../config/index.js';
import type { Db } from '../db/index.js';
import type { Logger } from '../util/logger.js';
import { silentLogger } from '../util/logger.js';
import type { Classifier } from './classifier.js';
import { createExampleFinder } from './examples.js';
import { createLocalClassifier, type LocalModelStore, openLocalModel, withLocalModel } from './local/index.js';
import { createOpenAIClassifier } from './openai-classifier.js';
import { createRulesClassifier } from './rules-classifier.js';

export const LOCAL_FALLBACK_NOTICE =
  'No classifier.api_key or OPENAI_API_KEY set: classifying with the local model, which learns this mailbox and suggests tickets only once it has shown it may (classifier.local).';

// Local servers (Ollama, vLLM, llama.cpp, LM Studio) usually ignore the key, but the SDK insists on one.
const PLACEHOLDER_KEY = 'not-needed';

export interface ClassifierSetup {
  classifier: Classifier;
  /** A line the CLI prints once (which classifier was chosen and why). */
  notice: string | null;
  /** The local model, when one is used (alone, or beside the AI model). */
  local: LocalModelStore | null;
}

/**
 * Picks the classifier for `classifier.provider`. `auto` means openai when a key is configured
 * (classifier.api_key, else OPENAI_API_KEY) or a base_url points at a server, which often needs no
 * key; otherwise the local model. Beside the AI model the local model gives its second opinion on
 * the flags and, with classifier.cascade, answers the emails it is sure of.
 */
export async function createClassifier(
  config: Pick<Config, 'classifier' | 'database'>,
  opts: { logger?: Logger; apiKeyFromEnv?: string; db?: Db | null /** Stands in for the AI model (mailroom eval --fooled). */; model?: Classifier } = {},
): Promise<ClassifierSetup> {
  const settings = config.classifier;
  const envKey = 'apiKeyFromEnv' in opts ? opts.apiKeyFromEnv : process.env.OPENAI_API_KEY;
  const apiKey = nonEmpty(settings.api_key) ?? nonEmpty(envKey);
  const teams = settings.teams.map((team) => team.name);
  if (settings.provider === 'rules') return { classifier: createRulesClassifier(teams), notice: null, local: null };
  const useModel = opts.model !== undefined || settings.provider === 'openai' || (settings.provider === 'auto' && Boolean(apiKey || settings.base_url));
  if (opts.model === undefined && settings.provider === 'openai' && !apiKey && !settings.base_url) {
    throw new Error(
      'classifier.provider is "openai" but no API key is set: set OPENAI_API_KEY (or classifier.api_key: ${OPENAI_API_KEY}), or set classifier.base_url for a local server that needs no key',
    );
  }
  const local = await openLocalModel({
    path: localModelPath(config),
    db: opts.db ?? null,
    maxCleanChars: settings.max_input_chars,
    retrainAfter: settings.local.retrain_after,
    logger: opts.logger ?? silentLogger(),
  });
  if (!useModel) {
    const autonomy = { minPrecision: settings.local.min_precision, minLabels: settings.local.min_labels };
    const classifier = createLocalClassifier({ model: () => local.current(), autonomy, flagThreshold: settings.local.flag_threshold });
    return { classifier, notice: settings.provider === 'auto' ? LOCAL_FALLBACK_NOTICE : null, local };
  }
  const examples = opts.db && settings.examples > 0 ? createExampleFinder(opts.db, { limit: settings.examples, maxCleanChars: settings.max_input_chars }) : undefined;
  const model = opts.model ?? createOpenAIClassifier({ config: settings, logger: opts.logger, apiKey: apiKey ?? PLACEHOLDER_KEY, ...(examples ? { examples } : {}) });
  return { classifier: withLocalModel(model, { store: local, db: opts.db ?? null, config: settings }), notice: null, local };
}

/** classifier.local.path, else local-model.bin beside the embedded database's folder. */
export function localModelPath(config: Pick<Config, 'classifier' | 'database'>): string {
  return nonEmpty(config.classifier.local.path) ?? join(dirname(config.database.path), 'local-model.bin');
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value : undefined;
}

export { decisionConfidence } from './answer.js';
export {
  ClassificationFailedError,
  type ClassificationResult,
  type Classifier,
  type ClassifierInput,
  type ClassifierName,
  ClassifierUnavailableError,
  type FewShotExample,
  type LocalAnswer,
} from './classifier.js';
export { createExampleFinder } from './examples.js';
export { detectLanguage, LANGUAGES } from './language.js';
export * from './local/index.js';
export { DEFAULT_BASE_URL } from './openai-classifier.js';
export { classifierInputHash, shortHash } from './prompt.js';
export { createRateLimiter, type RateLimiter } from './rate-limiter.js';
export { type Endpoint, realTimer, type Timer, withRetries } from './retry.js';
export { createRulesClassifier } from './rules-classifier.js';
