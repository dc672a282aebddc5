import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import type { Config } from '../../config/index.js';
import { type LlmEndpoint, resolveLlmEndpoint } from '../readiness.js';
import { type CheckResult, fail, ok, warn } from './checklist.js';

const PROBE_SCHEMA = {
  type: 'object',
  properties: { ok: { type: 'boolean' } },
  required: ['ok'],
  additionalProperties: false,
} as const;

/** Newer OpenAI models refuse max_tokens and want max_completion_tokens; most other servers only know max_tokens. */
type TokenParam = 'max_tokens' | 'max_completion_tokens';

/**
 * The LLM endpoint as the classifier will use it: a one-token request (reachable, key accepted,
 * model served), then whether it accepts `response_format: json_schema`.
 */
export async function checkLlm(config: Config['classifier'], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CheckResult[]> {
  const endpoint = resolveLlmEndpoint(config, options.env);
  if (endpoint.kind === 'rules') {
    return [
      warn(
        'llm',
        config.provider === 'rules' ? 'classifier.provider is rules: no model is used' : 'no API key and no base_url: the offline rules classifier is used, which never suggests tickets on its own',
        'set OPENAI_API_KEY (or classifier.api_key), or classifier.base_url for a local server, to classify with a model',
      ),
    ];
  }
  const client = new OpenAI({
    apiKey: endpoint.apiKey ?? 'not-needed',
    baseURL: endpoint.baseUrl,
    timeout: Math.min(options.timeoutMs ?? 20_000, config.timeout),
    maxRetries: 0,
  });
  const where = `${endpoint.baseUrl} (model ${endpoint.model})`;

  let tokenParam: TokenParam = 'max_tokens';
  const oneToken = () =>
    client.chat.completions.create({
      model: endpoint.model,
      messages: [{ role: 'user', content: 'Reply with the word OK.' }],
      temperature: 0,
      [tokenParam]: 1,
    });
  try {
    try {
      await oneToken();
    } catch (error) {
      if (!(error instanceof APIError && error.status === 400 && /max_tokens/.test(error.message))) throw error;
      tokenParam = 'max_completion_tokens';
      await oneToken();
    }
  } catch (error) {
    return [fail('llm', `${where}: ${describe(error)}`, fixFor(error, endpoint))];
  }
  const results: CheckResult[] = [ok('llm', `${where} answers a one-token request`)];

  try {
    await client.chat.completions.create({
      model: endpoint.model,
      messages: [{ role: 'user', content: 'Answer {"ok": true}.' }],
      temperature: 0,
      [tokenParam]: 20,
      response_format: { type: 'json_schema', json_schema: { name: 'mailroom_doctor', strict: true, schema: PROBE_SCHEMA } },
    });
    results.push(ok('llm json_schema', 'structured output (response_format json_schema) is supported'));
  } catch (error) {
    const refused = error instanceof APIError && (error.status === 400 || error.status === 422);
    if (!refused) results.push(fail('llm json_schema', `${where}: ${describe(error)}`, fixFor(error, endpoint)));
    else if (config.response_format === 'json_schema') {
      results.push(fail('llm json_schema', `the server refuses json_schema: ${error.message}`, 'set classifier.response_format: auto (falls back to json_object, then text)'));
    } else if (config.response_format === 'auto') {
      results.push(warn('llm json_schema', `not supported (${error.message}); the classifier falls back to json_object, then text: answers are still validated, but repaired more often`));
    } else {
      results.push(ok('llm json_schema', `not supported; classifier.response_format is ${config.response_format}, so it is not needed`));
    }
  }
  return results;
}

function describe(error: unknown): string {
  if (error instanceof APIConnectionTimeoutError) return 'no answer in time';
  if (error instanceof APIConnectionError) {
    const code = (error.cause as { cause?: { code?: string }; code?: string } | undefined)?.cause?.code ?? (error.cause as { code?: string } | undefined)?.code;
    return `cannot connect${code ? ` (${code})` : ''}`;
  }
  if (error instanceof APIError) return `HTTP ${error.status ?? '?'}: ${error.message}`;
  return (error as Error).message ?? String(error);
}

function fixFor(error: unknown, endpoint: LlmEndpoint): string {
  if (error instanceof APIConnectionTimeoutError) return `check that ${endpoint.baseUrl} is up and not overloaded, or raise classifier.timeout`;
  if (error instanceof APIConnectionError) return `start the model server or correct classifier.base_url (now ${endpoint.baseUrl})`;
  if (error instanceof APIError) {
    if (error.status === 401 || error.status === 403) return 'set a valid key in OPENAI_API_KEY (or classifier.api_key)';
    if (error.status === 404)
      return `set classifier.model to a model the endpoint serves (GET ${endpoint.baseUrl}/models lists them), or correct classifier.base_url (it must end in /v1 for most servers)`;
    if (error.status === 429) return 'the account is rate-limited or out of credit: check its quota, or lower classifier.rpm';
  }
  return `check classifier.base_url, classifier.model and the server's own log`;
}
