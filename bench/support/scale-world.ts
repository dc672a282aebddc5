/**
 * A world for the scale figures: a private Dovecot with one user per generated mailbox, at its
 * stock limits raised only as the README's "Many mailboxes" section says, a throwaway PostgreSQL
 * database, optionally the fake model server, and one configuration per `mailroom run` process
 * (each its own api.listen, so /ready of each can be read). Everything on 127.0.0.1.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createPostgresDatabase, type TestDatabase } from '../../test/support/databases.js';
import { type PrivateDovecot, startDovecot } from '../../test/support/dovecot.js';
import { type FakeOpenAIServer, startFakeOpenAIServer } from '../../test/support/fake-openai-server.js';
import { type MailroomProcess, startMailroom } from './mailroom-process.js';

/**
 * README "Many mailboxes": Dovecot's high-performance login mode, so a login does not wait for a new
 * imap-login process to start (on a busy 2-core machine 0.7 s per login, 7–8 logins a second
 * however many are in flight); with it a hundred mailboxes of a dead process log in within seconds.
 */
export const README_LOGIN_SETTINGS = `
service imap-login {
  service_count = 0
  process_min_avail = 2
}
`;

/**
 * The Dovecot settings the README tells operators to raise for many mailboxes (and nothing
 * else: process limits of the login service and everything else stay stock). Keep in step with
 * README.md "Many mailboxes".
 */
export const README_DOVECOT_SETTINGS = `
# README "Many mailboxes": one imap process per watched mailbox, and every process keeps a
# connection to the log, anvil, stats and config services.
default_client_limit = 4096
service imap {
  process_limit = 4096
}
${README_LOGIN_SETTINGS}`;

const INOTIFY_INSTANCES = '/proc/sys/fs/inotify/max_user_instances';

/**
 * Dovecot's imap processes all run as one user, and each in IDLE holds an inotify instance; above
 * fs.inotify.max_user_instances (128 on many systems) Dovecot falls back to polling every 30 s
 * and new mail is heard that late. The README says to raise it; the bench does so for its run
 * (printed), and puts the old value back when it is done.
 */
export function raiseInotifyInstances(needed: number): { before: number; during: number; restore: () => void } {
  const before = Number(readFileSync(INOTIFY_INSTANCES, 'utf8').trim());
  if (before >= needed) return { before, during: before, restore: () => {} };
  try {
    writeFileSync(INOTIFY_INSTANCES, String(needed));
  } catch {
    return { before, during: before, restore: () => {} };
  }
  return { before, during: needed, restore: () => writeFileSync(INOTIFY_INSTANCES, String(before)) };
}

export const BENCH_TOKEN = 'bench-token-0123456789abcdef';

export interface ScaleWorld {
  dir: string;
  dovecot: PrivateDovecot;
  database: TestDatabase;
  llm: FakeOpenAIServer | null;
  users: string[];
  /** Where close() leaves a copy of Dovecot's log, for a look at what the server said. */
  keptLog: string;
  /** fs.inotify.max_user_instances before and during the run. */
  inotify: { before: number; during: number } | null;
  /** Starts `mailroom run` with its own API port; `remoteHost` runs it under another host name. */
  startRun(name: string, options?: { remoteHost?: string; nodeArgs?: string[] }): Promise<{ process: MailroomProcess; apiUrl: string }>;
  ready(apiUrl: string): Promise<ReadyReport | null>;
  close(): Promise<void>;
}

export interface ReadyReport {
  ready: boolean;
  ingest: { mailboxes: number; connected: number; standby: number; waiting: number; connecting: number; note: string | null; share: { processes: number; target: number; held: number } } | null;
}

