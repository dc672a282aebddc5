import type { Config } from '../../config/schema.js';
import type { ResolveHost } from '../../webhooks/ssrf-guard.js';
import { redactSecrets, secretsFromConfig } from '../redact.js';
import { checkConfig, configAdvice } from './check-config.js';
import { checkDatabase } from './check-database.js';
import { checkLlm } from './check-llm.js';
import { checkMailbox } from './check-mailbox.js';
import { skip, type CheckResult } from './check-result.js';
import { checkSubscriptions } from './check-subscriptions.js';

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
 * Runs every check in order: configuration, database and migrations, each mailbox, the LLM, each
 * subscription. Independent checks still run when one fails, so one run shows every problem.
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
    for (const mailbox of config.mailboxes) add(...(await checkMailbox(mailbox, { timeoutMs, draftsNeeded: config.drafts.mode === 'draft' })));
    add(...(await checkLlm(config.classifier, { env, timeoutMs })));
    if (opened) add(...(await checkSubscriptions(opened.db, config, { timeoutMs: Math.min(timeoutMs, config.webhooks.timeout), ...(options.resolveHost ? { resolveHost: options.resolveHost } : {}) })));
    else add(skip('subscriptions', 'not checked: the database is not usable'));
  } finally {
    await opened?.close();
  }
  return { results, exitCode: results.some((r) => r.status === 'fail') ? 1 : 0 };
}

export type { CheckResult } from './check-result.js';
export type { Config };
