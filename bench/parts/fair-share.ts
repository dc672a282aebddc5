/**
 * Several `mailroom run` processes sharing one set of generated mailboxes: the first alone, a
 * second joins, then a third (under another host name, in a UTS namespace of its own, so the
 * others cannot see its pid); each one's share 2 × lease_ttl after it joined; then a SIGKILL of a
 * process on the same host and of the "remote" one, timed until every mailbox has a session on
 * the server again. Mail arrives throughout by local delivery (doveadm save: no IMAP session of
 * its own), so the server's log holds only Mailroom's sessions, and they are checked for two of
 * one mailbox at once; every message must be stored and decided exactly once.
 */
import { sql } from 'kysely';
import { sessionOverlaps, watchSessions } from '../../test/support/dovecot-sessions.js';
import { sleep } from '../support/append.js';
import type { MailroomProcess } from '../support/mailroom-process.js';
import { seededRandom } from '../support/prng.js';
import { createScaleWorld, type ScaleWorld } from '../support/scale-world.js';

export interface FairShareResult {
  mailboxes: number;
  loginMode?: string;
  leaseTtlSeconds: number;
  firstAllConnectedSeconds: number | null;
  phases: Array<{ processes: number; shares: number[]; fairShare: number; worstDeviation: number }>;
  kills: Array<{ sameHost: boolean; held: number; secondsToAllWatched: number | null }>;
  sessions: number;
  overlaps: number;
  overlapExamples: unknown[];
  samples: number;
  doubledIdle: number;
  doubled: number;
  delivered: number;
  stored: number;
  decided: number;
  storedTwice: number;
  decidedTwice: number;
  undecided: number;
}

export async function runFairShare(options: { mailboxes: number; leaseTtl: string; dovecotSettings?: string; keepLogs?: string }, log: (line: string) => void): Promise<FairShareResult> {
  const ttlMs = parseTtl(options.leaseTtl);
  const world = await createScaleWorld({
    mailboxes: options.mailboxes,
    modelLatencyMs: null,
    leaseTtl: options.leaseTtl,
    sweepInterval: '60s',
    ...(options.dovecotSettings !== undefined ? { dovecotSettings: options.dovecotSettings } : {}),
    ...(options.keepLogs ? { keepLogs: options.keepLogs } : {}),
  });
  const users = new Set(world.users);
  const startedAt = Date.now();
  const sampler = watchSessions(world.dovecot.port, 200, users);
  const delivered: string[] = [];
  let delivering = true;
  const random = seededRandom(21);
  // From the first process's full connection on: mail older than a mailbox's first start is not ours (ingest.backfill 0).
  let trickle: Promise<void> = Promise.resolve();
  const startTrickle = () =>
    (trickle = (async () => {
      for (let i = 0; delivering; i++) {
        const user = random.pick(world.users);
        const id = `<share.${i}.${startedAt.toString(36)}@bench.mailroom>`;
        await world.dovecot.deliver(
          user,
          `From: Customer <c${i}@example.org>\r\nTo: ${user}@example.com\r\nSubject: question ${i}\r\nMessage-ID: ${id}\r\nDate: ${new Date().toUTCString()}\r\n\r\nHello, how do I export my invoices? (${i})\r\n`,
        );
        delivered.push(id);
        await sleep(500);
      }
    })());
  try {
    const runs: Array<{ name: string; process: MailroomProcess; apiUrl: string }> = [];
    const start = async (name: string, remoteHost?: string) => {
      const started = await world.startRun(name, remoteHost ? { remoteHost } : {});
      runs.push({ name, ...started });
      await started.process.running;
      return started;
    };
    const a = await start('a');
    const aStarted = Date.now();
    const first = await waitForAll(world, () => runs.filter((r) => r.process.child.exitCode === null), options.mailboxes, 180_000);
    log(`first process: all ${options.mailboxes} connected ${first ? `after ${((first - aStarted) / 1000).toFixed(1)} s` : '— not within 180 s'}`);
    startTrickle();

    const phases: FairShareResult['phases'] = [];
    for (const [name, remote] of [
      ['b', undefined],
      ['c', 'mailroom-bench-remote'],
    ] as const) {
      await start(name, remote);
      log(`process ${name}${remote ? ` (host name ${remote})` : ''} joined; waiting 2 × lease_ttl`);
      await sleep(2 * ttlMs);
      const shares: number[] = [];
      for (const run of runs) shares.push((await world.ready(run.apiUrl))?.ingest?.connected ?? 0);
      const fair = options.mailboxes / runs.length;
      const worstDeviation = Math.max(...shares.map((s) => Math.abs(s - fair) / fair));
      phases.push({ processes: runs.length, shares, fairShare: Math.round(fair * 10) / 10, worstDeviation });
      log(`${runs.length} processes: ${shares.join(' / ')} connected (fair ${fair.toFixed(1)})`);
    }

    const kills: FairShareResult['kills'] = [];
    for (const [victim, sameHost] of [
      [a, true],
      [runs.find((r) => r.name === 'c')!, false],
    ] as const) {
      const held = (await world.ready(victim.apiUrl))?.ingest?.connected ?? 0;
      const killedAt = Date.now();
      await victim.process.kill();
      const allAt = await waitUntilWatched(sampler, options.mailboxes, killedAt, 3 * ttlMs);
      const seconds = allAt === null ? null : (allAt - killedAt) / 1000;
      kills.push({ sameHost, held, secondsToAllWatched: seconds });
      log(`SIGKILL of a process ${sameHost ? 'on this host' : 'on "another host"'} holding ${held}: ${seconds === null ? 'not all watched again' : `all watched again after ${seconds.toFixed(1)} s`}`);
      await sleep(3000);
    }

    delivering = false;
    await trickle;
    const survivor = runs.find((r) => r.name === 'b')!;
    const deadline = Date.now() + 120_000;
    let decided = 0;
    while (Date.now() < deadline) {
      decided = await decidedCount(world, delivered);
      if (decided >= delivered.length) break;
      await sleep(500);
    }
    await survivor.process.stop();
    const seen = sampler.stop();
    const overlaps = sessionOverlaps(world.dovecot.logFile, users);
    const counts = await messageCounts(world, delivered);
    return {
      mailboxes: options.mailboxes,
      leaseTtlSeconds: ttlMs / 1000,
      firstAllConnectedSeconds: first ? (first - aStarted) / 1000 : null,
      phases,
      kills,
      sessions: overlaps.sessions,
      overlaps: overlaps.overlaps.length,
      overlapExamples: overlaps.overlaps.slice(0, 5),
      samples: seen.samples,
      doubledIdle: seen.doubledIdle.length,
      doubled: seen.doubled.length,
      delivered: delivered.length,
      ...counts,
    };
  } finally {
    delivering = false;
    sampler.stop();
    await trickle.catch(() => {});
    await world.close();
  }
}

