/**
 * One `mailroom run` process with many generated mailboxes on a private Dovecot at its stock
 * limits raised only as the README says: how long until every mailbox is connected (read from
 * /ready), how many logins the server refused meanwhile, RSS and CPU while idle, and APPEND →
 * decision for messages APPENDed one at a time to random mailboxes.
 */
import { readFileSync } from 'node:fs';
import { sleep, withTimeout } from '../support/append.js';
import type { DecidedLine } from '../support/mailroom-process.js';
import { seededRandom } from '../support/prng.js';
import { createScaleWorld, dovecotRefusals } from '../support/scale-world.js';
import { percentile } from '../support/stats.js';

export interface ManyMailboxesOptions {
  mailboxes: number;
  modelLatencyMs: number;
  latencyCount: number;
  idleSeconds: number;
  sweepInterval: string;
  dovecotSettings?: string;
  /** Leave fs.inotify.max_user_instances as it is (to see what the stock value does). */
  keepInotify?: boolean;
}

export interface ManyMailboxesResult {
  mailboxes: number;
  inotifyInstances: { before: number; during: number } | null;
  allConnected: boolean;
  connectedAtEnd: number;
  secondsToAllConnected: number | null;
  readyNoteWhileConnecting: string | null;
  refusedLogins: { failedLogins: number; limitLines: number };
  rssMb: { idle: number; peak: number };
  idleCpuPercent: number;
  idleSeconds: number;
  sweepInterval: string;
  modelLatencyMs: number;
  toDecisionMs: { p50: number; p95: number; max: number; messages: number };
}

function supportRequest(i: number, tag: string): string {
  return [
    `From: Customer ${i} <customer${i}@example.org>`,
    'To: support@example.com',
    `Subject: Login error ${i} since this morning`,
    `Message-ID: <scale.${i}.${tag}@bench.mailroom>`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Hello, since this morning the login shows error ${i} after I enter my password. Can you help?`,
    '',
  ].join('\r\n');
}

export async function runManyMailboxes(options: ManyMailboxesOptions, log: (line: string) => void): Promise<ManyMailboxesResult> {
  const world = await createScaleWorld({
    mailboxes: options.mailboxes,
    modelLatencyMs: options.modelLatencyMs,
    leaseTtl: '30s',
    sweepInterval: options.sweepInterval,
    ...(options.dovecotSettings !== undefined ? { dovecotSettings: options.dovecotSettings } : {}),
    inotify: !options.keepInotify,
  });
  if (world.inotify) log(`fs.inotify.max_user_instances ${world.inotify.before}${world.inotify.during !== world.inotify.before ? ` → ${world.inotify.during} for this run (README)` : ''}`);
  try {
    const { process: run, apiUrl } = await world.startRun('one');
    const started = await run.running;
    let note: string | null = null;
    let connected = 0;
    let allAt: number | null = null;
    const deadline = Date.now() + 180_000;
    while (Date.now() < deadline) {
      const ready = await world.ready(apiUrl);
      connected = ready?.ingest?.connected ?? 0;
      if (ready?.ingest && ready.ingest.waiting > 0 && note === null) note = ready.ingest.note;
      if (connected === options.mailboxes) {
        allAt = Date.now();
        break;
      }
      await sleep(250);
    }
    log(`${connected} of ${options.mailboxes} connected${allAt ? ` after ${((allAt - started) / 1000).toFixed(1)} s` : ' (timed out)'}`);

    // Idle: every mailbox connected and in IDLE, nothing arriving.
    await sleep(10_000);
    const cpu0 = run.cpuMs() ?? 0;
    const t0 = Date.now();
    await sleep(options.idleSeconds * 1000);
    const idleCpuPercent = (((run.cpuMs() ?? 0) - cpu0) / (Date.now() - t0)) * 100;
    const idleRss = rssMb(run.pid);
    log(`idle: ${idleCpuPercent.toFixed(1)} % CPU over ${options.idleSeconds} s, RSS ${idleRss.toFixed(0)} MB`);

    const random = seededRandom(42);
    const toDecision: number[] = [];
    const tag = Date.now().toString(36);
    for (let i = 0; i < options.latencyCount; i++) {
      const user = random.pick(world.users);
      const imap = await world.dovecot.client(user);
      const decided = new Promise<DecidedLine>((resolve) => (run.onDecided = resolve));
      const at = Date.now();
      await imap.append('INBOX', supportRequest(i, tag));
      const line = await withTimeout(decided, 60_000, () => `message ${i} to ${user} was not decided within 60 s; last lines:\n${run.tail()}`);
      toDecision.push(line.time - at);
      await imap.logout().catch(() => imap.close());
      await sleep(50);
    }
    run.onDecided = null;
    log(`APPEND → decision: p50 ${percentile(toDecision, 50)} ms, p95 ${percentile(toDecision, 95)} ms`);
    const peak = (run.peakRssBytes() ?? 0) / 1024 ** 2;
    const stopped = await run.stop();
    if (stopped.code !== 0) log(`mailroom run exited with ${stopped.code} (signal ${stopped.signal}); last lines:\n${run.tail()}`);
    return {
      mailboxes: options.mailboxes,
      inotifyInstances: world.inotify,
      allConnected: allAt !== null,
      connectedAtEnd: connected,
      secondsToAllConnected: allAt ? (allAt - started) / 1000 : null,
      readyNoteWhileConnecting: note,
      refusedLogins: dovecotRefusals(world.dovecot.logFile),
      rssMb: { idle: idleRss, peak },
      idleCpuPercent,
      idleSeconds: options.idleSeconds,
      sweepInterval: options.sweepInterval,
      modelLatencyMs: options.modelLatencyMs,
      toDecisionMs: { p50: percentile(toDecision, 50), p95: percentile(toDecision, 95), max: Math.max(...toDecision), messages: toDecision.length },
    };
  } finally {
    await world.close();
  }
}

function rssMb(pid: number): number {
  try {
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}
