/**
 * Classify: turns a parsed email into the validated classification of the contract, through an
 * OpenAI-compatible model (openai-classifier.ts) or the offline rules baseline.
 */
import type { Config } from '../config/index.js';
import type { Logger } from '../util/logger.js';
import type { Classifier } from './classifier.js';
import { createOpenAIClassifier } from './openai-classifier.js';
import { createRulesClassifier } from './rules-classifier.js';

export const RULES_FALLBACK_NOTICE = 'No classifier.api_key or OPENAI_API_KEY set: using the offline rules classifier, which never suggests tickets on its own.';

// Local servers (Ollama, vLLM, llama.cpp, LM Studio) usually ignore the key, but the SDK insists on one.
const PLACEHOLDER_KEY = 'not-needed';

/**
 * Picks the classifier for `classifier.provider`. `auto` means openai when a key is configured
 * (classifier.api_key, else OPENAI_API_KEY) or a base_url points at a server, which often needs no
 * key; otherwise rules, with a notice the CLI prints once.
 */
export function createClassifier(config: Config['classifier'], opts: { logger?: Logger; apiKeyFromEnv?: string } = {}): { classifier: Classifier; notice: string | null } {
  const envKey = 'apiKeyFromEnv' in opts ? opts.apiKeyFromEnv : process.env.OPENAI_API_KEY;
  const apiKey = nonEmpty(config.api_key) ?? nonEmpty(envKey);
  const teams = config.teams.map((team) => team.name);

  if (config.provider === 'rules') return { classifier: createRulesClassifier(teams), notice: null };
  if (config.provider === 'auto' && !apiKey && !config.base_url) {
    return { classifier: createRulesClassifier(teams), notice: RULES_FALLBACK_NOTICE };
  }
  if (!apiKey && !config.base_url) {
    throw new Error(
      'classifier.provider is "openai" but no API key is set: set OPENAI_API_KEY (or classifier.api_key: ${OPENAI_API_KEY}), or set classifier.base_url for a local server that needs no key',
    );
  }
  const classifier = createOpenAIClassifier({ config, logger: opts.logger, apiKey: apiKey ?? PLACEHOLDER_KEY });
  return { classifier, notice: null };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value : undefined;
}

export { decisionConfidence } from './answer.js';
export { ClassificationFailedError, type ClassificationResult, type Classifier, type ClassifierInput, ClassifierUnavailableError } from './classifier.js';
export { DEFAULT_BASE_URL } from './openai-classifier.js';
export { classifierInputHash, shortHash } from './prompt.js';
export { createRateLimiter, type RateLimiter } from './rate-limiter.js';
export { type Endpoint, realTimer, type Timer, withRetries } from './retry.js';