async function waitForAll(world: ScaleWorld, runs: () => Array<{ apiUrl: string }>, total: number, timeoutMs: number): Promise<number | null> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    let connected = 0;
    for (const run of runs()) connected += (await world.ready(run.apiUrl))?.ingest?.connected ?? 0;
    if (connected >= total) return Date.now();
    await sleep(250);
  }
  return null;
}

/**
 * Every mailbox has a session on the server again (the server's view, not Mailroom's), read from
 * the sampler's scans (every 200 ms) rather than scans of its own: a scan of /proc costs 20–50 ms
 * of CPU, and scanning ten times a second on a 2-core machine slowed the very logins being timed.
 */
async function waitUntilWatched(sampler: ReturnType<typeof watchSessions>, total: number, killedAt: number, timeoutMs: number): Promise<number | null> {
  const deadline = Date.now() + timeoutMs;
  // The killed process's sessions end when the kernel closes its sockets and Dovecot notices (up to
  // 2 s on a busy machine): first their end is seen, then every mailbox with a session again.
  let dropped = false;
  while (Date.now() < deadline) {
    const last = sampler.last();
    if (last.at > killedAt && last.withSession < total) dropped = true;
    if (dropped && last.withSession >= total) return last.at;
    await sleep(50);
  }
  return null;
}

async function decidedCount(world: ScaleWorld, messageIds: string[]): Promise<number> {
  const { rows } = await sql<{ n: string }>`
    select count(distinct m.message_id) as n from messages m join decisions d on d.email_id = m.id
     where m.message_id = any(${messageIds}::text[])`.execute(world.database.db);
  return Number(rows[0]?.n ?? 0);
}

async function messageCounts(world: ScaleWorld, messageIds: string[]) {
  const db = world.database.db;
  const { rows } = await sql<{ stored: string; stored_twice: string; decided: string; decided_twice: string }>`
    with m as (select id, message_id from messages where message_id = any(${messageIds}::text[])),
         per_message as (select message_id, count(*) as n from m group by message_id),
         per_decision as (select d.email_id, count(*) as n from decisions d join m on m.id = d.email_id group by d.email_id)
    select (select count(*) from per_message) as stored,
           (select count(*) from per_message where n > 1) as stored_twice,
           (select count(*) from per_decision) as decided,
           (select count(*) from per_decision where n > 1) as decided_twice`.execute(db);
  const r = rows[0]!;
  const decided = Number(r.decided);
  return { stored: Number(r.stored), storedTwice: Number(r.stored_twice), decided, decidedTwice: Number(r.decided_twice), undecided: messageIds.length - decided };
}

function parseTtl(text: string): number {
  const match = /^(\d+)(ms|s|m)?$/.exec(text.trim());
  if (!match) throw new Error(`--lease-ttl: expected e.g. 30s, got "${text}"`);
  const n = Number(match[1]);
  return match[2] === 'ms' ? n : match[2] === 'm' ? n * 60_000 : n * 1000;
}
