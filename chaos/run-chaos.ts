/**
 * The chaos run: messages arrive in a private Dovecot while `mailroom run` (a real process on a
 * throwaway PostgreSQL database) is SIGKILLed at seeded random moments and started again, Dovecot
 * is restarted once, the fake model fails a share of requests (500 / 429) and the receiver a share
 * of deliveries. Then the receiver heals, the run is left to settle, and the checks of
 * chaos-checks.ts decide pass or fail. Everything is on 127.0.0.1 and removed afterwards.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImapFlow } from 'imapflow';
import { stringify } from 'yaml';
import { sleep } from '../bench/support/append.js';
import { type MailroomProcess, startMailroom } from '../bench/support/mailroom-process.js';
import { seededRandom } from '../bench/support/prng.js';
import { mailboxConfig } from '../bench/support/scenario.js';
import { createPostgresDatabase, type TestDatabase } from '../test/support/databases.js';
import { type PrivateDovecot, startDovecot } from '../test/support/dovecot.js';
import { type FakeOpenAIServer, startFakeOpenAIServer } from '../test/support/fake-openai-server.js';
import { runCli } from '../test/support/run-cli.js';
import { startWebhookReceiver } from '../test/support/webhook-receiver.js';
import { type CheckRow, runChecks, unfinishedWork } from './chaos-checks.js';
import { type ChaosMessage, chaosMessages } from './chaos-messages.js';
import { chaosResponder } from './chaos-responder.js';

export interface ChaosOptions {
  messages: number;
  kills: number;
  seed: number;
  /** Share of model requests answered 500 or 429. */
  llmFailureRate?: number;
  /** Share of webhook requests answered 5xx or 429 until the run settles. */
  receiverFailureRate?: number;
  restartDovecot?: boolean;
  /** A process lives this long at most (after it logs "running") before it is killed. */
  maxUptimeMs?: number;
  /** How long the run may take to finish everything once the faults stop. */
  settleTimeoutMs?: number;
  /** Keep the run folder (config, every process's log) instead of removing it. */
  keepLogs?: boolean;
  log?: (line: string) => void;
}

export interface ChaosResult {
  ok: boolean;
  rows: CheckRow[];
  seed: number;
  seconds: number;
  /** The run folder when kept. */
  logDir: string | null;
}

const SECRET_KEY = 'mailroom-chaos-only-secret-key-0123456789';

