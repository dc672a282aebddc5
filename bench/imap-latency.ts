/**
 * IMAP ingestion against a private Dovecot:
 *  1. APPEND → stored and APPEND → decided latency (p50/p95), one message at a time, the watcher
 *     hearing about each through IDLE only (sweep interval 10 min), rules classifier;
 *  2. a backlog taken with ingest.backfill: messages/s and peak RSS of this process.
 * Run: npx tsx bench/imap-latency.ts [latencyCount=100] [backlog=2000] [pglite|postgres]
 * (postgres uses a throwaway database on 127.0.0.1:5432, like the tests.)
 */
import { sql } from 'kysely';
import { createRulesClassifier } from '../src/classify/rules-classifier.js';
import { configSchema } from '../src/config/index.js';
import { startMailboxWatchers } from '../src/ingest/index.js';
import { createPipelineContext, type DecisionEffect, startPipelineWorker } from '../src/pipeline/index.js';
import { systemClock } from '../src/util/clock.js';
import { silentLogger } from '../src/util/logger.js';
import { appendMany, makeMessage } from '../test/ingest/helpers.js';
import { createPGliteDatabase, createPostgresDatabase } from '../test/support/databases.js';
import { dovecotUnavailable, startDovecot } from '../test/support/dovecot.js';

const [countArg, backlogArg, kindArg] = process.argv.slice(2);
const latencyCount = Number(countArg ?? 100);
const backlog = Number(backlogArg ?? 2000);
const kind = kindArg === 'postgres' ? 'postgres' : 'pglite';

const unavailable = dovecotUnavailable();
if (unavailable) {
  console.error(`bench needs Dovecot: ${unavailable}`);
  process.exit(2);
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
};

const dovecot = await startDovecot();
const database = kind === 'postgres' ? await createPostgresDatabase() : await createPGliteDatabase();
const db = database.db;
const user = dovecot.users[0]!;
const config = (ingest: Record<string, unknown>) =>
  configSchema.parse({
    mailboxes: [{ name: 'support', host: dovecot.host, port: dovecot.port, security: 'plain', user: user.user, password: user.password }],
    ingest,
    classifier: { provider: 'rules' },
    drafts: { mode: 'off' },
  });

try {
  // 1. latency
  {
    const cfg = config({ sweep_interval: '10m' });
    const storedAt = new Map<string, number>();
    const decidedAt = new Map<string, number>();
    let onStored: ((id: string) => void) | null = null;
    let onDecided: ((id: string) => void) | null = null;
    // Reports each decision after its commit, the way a later stage hears of it.
    const committed: string[] = [];
    const observe: DecisionEffect = {
      wants: () => true,
      enqueue: async (_trx, decided) => {
        committed.push(decided.emailId);
        return true;
      },
      wake: () => {
        for (const id of committed.splice(0)) onDecided?.(id);
      },
    };
    const pipeline = startPipelineWorker(createPipelineContext({ db, config: cfg, classifier: createRulesClassifier([]), logger: silentLogger(), clock: systemClock, effects: [observe] }), {
      workerId: 'bench',
      concurrency: 4,
    });
    const watchers = await startMailboxWatchers({
      db,
      config: cfg,
      logger: silentLogger(),
      processId: 'bench',
      onStored: (id) => {
        pipeline.wake();
        onStored?.(id);
      },
    });
    while (!watchers.status()[0]?.connected) await new Promise((r) => setTimeout(r, 20));
    const client = await dovecot.client(user.user);
    const storeMs: number[] = [];
    const decideMs: number[] = [];
    for (let i = 0; i < latencyCount; i++) {
      const start = performance.now();
      const stored = new Promise<string>((resolve) => (onStored = resolve));
      await client.append('INBOX', makeMessage(`latency ${i}`));
      const id = await stored;
      storedAt.set(id, performance.now());
      storeMs.push(performance.now() - start);
      const decided = new Promise<void>((resolve) => (onDecided = (d) => d === id && resolve()));
      const already = await db.selectFrom('decisions').select('id').where('email_id', '=', id).executeTakeFirst();
      if (!already) await decided;
      decidedAt.set(id, performance.now());
      decideMs.push(performance.now() - start);
    }
    await client.logout();
    await watchers.stop();
    await pipeline.stop(5000);
    console.log(
      `APPEND → stored  (${latencyCount} messages, one at a time, IDLE): p50 ${percentile(storeMs, 50).toFixed(0)} ms, p95 ${percentile(storeMs, 95).toFixed(0)} ms, max ${Math.max(...storeMs).toFixed(0)} ms`,
    );
    console.log(
      `APPEND → decided (rules classifier):                 p50 ${percentile(decideMs, 50).toFixed(0)} ms, p95 ${percentile(decideMs, 95).toFixed(0)} ms, max ${Math.max(...decideMs).toFixed(0)} ms`,
    );
  }

  // 2. backlog
  {
    await sql`truncate messages, ingest_cursors, ingest_leases cascade`.execute(db);
    const appendStart = performance.now();
    await appendMany(
      dovecot,
      user.user,
      'INBOX',
      Array.from({ length: backlog }, (_, i) => makeMessage(`backlog ${i}`, { bodyBytes: 2000 })),
      4,
    );
    console.log(`APPEND of ${backlog} messages over 4 connections: ${((performance.now() - appendStart) / 1000).toFixed(1)} s`);
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
    let stored = 0;
    let done: () => void = () => {};
    const finished = new Promise<void>((resolve) => (done = resolve));
    const start = performance.now();
    const watchers = await startMailboxWatchers({
      db,
      config: config({ backfill: '1d', sweep_interval: '10m' }),
      logger: silentLogger(),
      processId: 'bench-backlog',
      onStored: () => {
        stored += 1;
        if (stored === backlog) done();
      },
    });
    await finished;
    const seconds = (performance.now() - start) / 1000;
    clearInterval(sampler);
    await watchers.stop();
    const mb = (n: number) => (n / 1024 / 1024).toFixed(0);
    console.log(`backlog of ${backlog} (~2 KB each, ${kind}): ${seconds.toFixed(1)} s, ${(backlog / seconds).toFixed(0)} messages/s (connect + catch-up)`);
    console.log(`RSS: ${mb(rssBefore)} MB before, peak ${mb(peak)} MB during the backlog (+${mb(peak - rssBefore)} MB)`);
  }
} finally {
  await database.drop();
  await dovecot.stop();
}
process.exit(0);
