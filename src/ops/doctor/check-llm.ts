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
 * Where a model's settings live in the configuration, so each failure names the key to change: the
 * live classifier's, or the shadow candidate's.
 */
export interface LlmKeys {
  baseUrl: string;
  model: string;
  apiKey: string;
  timeout: string;
  responseFormat: string;
  rpm: string;
}

const LIVE_KEYS: LlmKeys = {
  baseUrl: 'classifier.base_url',
  model: 'classifier.model',
  apiKey: 'OPENAI_API_KEY (or classifier.api_key)',
  timeout: 'classifier.timeout',
  responseFormat: 'classifier.response_format',
  rpm: 'classifier.rpm',
};

/** One model server to probe, as a classifier will call it. */
export interface LlmTarget {
  /** The checklist names: the first request's line, then json_schema's. */
  names: { call: string; jsonSchema: string };
  endpoint: LlmEndpoint;
  timeoutMs: number;
  responseFormat: Config['classifier']['response_format'];
  keys: LlmKeys;
}

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
  return probeLlm({ names: { call: 'llm', jsonSchema: 'llm json_schema' }, endpoint, timeoutMs: config.timeout, responseFormat: config.response_format, keys: LIVE_KEYS }, options);
}

/** Probes one model server; shared by the live classifier's check and the shadow candidate's. */
export async function probeLlm(target: LlmTarget, options: { timeoutMs?: number } = {}): Promise<CheckResult[]> {
  const { endpoint, keys, names } = target;
  const client = new OpenAI({
    apiKey: endpoint.apiKey ?? 'not-needed',
    baseURL: endpoint.baseUrl,
    timeout: Math.min(options.timeoutMs ?? 20_000, target.timeoutMs),
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
    return [fail(names.call, `${where}: ${describe(error)}`, fixFor(error, endpoint, keys))];
  }
  const results: CheckResult[] = [ok(names.call, `${where} answers a one-token request`)];

  try {
    await client.chat.completions.create({
      model: endpoint.model,
      messages: [{ role: 'user', content: 'Answer {"ok": true}.' }],
      temperature: 0,
      [tokenParam]: 20,
      response_format: { type: 'json_schema', json_schema: { name: 'mailroom_doctor', strict: true, schema: PROBE_SCHEMA } },
    });
    results.push(ok(names.jsonSchema, 'structured output (response_format json_schema) is supported'));
  } catch (error) {
    const refused = error instanceof APIError && (error.status === 400 || error.status === 422);
    if (!refused) results.push(fail(names.jsonSchema, `${where}: ${describe(error)}`, fixFor(error, endpoint, keys)));
    else if (target.responseFormat === 'json_schema') {
      results.push(fail(names.jsonSchema, `the server refuses json_schema: ${error.message}`, `set ${keys.responseFormat}: auto (falls back to json_object, then text)`));
    } else if (target.responseFormat === 'auto') {
      results.push(warn(names.jsonSchema, `not supported (${error.message}); the classifier falls back to json_object, then text: answers are still validated, but repaired more often`));
    } else {
      results.push(ok(names.jsonSchema, `not supported; ${keys.responseFormat} is ${target.responseFormat}, so it is not needed`));
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

function fixFor(error: unknown, endpoint: LlmEndpoint, keys: LlmKeys): string {
  if (error instanceof APIConnectionTimeoutError) return `check that ${endpoint.baseUrl} is up and not overloaded, or raise ${keys.timeout}`;
  if (error instanceof APIConnectionError) return `start the model server or correct ${keys.baseUrl} (now ${endpoint.baseUrl})`;
  if (error instanceof APIError) {
    if (error.status === 401 || error.status === 403) return `set a valid key in ${keys.apiKey}`;
    if (error.status === 404) return `set ${keys.model} to a model the endpoint serves (GET ${endpoint.baseUrl}/models lists them), or correct ${keys.baseUrl} (it must end in /v1 for most servers)`;
    if (error.status === 429) return `the account is rate-limited or out of credit: check its quota, or lower ${keys.rpm}`;
  }
  return `check ${keys.baseUrl}, ${keys.model} and the server's own log`;
}
