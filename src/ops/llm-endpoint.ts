import type { Config } from '../config/schema.js';
import { DEFAULT_BASE_URL } from '../classify/openai-classifier.js';
import type { LlmProbe } from './readiness.js';

/** The model endpoint the classifier will use, resolved the way `createClassifier` resolves it. */
export interface LlmEndpoint {
  kind: 'openai' | 'rules';
  baseUrl: string;
  model: string;
  /** Null when the server is expected to need no key (a local base_url without one). */
  apiKey: string | null;
}

export function resolveLlmEndpoint(config: Config['classifier'], env: NodeJS.ProcessEnv = process.env): LlmEndpoint {
  const apiKey = nonEmpty(config.api_key) ?? nonEmpty(env.OPENAI_API_KEY) ?? null;
  const baseUrl = (config.base_url ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  const rules = config.provider === 'rules' || (config.provider === 'auto' && !apiKey && !config.base_url);
  return { kind: rules ? 'rules' : 'openai', baseUrl, model: config.model, apiKey };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value : undefined;
}

/**
 * A free reachability probe for /ready: GET {base}/models costs no tokens. Any answer except an
 * authentication refusal or a server error counts (some local servers have no /models route).
 */
export function llmProbe(endpoint: LlmEndpoint, options: { timeoutMs?: number; fetch?: typeof fetch } = {}): LlmProbe {
  const doFetch = options.fetch ?? fetch;
  return {
    kind: endpoint.kind,
    async probe() {
      if (endpoint.kind === 'rules') return;
      let response: Response;
      try {
        response = await doFetch(`${endpoint.baseUrl}/models`, {
          headers: endpoint.apiKey ? { authorization: `Bearer ${endpoint.apiKey}` } : {},
          signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
        });
        await response.body?.cancel();
      } catch (error) {
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        throw new Error(`LLM endpoint ${endpoint.baseUrl} unreachable: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
      }
      if (response.status === 401 || response.status === 403) throw new Error(`LLM endpoint ${endpoint.baseUrl} refused the API key (HTTP ${response.status})`);
      if (response.status >= 500) throw new Error(`LLM endpoint ${endpoint.baseUrl} answered HTTP ${response.status}`);
    },
  };
}