export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const started = Date.now();
  const random = seededRandom(options.seed);
  const log = options.log ?? (() => {});
  const llmFailureRate = options.llmFailureRate ?? 0.2;
  const receiverFailureRate = options.receiverFailureRate ?? 0.3;
  const maxUptimeMs = options.maxUptimeMs ?? 6000;
  const dir = mkdtempSync('/tmp/mailroom-chaos-');
  const cleanups: Array<() => Promise<void>> = [];
  const processes: MailroomProcess[] = [];
  const rows: CheckRow[] = [];
  let keep = options.keepLogs ?? false;
  try {
    const dovecot = await startDovecot();
    cleanups.push(() => dovecot.stop());
    const database = await createPostgresDatabase();
    cleanups.push(() => database.drop());
    // Separate streams, so the messages and the fault pattern do not depend on each other's timing.
    const faultRandom = seededRandom(options.seed ^ 0x5eed);
    const llm = await startFakeOpenAIServer({ delayMs: 20, intentProbability: 0.95, responder: chaosResponder });
    cleanups.push(() => llm.close());
    let llmFaults = 0;
    llm.setFaults(() => {
      if (!faultRandom.chance(llmFailureRate)) return null;
      llmFaults++;
      return faultRandom.chance(0.5) ? { type: 'status', status: 500 } : { type: 'rate-limit', retryAfterMs: 200 };
    });
    const receiverRandom = seededRandom(options.seed ^ 0xbeef);
    let failing = true;
    const answered = new Map<number, number>();
    const receiver = await startWebhookReceiver({
      respond: (request) => {
        const status = failing && receiverRandom.chance(receiverFailureRate) ? receiverRandom.pick([500, 502, 503, 429]) : 200;
        answered.set(request.index, status);
        return { status, body: status === 200 ? 'ok' : 'try again' };
      },
    });
    cleanups.push(() => receiver.close());

    const configFile = writeConfig(dir, { dovecot, database, llm });
    const added = await runCli(['--config', configFile, 'subscriptions', 'add', receiver.url, '--description', 'chaos receiver', '--json'], {
      timeoutMs: 60_000,
    });
    if (added.code !== 0) throw new Error(`mailroom subscriptions add failed (exit ${added.code}): ${added.stderr}`);
    receiver.secrets = [(JSON.parse(added.stdout.trim()) as { secret: string }).secret];

    const messages = chaosMessages(options.messages, random, `${options.seed}.${Date.now().toString(36)}`);
    let generation = 0;
    const start = () => {
      generation++;
      const p = startMailroom({ args: ['--config', configFile, 'run'], logFile: join(dir, `run-${generation}.log`) });
      processes.push(p);
      log(`started mailroom run #${generation} (pid ${p.pid})`);
      return p;
    };

    // Messages arrive over the time the kills take, so every kill lands on work in progress.
    const appendWindowMs = Math.max(5000, options.kills * 5000);
    const appender = startAppender(dovecot, messages, appendWindowMs, random, log);
    const restartAt = options.restartDovecot === false ? -1 : random.int(1, Math.max(1, options.kills));
    let dovecotRestarts = 0;
    const restartDovecot = async () => {
      await appender.pause();
      log('restarting Dovecot');
      await dovecot.restart();
      dovecotRestarts++;
      appender.resume();
    };

    let run = start();
    const unexpectedExits: string[] = [];
    for (let k = 1; k <= options.kills; k++) {
      await run.running.catch((error: Error) => unexpectedExits.push(`#${generation}: ${error.message.split('\n')[0]}`));
      const uptime = random.int(0, maxUptimeMs);
      if (k === restartAt) {
        await sleep(uptime / 2);
        await restartDovecot();
        await sleep(uptime / 2);
      } else {
        await sleep(uptime);
      }
      if (run.child.exitCode !== null) unexpectedExits.push(`#${generation} exited by itself (code ${run.child.exitCode}): ${run.tail(3)}`);
      const work = await unfinishedWork(database.db);
      log(
        `SIGKILL #${k} to run #${generation} after ${uptime} ms (decided ${work.decided}, pending: ${work.pendingMessages} messages, ${work.pendingDeliveries} deliveries, ${work.pendingDrafts} drafts)`,
      );
      await run.kill();
      run = start();
    }
    if (restartAt > options.kills && options.restartDovecot !== false) await restartDovecot();
    await appender.done;
    await run.running.catch((error: Error) => unexpectedExits.push(`#${generation}: ${error.message.split('\n')[0]}`));
    failing = false;
    log('all messages appended and every kill done; the receiver answers 200 from now on, waiting for the run to settle');

    const settleDeadline = Date.now() + (options.settleTimeoutMs ?? 300_000);
    let settled = false;
    for (;;) {
      const work = await unfinishedWork(database.db);
      if (work.decided >= messages.length && work.pendingMessages === 0 && work.pendingDeliveries === 0 && work.pendingDrafts === 0) {
        settled = true;
        break;
      }
      if (Date.now() > settleDeadline) {
        log(`not settled in time: decided ${work.decided}/${messages.length}, pending: ${work.pendingMessages} messages, ${work.pendingDeliveries} deliveries, ${work.pendingDrafts} drafts`);
        break;
      }
      if (run.child.exitCode !== null) {
        unexpectedExits.push(`#${generation} exited by itself while settling (code ${run.child.exitCode}): ${run.tail(3)}`);
        run = start();
      }
      await sleep(500);
    }
    // Anything late (a retried delivery in flight) has a moment to land before the checks read.
    await sleep(1500);
    const stopped = await run.stop();

    rows.push({
      check: 'faults injected as asked',
      ok: processes.length === options.kills + 1 && dovecotRestarts === (options.restartDovecot === false ? 0 : 1),
      detail: `${options.kills} SIGKILLs (${processes.length} processes), ${dovecotRestarts} Dovecot restart, ${llmFaults} of ${llm.totalRequests} model requests failed, ${[...answered.values()].filter((s) => s !== 200).length} of ${receiver.requests.length} webhook requests refused`,
    });
    rows.push({ check: 'no process died on its own', ok: unexpectedExits.length === 0, detail: unexpectedExits.length ? unexpectedExits.join('; ') : 'none' });
    rows.push({
      check: 'settled: everything done once the receiver answers',
      ok: settled,
      detail: settled ? `after ${Math.round((Date.now() - started) / 1000)} s in all` : 'timed out (see the detail rows)',
    });
    rows.push(...(await runChecks({ db: database.db, dovecot, user: dovecot.users[0]!.user, messages, requests: receiver.requests, answered })));
    rows.push({
      check: 'last process stops cleanly on SIGTERM',
      ok: stopped.code === 0,
      detail: `exit code ${stopped.code}${stopped.signal ? `, signal ${stopped.signal}` : ''}`,
    });
  } catch (error) {
    rows.push({ check: 'chaos run completed', ok: false, detail: (error as Error).stack ?? String(error) });
  } finally {
    await Promise.all(processes.map((p) => p.kill()));
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  }
  const ok = rows.length > 0 && rows.every((r) => r.ok);
  if (!ok) keep = true;
  if (!keep) rmSync(dir, { recursive: true, force: true });
  return { ok, rows, seed: options.seed, seconds: (Date.now() - started) / 1000, logDir: keep ? dir : null };
}