export async function createScaleWorld(options: {
  mailboxes: number;
  modelLatencyMs: number | null;
  leaseTtl: string;
  sweepInterval: string;
  dovecotSettings?: string;
  inotify?: boolean;
  /** Copy each process's log here on close (to see where a figure's time went). */
  keepLogs?: string;
}): Promise<ScaleWorld> {
  const dir = mkdtempSync('/tmp/mailroom-scale-');
  const users = Array.from({ length: options.mailboxes }, (_, i) => `mb${String(i + 1).padStart(4, '0')}`);
  const dovecot = await startDovecot({ users: users.map((user) => ({ user, password: `pw-${user}` })), limits: 'stock', settings: options.dovecotSettings ?? README_DOVECOT_SETTINGS });
  const database = await createPostgresDatabase();
  const llm = options.modelLatencyMs === null ? null : await startFakeOpenAIServer({ delayMs: options.modelLatencyMs, intentProbability: 0.95 });
  const processes: MailroomProcess[] = [];
  const keptLog = `/tmp/mailroom-scale-dovecot-${options.mailboxes}.log`;
  const inotify = options.inotify === false ? null : raiseInotifyInstances(2 * options.mailboxes + 128);
  const world: ScaleWorld = {
    dir,
    keptLog,
    inotify: inotify && { before: inotify.before, during: inotify.during },
    dovecot,
    database,
    llm,
    users,
    async startRun(name, runOptions = {}) {
      const port = await freePort();
      const config = {
        database: { url: database.url },
        mailboxes: users.map((user) => ({ name: user, host: dovecot.host, port: dovecot.port, security: 'plain', user, password: `pw-${user}`, addresses: [`${user}@example.com`] })),
        ingest: { backfill: 0, lease_ttl: options.leaseTtl, sweep_interval: options.sweepInterval, keywords: false },
        classifier: llm ? { provider: 'openai', base_url: llm.url, api_key: 'bench-not-a-key', model: 'bench-model' } : { provider: 'rules' },
        drafts: { mode: 'off' },
        api: { enabled: true, listen: `127.0.0.1:${port}`, tokens: [BENCH_TOKEN] },
      };
      const configFile = join(dir, `${name}.yaml`);
      writeFileSync(configFile, stringify(config));
      const wrap = runOptions.remoteHost ? ['unshare', '--uts', '--', 'sh', '-c', `hostname ${runOptions.remoteHost} && exec "$0" "$@"`] : undefined;
      const process = startMailroom({
        args: ['--config', configFile, 'run'],
        logFile: join(dir, `${name}.log`),
        ...(wrap ? { wrap } : {}),
        ...(runOptions.nodeArgs ? { nodeArgs: runOptions.nodeArgs } : {}),
      });
      processes.push(process);
      return { process, apiUrl: `http://127.0.0.1:${port}` };
    },
    async ready(apiUrl) {
      try {
        const response = await fetch(`${apiUrl}/ready`, { headers: { authorization: `Bearer ${BENCH_TOKEN}` }, signal: AbortSignal.timeout(5000) });
        return (await response.json()) as ReadyReport;
      } catch {
        return null;
      }
    },
    async close() {
      await Promise.all(processes.map((p) => p.kill()));
      if (options.keepLogs) {
        mkdirSync(options.keepLogs, { recursive: true });
        for (const file of readdirSync(dir).filter((f) => f.endsWith('.log'))) copyFileSync(join(dir, file), join(options.keepLogs, file));
      }
      await llm?.close().catch(() => {});
      await database.drop().catch(() => {});
      try {
        copyFileSync(dovecot.logFile, keptLog);
      } catch {
        // nothing logged
      }
      await dovecot.stop().catch(() => {});
      inotify?.restore();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return world;
}

/** Login failures Dovecot logged (refused, dropped or over a limit), for the "no retry storm" figure. */
export function dovecotRefusals(logFile: string): { failedLogins: number; limitLines: number } {
  const log = readFileSync(logFile, 'utf8');
  const failedLogins = (log.match(/imap-login: Info: (Disconnected|Aborted login).*(auth attempts|queue full|Too many|Maximum)/g) ?? []).length;
  const limitLines = (log.match(/(process_limit|client_limit|Connection queue full).*reached|queue full/g) ?? []).length;
  return { failedLogins, limitLines };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
