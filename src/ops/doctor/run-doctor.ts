import { type Config, ConfigError, loadConfig } from '../../config/index.js';
import type { ResolveHost } from '../../webhooks/index.js';
import { redactSecrets, secretsFromConfig } from '../redact.js';
import { checkDatabase } from './check-database.js';
import { checkLlm } from './check-llm.js';
import { checkMailbox } from './check-mailbox.js';
import { checkShadow } from './check-shadow.js';
import { checkSubscriptions } from './check-subscriptions.js';
import { type CheckResult, fail, ok, skip, warn } from './checklist.js';

export interface DoctorOptions {
  configPath?: string;
  env?: NodeJS.ProcessEnv;
  /** Bound on each network check. Default 15 s. */
  timeoutMs?: number;
  resolveHost?: ResolveHost;
  /** Called with each result as soon as it is known (the checklist prints as it goes). */
  onResult?: (result: CheckResult) => void;
}

export interface DoctorReport {
  results: CheckResult[];
  /** 0: all passed (warnings allowed); 1: a check failed; 2: the configuration is invalid. */
  exitCode: 0 | 1 | 2;
}

/**
 * Runs every check in order: configuration, database and migrations, each mailbox, the LLM, the
 * shadow candidate, each subscription. Independent checks still run when one fails, so one run shows every problem.
 * Details are scrubbed of configured secrets: library messages sometimes repeat what they were given.
 */
export async function runDoctor(options: DoctorOptions = {}): Promise<DoctorReport> {
  const env = options.env ?? process.env;
  const results: CheckResult[] = [];
  let scrub = (text: string) => text;
  const add = (...found: CheckResult[]) => {
    for (const result of found) {
      const clean = { ...result, detail: scrub(result.detail), ...(result.fix ? { fix: scrub(result.fix) } : {}) };
      results.push(clean);
      options.onResult?.(clean);
    }
  };

  const { result, config } = checkConfig(options.configPath, env);
  if (!config) {
    add(result);
    return { results, exitCode: 2 };
  }
  const secrets = secretsFromConfig(config, env);
  scrub = (text) => redactSecrets(text, secrets);
  add(result, ...configAdvice(config));

  const timeoutMs = options.timeoutMs ?? 15_000;
  const { results: dbResults, opened } = await checkDatabase(config, { timeoutMs });
  add(...dbResults);
  try {
    for (const mailbox of config.mailboxes) add(...(await checkMailbox(mailbox, { timeoutMs, draftsNeeded: config.drafts.mode === 'draft', keywords: config.ingest.keywords })));
    add(...(await checkLlm(config.classifier, { env, timeoutMs })));
    add(...(await checkShadow(config.classifier, { env, timeoutMs })));
    if (opened && !opened.schemaReady) add(skip('subscriptions', 'not checked: the database migrations are not all applied (see above)'));
    else if (opened)
      add(
        ...(await checkSubscriptions(opened.db, config, {
          timeoutMs: Math.min(timeoutMs, config.webhooks.timeout),
          ...(options.resolveHost ? { resolveHost: options.resolveHost } : {}),
        })),
      );
    else add(skip('subscriptions', 'not checked: the database is not usable'));
  } finally {
    await opened?.close();
  }
  return { results, exitCode: results.some((r) => r.status === 'fail') ? 1 : 0 };
}

export type { CheckResult } from './checklist.js';
export type { Config };

/** Loads the configuration; on failure the other checks cannot run. */
export function checkConfig(configPath: string | undefined, env: NodeJS.ProcessEnv): { result: CheckResult; config: Config | null } {
  try {
    const { config, path } = loadConfig(configPath, env);
    return { result: ok('configuration', path ? `${path} is valid` : 'no file given: built-in defaults (set --config or MAILROOM_CONFIG)'), config };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return {
      result: fail('configuration', error.message, 'correct the key named above (config/example.yaml documents every key), then run `mailroom doctor` again'),
      config: null,
    };
  }
}

/** Settings that are valid but probably not what the operator wants. */
export function configAdvice(config: Config): CheckResult[] {
  const advice: CheckResult[] = [];
  if (config.mailboxes.length === 0)
    advice.push(warn('mailboxes', 'no mailboxes configured: `mailroom run` will only process stored messages', 'add a mailboxes: entry (host, user, password: "${IMAP_PASSWORD}")'));
  if (config.api.enabled && config.api.tokens.length === 0) {
    advice.push(warn('api tokens', 'api.tokens is empty: /v1 answers 401 to everyone and /metrics is open', 'add api.tokens: ["${MAILROOM_API_TOKEN}"] (16+ random characters each)'));
  }
  return advice;
}
