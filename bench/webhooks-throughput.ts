/**
 * Deliveries per second to a healthy receiver while a second subscription's endpoint hangs.
 *
 *   node --import tsx bench/webhooks-throughput.ts [events=1000] [--pglite]
 *
 * Uses a throwaway PostgreSQL database at 127.0.0.1:5432 (MAILROOM_TEST_PG_URL) when one answers,
 * otherwise (or with --pglite) an in-memory PGlite. Every request is verified with `standardwebhooks`.
 */
import { performance } from 'node:perf_hooks';
import { silentLogger } from '../src/util/logger.js';
import { startDeliveryWorker } from '../src/webhooks/index.js';
import { addSubscription } from '../src/webhooks/subscriptions.js';
import { createPGliteDatabase, createPostgresDatabase, postgresUnavailable, type TestDatabase } from '../test/support/databases.js';
import { replies, startWebhookReceiver } from '../test/support/webhook-receiver.js';
import { enqueueEventsBulk, secretBox, testConfig } from '../test/webhooks/fixtures.js';

const events = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 1000);
const usePGlite = process.argv.includes('--pglite') || (await postgresUnavailable()) !== null;
const concurrency = 8;
const timeout = '10s';

const database: TestDatabase = usePGlite ? await createPGliteDatabase() : await createPostgresDatabase();
const healthy = await startWebhookReceiver();
const dead = await startWebhookReceiver({ respond: replies.hang() });
try {
  const db = database.db;
  const policy = { allowHttp: true, allowPrivateNetworks: true };
  const deadSub = await addSubscription(db, { url: dead.url, urlPolicy: policy, secretBox, now: new Date() });
  const healthySub = await addSubscription(db, { url: healthy.url, urlPolicy: policy, secretBox, now: new Date() });
  healthy.secrets = [healthySub.secret];
  dead.secrets = [deadSub.secret];
  const enqueueStart = performance.now();
  await enqueueEventsBulk(db, events);
  const enqueueMs = performance.now() - enqueueStart;

  const start = performance.now();
  const worker = startDeliveryWorker({ db, config: testConfig({ concurrency, timeout, poll_interval: '100ms' }), logger: silentLogger(), secretBox });
  await healthy.waitForRequests(events, 600_000);
  const seconds = (performance.now() - start) / 1000;
  const unverified = healthy.requests.filter((r) => r.verifyError !== null).length;
  const ids = new Set(healthy.requests.map((r) => r.webhookId));
  const result = {
    database: database.kind,
    events,
    concurrency,
    timeout,
    enqueue_per_s: Math.round(events / (enqueueMs / 1000)),
    healthy_deliveries_per_s: Math.round(events / seconds),
    healthy_seconds: Math.round(seconds * 100) / 100,
    dead_requests_in_flight: dead.requests.length,
    unverified,
    duplicates: healthy.requests.length - ids.size,
  };
  console.log(JSON.stringify(result));
  dead.respond = replies.ok();
  await Promise.race([worker.stop(), new Promise((resolve) => setTimeout(resolve, 15_000))]);
} finally {
  await healthy.close();
  await dead.close();
  await database.drop();
}
process.exit(0);
