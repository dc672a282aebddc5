/**
 * Delivery across real processes sharing one PostgreSQL database (PGlite is single-process, so
 * these run on PostgreSQL only and are skipped with a line when no server is reachable).
 */

import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../src/util/logger.js';
import { listDeliveries } from '../../src/webhooks/deliveries.js';
import { deliverDueNow } from '../../src/webhooks/index.js';
import { addSubscription } from '../../src/webhooks/subscriptions.js';
import { createPostgresDatabase, postgresUnavailable, type TestDatabase } from '../support/databases.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { enqueueEventsBulk, secretBox, testConfig } from './fixtures.js';

const SCRIPT = fileURLToPath(new URL('./worker-process.ts', import.meta.url));
const unavailable = await postgresUnavailable();

interface Child {
  process: ChildProcess;
  ready: Promise<string>;
  exited: Promise<number | null>;
}

function spawnWorker(url: string, mode: 'worker' | 'once', webhooks: Record<string, unknown> = {}): Child {
  // node --import tsx, not the tsx binary: that one runs the script in a grandchild a SIGKILL would miss.
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT], {
    env: { ...process.env, MAILROOM_TEST_DB_URL: url, WORKER_MODE: mode, WORKER_WEBHOOKS: JSON.stringify(webhooks) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const ready = new Promise<string>((resolve, reject) => {
    lines.on('line', (line) => line.startsWith('ready ') && resolve(line.slice(6)));
    child.once('exit', (code) => reject(new Error(`worker process exited with ${code} before it was ready`)));
  });
  ready.catch(() => {});
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { process: child, ready, exited };
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

describe('webhook delivery across processes [postgres]', { skip: unavailable ? `PostgreSQL not reachable (${unavailable}); skipped` : false }, () => {
  let database: TestDatabase;
  const receivers: WebhookReceiver[] = [];
  const children: Child[] = [];
  before(async () => {
    database = await createPostgresDatabase();
  });
  after(async () => {
    for (const child of children) if (child.process.exitCode === null) child.process.kill('SIGKILL');
    await Promise.all(receivers.map((r) => r.close()));
    await database?.drop();
  });

  test('SIGKILL between send and record: a restarted worker delivers again with the same webhook-id', { timeout: 60_000 }, async () => {
    const db = database.db;
    const r = await startWebhookReceiver({ respond: (q) => (q.index === 0 ? { holdUntilReleased: true, status: 200 } : { status: 200 }) });
    receivers.push(r);
    const { secret, id: subId } = await addSubscription(db, {
      url: r.url,
      urlPolicy: { allowHttp: true, allowPrivateNetworks: true },
      secretBox,
      now: new Date(),
    });
    r.secrets = [secret];
    const [eventId] = await enqueueEventsBulk(db, 1);

    const child = spawnWorker(database.url!, 'once');
    children.push(child);
    await withTimeout(child.ready, 20_000, 'worker start');
    await r.waitForRequests(1, 20_000);
    child.process.kill('SIGKILL');
    await withTimeout(child.exited, 10_000, 'worker exit');
    r.release(); // the receiver answers, but nobody is left to record it

    const [claimed] = await listDeliveries(db);
    assert.equal(claimed?.status, 'pending');
    assert.equal(claimed?.attempts, 1, 'the claim counted the attempt');
    assert.equal(await db.selectFrom('webhook_attempts').select('id').executeTakeFirst(), undefined, 'nothing was recorded');
    const locked = await db.selectFrom('webhook_deliveries').select(['locked_by', 'locked_at']).executeTakeFirstOrThrow();
    assert.match(locked.locked_by ?? '', /^test-/);

    const config = testConfig();
    const ctx = { db, config, logger: silentLogger(), secretBox };
    assert.deepEqual(await deliverDueNow(ctx), { delivered: 0, failed: 0 }, 'a live lease is respected');
    // The restarted process, once the dead one's lease has run out (shortened here instead of
    // moving the clock, so the receiver's real-time tolerance check still applies).
    assert.deepEqual(await deliverDueNow({ ...ctx, leaseMs: 1 }), { delivered: 1, failed: 0 });
    assert.equal(r.requests.length, 2);
    assert.deepEqual(
      r.requests.map((q) => q.webhookId),
      [eventId, eventId],
      'delivered again with the same webhook-id',
    );
    assert.equal(r.requests[1]?.body, r.requests[0]?.body);
    assert.ok(
      r.requests.every((q) => q.verifyError === null),
      'both sends verify',
    );
    const [done] = await listDeliveries(db, { subscriptionId: subId });
    assert.equal(done?.status, 'delivered');
    assert.equal(done?.attempts, 2);
  });

  test('three worker processes deliver 1,000 events, each exactly once', { timeout: 120_000 }, async () => {
    const db = database.db;
    await db.deleteFrom('webhook_subscriptions').execute();
    const r = await startWebhookReceiver();
    receivers.push(r);
    const { secret } = await addSubscription(db, { url: r.url, urlPolicy: { allowHttp: true, allowPrivateNetworks: true }, secretBox, now: new Date() });
    r.secrets = [secret];
    const workers = [0, 1, 2].map(() => spawnWorker(database.url!, 'worker', { concurrency: 8, poll_interval: '50ms' }));
    children.push(...workers);
    const workerIds = await withTimeout(Promise.all(workers.map((w) => w.ready)), 30_000, 'three workers start');
    const eventIds = await enqueueEventsBulk(db, 1000);

    await r.waitForRequests(1000, 90_000);
    // Wait until every delivery is recorded, then a little longer for any duplicate to show up.
    await withTimeout(
      (async () => {
        while ((await listDeliveries(db, { status: 'delivered', limit: 2000 })).length < 1000) await new Promise((res) => setTimeout(res, 100));
      })(),
      30_000,
      'all deliveries recorded',
    );
    for (const w of workers) w.process.kill('SIGTERM');
    await withTimeout(Promise.all(workers.map((w) => w.exited)), 20_000, 'workers stop');

    const counts = new Map<string, number>();
    for (const q of r.requests) counts.set(q.webhookId ?? '', (counts.get(q.webhookId ?? '') ?? 0) + 1);
    assert.equal(r.requests.length, 1000, 'no duplicates');
    assert.deepEqual([...counts.keys()].sort(), [...eventIds].sort());
    assert.ok([...counts.values()].every((n) => n === 1));
    assert.ok(
      r.requests.every((q) => q.verifyError === null),
      'every request verifies',
    );
    const perWorker = await db
      .selectFrom('webhook_attempts')
      .select(['worker', (eb) => eb.fn.countAll<string>().as('n')])
      .groupBy('worker')
      .execute();
    const share = Object.fromEntries(perWorker.map((p) => [p.worker, Number(p.n)]));
    console.log(`attempts per worker process: ${workerIds.map((id) => share[id] ?? 0).join(', ')}`);
    assert.equal(
      perWorker.reduce((sum, p) => sum + Number(p.n), 0),
      1000,
      'one attempt per delivery',
    );
    assert.ok(perWorker.length >= 2, 'the work was shared between processes');
  });
});
