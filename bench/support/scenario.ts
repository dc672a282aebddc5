/**
 * One throwaway world for a measurement: a private Dovecot, a fresh database (a throwaway
 * PostgreSQL database or a PGlite folder), the fake OpenAI server, a webhook receiver subscribed
 * through `mailroom subscriptions add`, and the YAML that `mailroom run` reads. Everything is on
 * 127.0.0.1 and everything is removed by `close()`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createPostgresDatabase, type TestDatabase } from '../../test/support/databases.js';
import { type PrivateDovecot, type StartDovecotOptions, startDovecot } from '../../test/support/dovecot.js';
import { type FakeOpenAIServer, type FakeOpenAIServerOptions, startFakeOpenAIServer } from '../../test/support/fake-openai-server.js';
import { runCli } from '../../test/support/run-cli.js';
import { type ReceiverOptions, startWebhookReceiver, type WebhookReceiver } from '../../test/support/webhook-receiver.js';
import { type MailroomProcess, startMailroom } from './mailroom-process.js';

export type DatabaseKind = 'pglite' | 'postgres';

/** Not a secret worth protecting: it only encrypts the throwaway subscription of a bench run. */
const BENCH_SECRET_KEY = 'mailroom-bench-only-secret-key-0123456789';

export interface ScenarioOptions {
  database: DatabaseKind;
  /** How the private Dovecot is configured (e.g. a lazy IDLE). */
  dovecot?: StartDovecotOptions;
  llm?: FakeOpenAIServerOptions;
  receiver?: ReceiverOptions;
  /** Merged over the bench defaults (classifier → fake server, drafts off, API off). */
  config?: (world: { dovecot: PrivateDovecot; llmUrl: string; databaseUrl: string | null; pglitePath: string }) => Record<string, unknown>;
}

export interface Scenario {
  dir: string;
  dovecot: PrivateDovecot;
  /** The throwaway PostgreSQL database (null on PGlite, which only the mailroom process opens). */
  database: TestDatabase | null;
  llm: FakeOpenAIServer;
  receiver: WebhookReceiver;
  configFile: string;
  /** Starts `mailroom run` on this scenario's configuration. */
  startRun(name?: string): MailroomProcess;
  close(): Promise<void>;
}

export function mailboxConfig(dovecot: PrivateDovecot, user = dovecot.users[0]!) {
  return {
    name: 'support',
    host: dovecot.host,
    port: dovecot.port,
    security: 'plain',
    user: user.user,
    password: user.password,
    addresses: ['support@example.com'],
  };
}

export async function createScenario(options: ScenarioOptions): Promise<Scenario> {
  const dir = mkdtempSync('/tmp/mailroom-bench-');
  const opened: Array<() => Promise<void>> = [];
  const processes: MailroomProcess[] = [];
  try {
    const dovecot = await startDovecot(options.dovecot);
    opened.push(() => dovecot.stop());
    const database = options.database === 'postgres' ? await createPostgresDatabase() : null;
    if (database) opened.push(() => database.drop());
    const llm = await startFakeOpenAIServer(options.llm ?? {});
    opened.push(() => llm.close());
    const receiver = await startWebhookReceiver(options.receiver ?? {});
    opened.push(() => receiver.close());
    const pglitePath = join(dir, 'pglite');
    const base = {
      database: database ? { url: database.url } : { path: pglitePath },
      mailboxes: [mailboxConfig(dovecot)],
      ingest: { backfill: '1d' },
      classifier: { provider: 'openai', base_url: llm.url, api_key: 'bench-not-a-key', model: 'bench-model' },
      drafts: { mode: 'off' },
      webhooks: { allow_http: true, allow_private_networks: true, secret_key: BENCH_SECRET_KEY },
      api: { enabled: false },
    };
    const extra = options.config?.({ dovecot, llmUrl: llm.url, databaseUrl: database?.url ?? null, pglitePath }) ?? {};
    const configFile = join(dir, 'mailroom.yaml');
    writeFileSync(configFile, stringify(mergeSections(base, extra)));

    const added = await runCli(['--config', configFile, 'subscriptions', 'add', receiver.url, '--description', 'bench receiver', '--json'], {
      timeoutMs: 120_000,
    });
    if (added.code !== 0) throw new Error(`mailroom subscriptions add failed (exit ${added.code}): ${added.stderr}`);
    receiver.secrets = [(JSON.parse(added.stdout.trim()) as { secret: string }).secret];

    return {
      dir,
      dovecot,
      database,
      llm,
      receiver,
      configFile,
      startRun(name = 'run') {
        const p = startMailroom({
          args: ['--config', configFile, 'run'],
          // MAILROOM_BENCH_LOG_DIR keeps the run's log after the bench (its folder is removed): where the first seconds went.
          logFile: join(process.env.MAILROOM_BENCH_LOG_DIR ?? dir, `${name}.log`),
          // For profiling a bench run, e.g. MAILROOM_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof".
          nodeArgs: (process.env.MAILROOM_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
        });
        processes.push(p);
        return p;
      },
      async close() {
        await Promise.all(processes.map((p) => p.kill()));
        for (const close of opened.reverse()) await close().catch(() => {});
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    for (const close of opened.reverse()) await close().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** Shallow merge per top-level section, so `{ classifier: { concurrency: 8 } }` keeps the base URL. */
export function mergeSections(base: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const current = out[key];
    out[key] =
      value && typeof value === 'object' && !Array.isArray(value) && current && typeof current === 'object' && !Array.isArray(current) ? { ...(current as object), ...(value as object) } : value;
  }
  return out;
}
