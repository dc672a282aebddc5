import { DEFAULT_BASE_URL } from '../../classify/index.js';
import type { Config } from '../../config/index.js';
import { candidateName, candidateSettings } from '../../shadow/index.js';
import { probeLlm } from './check-llm.js';
import { type CheckResult, ok } from './checklist.js';

/**
 * The shadow candidate (classifier.shadow), probed as it will be called: its own server, model,
 * key and timeout, or the live ones it inherits. Nothing when no candidate is configured. A failure
 * names the classifier.shadow key to change; the key itself is never shown (run-doctor scrubs every
 * configured secret, the candidate's included).
 */
export async function checkShadow(config: Config['classifier'], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CheckResult[]> {
  const shadow = config.shadow;
  if (!shadow) return [];
  const name = `shadow ${candidateName(shadow)}`;
  if (shadow.kind === 'local') return [ok(name, 'the candidate is the local model: no server to reach (`mailroom model status` shows its state)')];
  if (shadow.kind === 'rules') return [ok(name, 'the candidate is the offline rules: no server to reach')];
  const env = options.env ?? process.env;
  const { settings, apiKey } = candidateSettings(config, shadow, env.OPENAI_API_KEY);
  const ownServer = shadow.base_url !== undefined;
  return probeLlm(
    {
      names: { call: name, jsonSchema: `${name} json_schema` },
      endpoint: { kind: 'openai', baseUrl: (settings.base_url ?? DEFAULT_BASE_URL).replace(/\/+$/, ''), model: settings.model, apiKey },
      timeoutMs: settings.timeout,
      responseFormat: settings.response_format,
      keys: {
        baseUrl: ownServer ? 'classifier.shadow.base_url' : 'classifier.shadow.base_url (empty: the live classifier.base_url)',
        model: 'classifier.shadow.model',
        // Without a key of its own the candidate sends the live key only to the live server.
        apiKey: ownServer ? 'classifier.shadow.api_key (e.g. "${SHADOW_API_KEY}")' : 'classifier.shadow.api_key, or the live OPENAI_API_KEY (or classifier.api_key)',
        timeout: 'classifier.shadow.timeout',
        responseFormat: 'classifier.shadow.response_format',
        rpm: 'classifier.shadow.rpm',
      },
    },
    options,
  );
}
