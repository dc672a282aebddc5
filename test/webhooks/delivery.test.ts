import assert from 'node:assert/strict';
import { after, beforeEach, test } from 'node:test';
import type { Db } from '../../src/db/index.js';
import { silentLogger } from '../../src/util/logger.js';
import { listAttempts, listDeliveries, replayDelivery } from '../../src/webhooks/deliveries.js';
import { deliverDueNow, startDeliveryWorker } from '../../src/webhooks/index.js';
import { addSubscription } from '../../src/webhooks/subscriptions.js';
import { enqueueTicketEvent } from '../../src/webhooks/ticket-event.js';
import { describeEachDatabase, truncateAll } from '../support/databases.js';
import { replies, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { enqueueEvents, ManualClock, secretBox, testConfig, ticketInput } from './fixtures.js';

const receivers: WebhookReceiver[] = [];
after(async () => {
  await Promise.all(receivers.map((r) => r.close()));
});

async function receiver(options: Parameters<typeof startWebhookReceiver>[0] = {}): Promise<WebhookReceiver> {
  const r = await startWebhookReceiver(options);
  receivers.push(r);
  return r;
}

async function subscribe(db: Db, r: WebhookReceiver, now = new Date()): Promise<string> {
  const { id, secret } = await addSubscription(db, { url: r.url, urlPolicy: { allowHttp: true, allowPrivateNetworks: true }, secretBox, now });
  r.secrets = [secret];
  return id;
}

describeEachDatabase('webhook delivery', (getDb) => {
  beforeEach(async () => {
    await truncateAll(getDb());
  });

  test('a ticket event is delivered signed, and standardwebhooks verifies it', { timeout: 20_000 }, async () => {
    const db = getDb();
    const r = await receiver();
    await subscribe(db, r);
    const [eventId] = await enqueueEvents(db, 1);
    const result = await deliverDueNow({ db, config: testConfig(), logger: silentLogger(), secretBox });
    assert.deepEqual(result, { delivered: 1, failed: 0 });
    const [request] = r.requests;
    assert.ok(request);
    assert.equal(request.verifyError, null);
    assert.deepEqual(request.verifiedBy, [true]);
    assert.equal(request.webhookId, eventId);
    assert.equal(request.headers['content-type'], 'application/json');
    assert.equal(request.headers['user-agent'], 'Mailroom-Webhooks/1');
    const stored = await db.selectFrom('webhook_events').select('body').where('id', '=', eventId!).executeTakeFirstOrThrow();
    assert.equal(request.body, stored.body, 'the exact stored bytes are sent');
    const body = JSON.parse(request.body);
    assert.equal(body.type, 'ticket.suggested');
    assert.equal(body.data.from, 'cliente@azienda.com');
    const [delivery] = await listDeliveries(db);
    assert.equal(delivery?.status, 'delivered');
    const attempts = await listAttempts(db, delivery!.id);
    assert.equal(attempts.length, 1);
    assert.equal(attempts[0]?.status_code, 200);
    assert.equal(attempts[0]?.response_head, 'ok');
    assert.equal(attempts[0]?.error, null);
  });

  test("svix's Webhook.verify accepts the delivery under svix-* header names", { timeout: 20_000 }, async () => {
    const db = getDb();
    const r = await receiver({ verifier: 'svix' });
    await subscribe(db, r);
    await enqueueEvents(db, 1);
    await deliverDueNow({ db, config: testConfig(), logger: silentLogger(), secretBox });
    assert.equal(r.requests.length, 1);
    assert.equal(r.requests[0]?.verifyError, null);
    assert.deepEqual(r.requests[0]?.verifiedBy, [true]);
  });

  test('nothing is queued when the decision transaction rolls back; enqueue twice is one delivery', { timeout: 20_000 }, async () => {
    const db = getDb();
    const r = await receiver();
    await subscribe(db, r);
    const input = ticketInput();
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        await enqueueTicketEvent(trx, input, new Date());
        throw new Error('decision failed');
      }),
      /decision failed/,
    );
    assert.equal((await listDeliveries(db)).length, 0);
    const first = await db.transaction().execute((trx) => enqueueTicketEvent(trx, input, new Date()));
    const second = await db.transaction().execute((trx) => enqueueTicketEvent(trx, input, new Date(Date.now() + 1000)));
    assert.equal(first.deliveries, 1);
    assert.equal(second.deliveries, 0);
    assert.equal(first.eventId, second.eventId);
    assert.equal((await listDeliveries(db)).length, 1);
  });

  test('a receiver failing the first 2 attempts gets the same webhook-id on the 3rd, which succeeds', { timeout: 20_000 }, async () => {
    const db = getDb();
    const clock = new ManualClock();
    const r = await receiver({ respond: replies.failFirst(2), clock });
    await subscribe(db, r, clock.now());
    const [eventId] = await enqueueEvents(db, 1, clock.now());
    const ctx = { db, config: testConfig(), logger: silentLogger(), secretBox, clock };
    assert.deepEqual(await deliverDueNow(ctx), { delivered: 0, failed: 1 });
    assert.deepEqual(await deliverDueNow(ctx), { delivered: 0, failed: 0 }, 'the retry is not due yet');
    clock.advance(6_000);
    assert.deepEqual(await deliverDueNow(ctx), { delivered: 0, failed: 1 });
    clock.advance(6 * 60_000);
    assert.deepEqual(await deliverDueNow(ctx), { delivered: 1, failed: 0 });
    assert.deepEqual(
      r.requests.map((q) => q.webhookId),
      [eventId, eventId, eventId],
    );
    assert.ok(r.requests.every((q) => q.verifyError === null));
    const timestamps = r.requests.map((q) => Number(q.headers['webhook-timestamp']));
    assert.ok(timestamps[2]! > timestamps[0]!, 'each attempt is signed with its own timestamp');
    const [delivery] = await listDeliveries(db);
    assert.equal(delivery?.status, 'delivered');
    assert.deepEqual(
      (await listAttempts(db, delivery!.id)).map((a) => a.status_code),
      [500, 500, 204],
    );
  });

  test('500 forever walks the whole schedule (injected clock), then dead-letters; replay resends the same id', { timeout: 30_000 }, async () => {
    const db = getDb();
    const start = new Date('2026-11-23T09:00:00Z');
    const clock = new ManualClock(start);
    const r = await receiver({ respond: replies.always(500), clock });
    await subscribe(db, r, clock.now());
    const [eventId] = await enqueueEvents(db, 1, clock.now());
    const config = testConfig();
    const ctx = { db, config, logger: silentLogger(), secretBox, clock };
    const sentAt: number[] = [];
    for (let attempt = 1; attempt <= 20; attempt++) {
      const [d] = await listDeliveries(db);
      if (d?.status !== 'pending') break;
      clock.set(d.next_attempt_at!);
      await deliverDueNow(ctx);
      sentAt.push(clock.now().getTime());
    }
    const waits = sentAt.slice(1).map((t, i) => t - sentAt[i]!);
    console.log(`observed schedule (waits before attempts 2..${sentAt.length}): ${waits.map(formatMs).join(', ')}`);
    assert.equal(sentAt.length, config.webhooks.schedule.length, 'one attempt per schedule entry');
    waits.forEach((wait, i) => {
      const planned = config.webhooks.schedule[i + 1]!;
      assert.ok(wait >= planned * 0.8 && wait <= planned * 1.2, `wait ${i + 1} is ${wait} ms, planned ${planned} ms ±20 %`);
    });
    const [dead] = await listDeliveries(db);
    assert.equal(dead?.status, 'failed');
    assert.equal(dead?.attempts, 8);
    assert.equal(dead?.last_error, 'HTTP 500');
    assert.equal(r.requests.length, 8);
    assert.ok(r.requests.every((q) => q.webhookId === eventId && q.verifyError === null));

    r.respond = replies.ok();
    assert.deepEqual(await replayDelivery(db, dead!.id, clock.now()), { ok: true });
    assert.deepEqual(await deliverDueNow(ctx), { delivered: 1, failed: 0 });
    assert.equal(r.requests.at(-1)?.webhookId, eventId, 'the replay carries the same webhook-id');
    assert.equal(r.requests.at(-1)?.body, r.requests[0]?.body, 'and the same body bytes');
  });

  test('a receiver that hangs past the timeout is a failed attempt, recorded as a timeout', { timeout: 20_000 }, async () => {
    const db = getDb();
    const r = await receiver({ respond: replies.hang() });
    await subscribe(db, r);
    await enqueueEvents(db, 1);
    const result = await deliverDueNow({ db, config: testConfig({ timeout: '300ms' }), logger: silentLogger(), secretBox });
    assert.deepEqual(result, { delivered: 0, failed: 1 });
    const [d] = await listDeliveries(db);
    assert.equal(d?.status, 'pending');
    assert.equal(d?.last_status_code, null);
    assert.match(d?.last_error ?? '', /timed out after 300 ms/);
  });

  test('307 is a failure and the redirect is not followed', { timeout: 20_000 }, async () => {
    const db = getDb();
    const target = await receiver();
    const r = await receiver({ respond: replies.always(307, { location: target.url }) });
    await subscribe(db, r);
    await enqueueEvents(db, 1);
    assert.deepEqual(await deliverDueNow({ db, config: testConfig(), logger: silentLogger(), secretBox }), { delivered: 0, failed: 1 });
    assert.equal(r.requests.length, 1);
    assert.equal(target.requests.length, 0, 'the Location target got nothing');
    const [d] = await listDeliveries(db);
    assert.equal(d?.last_status_code, 307);
    assert.match(d?.last_error ?? '', /redirect to http:\/\/127\.0\.0\.1:\d+\/hook not followed/);
  });

  test('429 with Retry-After: 120 waits 120 s instead of the scheduled 5 s', { timeout: 20_000 }, async () => {
    const db = getDb();
    const clock = new ManualClock();
    const r = await receiver({ respond: replies.always(429, { 'retry-after': '120' }), clock });
    await subscribe(db, r, clock.now());
    await enqueueEvents(db, 1, clock.now());
    const ctx = { db, config: testConfig(), logger: silentLogger(), secretBox, clock };
    await deliverDueNow(ctx);
    const [d] = await listDeliveries(db);
    assert.equal(d?.next_attempt_at?.getTime(), clock.now().getTime() + 120_000);
    clock.advance(60_000);
    assert.deepEqual(await deliverDueNow(ctx), { delivered: 0, failed: 0 }, 'not due after 60 s');
    clock.advance(60_000);
    r.respond = replies.ok();
    assert.deepEqual(await deliverDueNow(ctx), { delivered: 1, failed: 0 });
  });

  test('410 Gone disables the subscription with the reason', { timeout: 20_000 }, async () => {
    const db = getDb();
    const r = await receiver({ respond: replies.always(410) });
    const id = await subscribe(db, r);
    await enqueueEvents(db, 2);
    await deliverDueNow({ db, config: testConfig({ concurrency: 1 }), logger: silentLogger(), secretBox });
    const sub = await db.selectFrom('webhook_subscriptions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal(sub.enabled, false);
    assert.match(sub.disabled_reason ?? '', /410 Gone/);
    const statuses = (await listDeliveries(db)).map((d) => d.status).sort();
    assert.deepEqual(statuses, ['failed', 'pending'], 'the other delivery waits, unsent, for enable');
    assert.equal(r.requests.length, 1);
  });

  test('an endpoint failing every attempt for 5 days is disabled; a success in between resets the clock', { timeout: 20_000 }, async () => {
    const db = getDb();
    const clock = new ManualClock(new Date('2026-11-01T00:00:00Z'));
    const r = await receiver({ respond: replies.always(500), clock });
    const id = await subscribe(db, r, clock.now());
    const ctx = { db, config: testConfig(), logger: silentLogger(), secretBox, clock };
    const enabled = async () => await db.selectFrom('webhook_subscriptions').select(['enabled', 'disabled_reason']).where('id', '=', id).executeTakeFirstOrThrow();
    await enqueueEvents(db, 1, clock.now());
    await deliverDueNow(ctx);
    clock.advance(3 * 86_400_000);
    r.respond = replies.ok();
    await enqueueEvents(db, 1, clock.now());
    await deliverDueNow(ctx); // delivers the new event and the due retry: the endpoint is healthy again
    r.respond = replies.always(500);
    clock.advance(60_000);
    await enqueueEvents(db, 1, clock.now());
    await deliverDueNow(ctx);
    clock.advance(4 * 86_400_000);
    await enqueueEvents(db, 1, clock.now());
    await deliverDueNow(ctx);
    assert.equal((await enabled()).enabled, true, 'failing for 4 days since the last success: still enabled');
    clock.advance(86_400_000 + 60_000);
    await enqueueEvents(db, 1, clock.now());
    await deliverDueNow(ctx);
    const sub = await enabled();
    assert.equal(sub.enabled, false);
    assert.match(sub.disabled_reason ?? '', /every delivery attempt failed for 5 days \(since 2026-11-04T00:01:00\.000Z\); last error: HTTP 500/);
  });

  test('a hanging endpoint beside a healthy one does not delay the healthy deliveries', { timeout: 30_000 }, async () => {
    const db = getDb();
    const dead = await receiver({ respond: replies.hang() });
    const healthy = await receiver();
    const deadId = await subscribe(db, dead);
    await db.updateTable('webhook_subscriptions').set({ enabled: false }).where('id', '=', deadId).execute();
    const healthyId = await subscribe(db, healthy);
    await db.updateTable('webhook_subscriptions').set({ enabled: false }).where('id', '=', healthyId).execute();
    // The dead endpoint's backlog is older, so a plain "oldest first" claim would give it every slot.
    await db.updateTable('webhook_subscriptions').set({ enabled: true }).where('id', '=', deadId).execute();
    await enqueueEvents(db, 20, new Date(Date.now() - 60_000));
    await db.updateTable('webhook_subscriptions').set({ enabled: true }).where('id', '=', healthyId).execute();
    await db.updateTable('webhook_subscriptions').set({ enabled: false }).where('id', '=', deadId).execute();
    await enqueueEvents(db, 20);
    await db.updateTable('webhook_subscriptions').set({ enabled: true }).where('id', '=', deadId).execute();

    const worker = startDeliveryWorker({ db, config: testConfig({ timeout: '5s', concurrency: 4 }), logger: silentLogger(), secretBox });
    try {
      await healthy.waitForRequests(20, 10_000);
      const deadAttemptsRecorded = await db
        .selectFrom('webhook_attempts as a')
        .innerJoin('webhook_deliveries as d', 'd.id', 'a.delivery_id')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('d.subscription_id', '=', deadId)
        .executeTakeFirstOrThrow();
      assert.equal(Number(deadAttemptsRecorded.n), 0, 'all 20 healthy deliveries arrived before the first dead attempt even timed out');
      assert.ok(dead.requests.length >= 1 && dead.requests.length <= 2, `the dead endpoint holds at most its share of slots (got ${dead.requests.length} requests in flight)`);
      assert.ok(healthy.requests.every((q) => q.verifyError === null));
    } finally {
      await worker.stop();
    }
  });
});

function formatMs(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(2)} h`;
}
