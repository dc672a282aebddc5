import { ConfigError } from '../../config/config-error.js';
import { loadConfig } from '../../config/load-config.js';
import type { Config } from '../../config/schema.js';
import { fail, ok, warn, type CheckResult } from './check-result.js';

/** Loads the configuration; on failure the other checks cannot run. */
export function checkConfig(configPath: string | undefined, env: NodeJS.ProcessEnv): { result: CheckResult; config: Config | null } {
  try {
    const { config, path } = loadConfig(configPath, env);
    return { result: ok('configuration', path ? `${path} is valid` : 'no file given: built-in defaults (set --config or MAILROOM_CONFIG)'), config };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { result: fail('configuration', error.message, 'correct the key named above (config/example.yaml documents every key), then run `mailroom doctor` again'), config: null };
  }
}

/** Settings that are valid but probably not what the operator wants. */
export function configAdvice(config: Config): CheckResult[] {
  const advice: CheckResult[] = [];
  if (config.mailboxes.length === 0) advice.push(warn('mailboxes', 'no mailboxes configured: `mailroom run` will only process stored messages', 'add a mailboxes: entry (host, user, password: "${IMAP_PASSWORD}")'));
  if (config.api.enabled && config.api.tokens.length === 0) {
    advice.push(warn('api tokens', 'api.tokens is empty: /v1 answers 401 to everyone and /metrics is open', 'add api.tokens: ["${MAILROOM_API_TOKEN}"] (16+ random characters each)'));
  }
  return advice;
}