function writeConfig(dir: string, world: { dovecot: PrivateDovecot; database: TestDatabase; llm: FakeOpenAIServer }): string {
  const file = join(dir, 'mailroom.yaml');
  writeFileSync(
    file,
    stringify({
      database: { url: world.database.url },
      mailboxes: [mailboxConfig(world.dovecot)],
      // backfill: messages appended before the first process made its cursor are still taken.
      ingest: { backfill: '1d', sweep_interval: '5s' },
      classifier: { provider: 'openai', base_url: world.llm.url, api_key: 'chaos-not-a-key', model: 'chaos-model', concurrency: 4, timeout: '5s' },
      drafts: { mode: 'draft' },
      // A short schedule with many attempts: at a 30 % failure rate, ten refusals in a row are ~6 in a million.
      webhooks: {
        allow_http: true,
        allow_private_networks: true,
        secret_key: SECRET_KEY,
        timeout: '3s',
        poll_interval: '200ms',
        schedule: [0, '500ms', '1s', '2s', '2s', '3s', '3s', '3s', '3s', '3s'],
      },
      api: { enabled: false },
    }),
  );
  return file;
}

interface Appender {
  done: Promise<void>;
  /** Resolves once no APPEND is in flight; appending waits until resume(). */
  pause(): Promise<void>;
  resume(): void;
}

/** APPENDs the messages one at a time, spread over `windowMs` with seeded jitter, over one connection. */
function startAppender(dovecot: PrivateDovecot, messages: readonly ChaosMessage[], windowMs: number, random: ReturnType<typeof seededRandom>, log: (line: string) => void): Appender {
  let gate: Promise<void> | null = null;
  let openGate: () => void = () => {};
  let idle: Promise<void> = Promise.resolve();
  let client: ImapFlow | null = null;
  const user = dovecot.users[0]!.user;
  const gap = windowMs / Math.max(1, messages.length);
  const done = (async () => {
    try {
      for (const message of messages) {
        while (gate !== null) await gate;
        let finished: () => void = () => {};
        idle = new Promise<void>((resolve) => (finished = resolve));
        try {
          for (let attempt = 1; ; attempt++) {
            try {
              client ??= await dovecot.client(user);
              await client.append('INBOX', message.raw);
              break;
            } catch (error) {
              // A retried APPEND may store a second copy; Mailroom stores identical bytes once, which is part of what is checked.
              client?.close();
              client = null;
              if (attempt >= 20) throw error;
              log(`APPEND of message #${message.index} failed (${(error as Error).message}); retrying`);
              await sleep(250);
            }
          }
        } finally {
          finished();
        }
        await sleep(gap * (0.5 + random.next()));
      }
    } finally {
      await client?.logout().catch(() => client?.close());
    }
  })();
  return {
    done,
    async pause() {
      gate ??= new Promise<void>((resolve) => (openGate = resolve));
      await idle;
      // The restart drops the session: reconnect afterwards rather than find out on the next APPEND.
      client?.close();
      client = null;
    },
    resume() {
      const open = openGate;
      gate = null;
      open();
    },
  };
}

/** The pass/fail table. */
export function renderChaosTable(result: ChaosResult): string {
  const width = Math.max(...result.rows.map((r) => r.check.length));
  const lines = result.rows.map((r) => `${r.ok ? 'PASS' : 'FAIL'}  ${r.check.padEnd(width)}  ${r.detail}`);
  return [...lines, '', `${result.ok ? 'PASS' : 'FAIL'} — seed ${result.seed}, ${Math.round(result.seconds)} s${result.logDir ? `; logs in ${result.logDir}` : ''}`].join('\n');
}
