import assert from 'node:assert/strict';
import { after, beforeEach, test } from 'node:test';
import { sql } from 'kysely';
import { silentLogger } from '../../src/util/logger.js';
import { listDeliveries } from '../../src/webhooks/deliveries.js';
import { deliverDueNow } from '../../src/webhooks/index.js';
import { WebhookUrlRefusedError } from '../../src/webhooks/ssrf-guard.js';
import {
  addSubscription,
  listSubscriptions,
  pingSubscription,
  removeSubscription,
  rotateSubscriptionSecret,
  setSubscriptionEnabled,
  UnknownSubscriptionError,
} from '../../src/webhooks/subscriptions.js';
import { describeEachDatabase, truncateAll } from '../support/databases.js';
import { replies, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { enqueueEvents, ManualClock, secretBox, testConfig } from './fixtures.js';

const open = { allowHttp: true, allowPrivateNetworks: true };
const receivers: WebhookReceiver[] = [];
after(async () => {
  await Promise.all(receivers.map((r) => r.close()));
});
async function receiver(options: Parameters<typeof startWebhookReceiver>[0] = {}): Promise<WebhookReceiver> {
  const r = await startWebhookReceiver(options);
  receivers.push(r);
  return r;
}

describeEachDatabase('webhook subscriptions', (getDb) => {
  beforeEach(async () => {
    await truncateAll(getDb());
  });

  test('add refuses internal targets when private networks are not allowed, and stores nothing', async () => {
    const db = getDb();
    for (const url of ['https://127.0.0.1/', 'https://10.0.0.1/', 'https://169.254.169.254/', 'https://[::1]/', 'https://[::ffff:127.0.0.1]/']) {
      await assert.rejects(addSubscription(db, { url, urlPolicy: { allowHttp: false, allowPrivateNetworks: false }, secretBox, now: new Date() }), WebhookUrlRefusedError);
    }
    const rebinding = async () => [{ address: '10.0.0.5', family: 4 as const }];
    await assert.rejects(
      addSubscription(db, {
        url: 'https://tickets.example.com/',
        urlPolicy: { allowHttp: false, allowPrivateNetworks: false, resolveHost: rebinding },
        secretBox,
        now: new Date(),
      }),
      /tickets\.example\.com resolves to 10\.0\.0\.5/,
    );
    assert.equal((await listSubscriptions(db, new Date())).length, 0);
  });

  // Security (issue 17, finding 3): credentials in a webhook URL are refused, never stored or shown.
  test('add refuses a URL with a user name or password, points to the signing secret and stores nothing', async () => {
    const db = getDb();
    for (const url of ['https://user:Pa55word@hooks.example.com/x', 'https://token-Pa55word@hooks.example.com/x', 'http://:Pa55word@127.0.0.1:9/x']) {
      await assert.rejects(addSubscription(db, { url, urlPolicy: open, secretBox, now: new Date() }), (error: Error) => {
        assert.ok(error instanceof WebhookUrlRefusedError, error.message);
        assert.match(error.message, /may not carry a user name or password/);
        assert.match(error.message, /whsec_ signing secret/);
        assert.doesNotMatch(error.message, /Pa55word/);
        return true;
      });
    }
    assert.equal((await listSubscriptions(db, new Date())).length, 0);
  });

  test('a URL with credentials stored by an older version is never listed with them and never called', async () => {
    const db = getDb();
    const r = await receiver();
    const added = await addSubscription(db, { url: r.url, urlPolicy: open, secretBox, now: new Date() });
    const legacy = r.url.replace('//', '//user:Pa55word@');
    await db.updateTable('webhook_subscriptions').set({ url: legacy }).where('id', '=', added.id).execute();
    await enqueueEvents(db, 1);
    await deliverDueNow({ db, config: testConfig({ schedule: [0] }), logger: silentLogger() });
    assert.equal(r.requests.length, 0, 'no request carried the credentials');
    const listed = await listSubscriptions(db, new Date());
    const deliveries = await listDeliveries(db, {});
    const shown = JSON.stringify([listed, deliveries]);
    assert.doesNotMatch(shown, /Pa55word|user:/);
    assert.match(listed[0]!.url, /\[credentials removed\]@127\.0\.0\.1/);
    assert.match(String(deliveries[0]!.last_error), /may not carry a user name or password/);
  });

  test('the secret is shown once, stored only encrypted, and never listed', async () => {
    const db = getDb();
    const added = await addSubscription(db, { url: 'http://127.0.0.1:9/hook', description: 'Zendesk', urlPolicy: open, secretBox, now: new Date() });
    assert.match(added.secret, /^whsec_/);
    const dump = await sql<{ dump: string }>`select row_to_json(s)::text as dump from webhook_subscriptions s`.execute(db);
    assert.ok(!dump.rows[0]!.dump.includes(added.secret.slice(6)), 'a dump of the table does not contain the secret');
    const [listed] = await listSubscriptions(db, new Date());
    assert.equal(listed?.id, added.id);
    assert.equal(listed?.description, 'Zendesk');
    assert.equal(listed?.status, 'enabled');
    assert.ok(!JSON.stringify(listed).includes(added.secret.slice(6)));
  });

  test('disable, enable and remove; unknown ids are named', async () => {
    const db = getDb();
    const { id } = await addSubscription(db, { url: 'http://127.0.0.1:9/hook', urlPolicy: open, secretBox, now: new Date() });
    await setSubscriptionEnabled(db, id, false, new Date());
    let [view] = await listSubscriptions(db, new Date());
    assert.equal(view?.status, 'disabled');
    assert.match(view?.disabled_reason ?? '', /subscriptions disable/);
    assert.equal((await enqueueEvents(db, 1)).length, 1);
    assert.equal((await listDeliveries(db)).length, 0, 'a disabled subscription gets no outbox rows');
    await setSubscriptionEnabled(db, id, true, new Date());
    [view] = await listSubscriptions(db, new Date());
    assert.equal(view?.status, 'enabled');
    assert.equal(view?.disabled_reason, null);
    await removeSubscription(db, id);
    assert.equal((await listSubscriptions(db, new Date())).length, 0);
    await assert.rejects(removeSubscription(db, id), UnknownSubscriptionError);
    await assert.rejects(setSubscriptionEnabled(db, 'sub_nope', true, new Date()), /no subscription sub_nope/);
  });

  test('rotate-secret: both secrets verify during the 24 h overlap, only the new one after', { timeout: 20_000 }, async () => {
    const db = getDb();
    const clock = new ManualClock();
    const r = await receiver({ clock });
    const { id, secret: oldSecret } = await addSubscription(db, { url: r.url, urlPolicy: open, secretBox, now: clock.now() });
    const { secret: newSecret } = await rotateSubscriptionSecret(db, { id, secretBox, now: clock.now() });
    r.secrets = [oldSecret, newSecret];
    const ctx = { db, config: testConfig(), logger: silentLogger(), secretBox, clock };
    await enqueueEvents(db, 1, clock.now());
    await deliverDueNow(ctx);
    assert.equal(r.requests[0]?.signatures.length, 2, 'two v1, signatures in one header');
    assert.deepEqual(r.requests[0]?.verifiedBy, [true, true], 'old and new secret both verify');
    assert.ok((await listSubscriptions(db, clock.now()))[0]?.previous_secret_until);

    clock.advance(23 * 3_600_000);
    await enqueueEvents(db, 1, clock.now());
    await deliverDueNow(ctx);
    assert.deepEqual(r.requests[1]?.verifiedBy, [true, true], 'still both after 23 h');

    clock.advance(3_600_000 + 1000);
    await enqueueEvents(db, 1, clock.now());
    await deliverDueNow(ctx);
    assert.equal(r.requests[2]?.signatures.length, 1);
    assert.deepEqual(r.requests[2]?.verifiedBy, [false, true], 'after 24 h only the new secret verifies');
    assert.match(r.requests[2]?.verifyError ?? '', /No matching signature/, 'the old one fails on the signature, not the timestamp');
  });

  test('test sends a signed ping and reports status, latency and the first line of the body', { timeout: 20_000 }, async () => {
    const db = getDb();
    const r = await receiver({ respond: () => ({ status: 202, body: 'accepted by acme\nsecond line' }) });
    const { id, secret } = await addSubscription(db, { url: r.url, urlPolicy: open, secretBox, now: new Date() });
    r.secrets = [secret];
    const result = await pingSubscription(db, { id, secretBox, urlPolicy: open, timeoutMs: 2000, now: () => new Date() });
    assert.equal(result.statusCode, 202);
    assert.equal(result.firstLine, 'accepted by acme');
    assert.equal(result.error, null);
    assert.ok(result.latencyMs >= 0);
    assert.deepEqual(r.requests[0]?.verifiedBy, [true]);
    const body = JSON.parse(r.requests[0]!.body);
    assert.equal(body.type, 'ping');
    assert.equal(body.data.subscription_id, id);
    assert.equal(r.requests[0]?.webhookId, result.webhookId);
  });

  test('the guard runs again at every attempt: a name that now resolves to loopback is refused and retried later', { timeout: 20_000 }, async () => {
    const db = getDb();
    const r = await receiver();
    const publicDns = async () => [{ address: '93.184.216.34', family: 4 as const }];
    const rebound = async () => [{ address: '127.0.0.1', family: 4 as const }];
    const port = new URL(r.url).port;
    await addSubscription(db, {
      url: `http://hooks.example.com:${port}/hook`,
      urlPolicy: { allowHttp: true, allowPrivateNetworks: false, resolveHost: publicDns },
      secretBox,
      now: new Date(),
    });
    await enqueueEvents(db, 1);
    const result = await deliverDueNow({ db, config: testConfig({ allow_private_networks: false }), logger: silentLogger(), secretBox, resolveHost: rebound });
    assert.deepEqual(result, { delivered: 0, failed: 1 });
    assert.equal(r.requests.length, 0, 'nothing reached the loopback receiver');
    const [d] = await listDeliveries(db);
    assert.equal(d?.status, 'pending');
    assert.match(d?.last_error ?? '', /hooks\.example\.com resolves to 127\.0\.0\.1; 127\.0\.0\.1 is a loopback address/);
  });

  test('the connection goes to the checked address, whatever the system resolver says about the name', { timeout: 20_000 }, async () => {
    const db = getDb();
    const r = await receiver();
    const port = new URL(r.url).port;
    // "receiver.invalid" cannot resolve for real; the pinned lookup must carry the injected answer to the socket.
    const { secret } = await addSubscription(db, {
      url: `http://receiver.invalid:${port}/hook`,
      urlPolicy: { ...open, resolveHost: async () => [{ address: '127.0.0.1', family: 4 }] },
      secretBox,
      now: new Date(),
    });
    r.secrets = [secret];
    await enqueueEvents(db, 1);
    const result = await deliverDueNow({
      db,
      config: testConfig(),
      logger: silentLogger(),
      secretBox,
      resolveHost: async () => [{ address: '127.0.0.1', family: 4 }],
    });
    assert.deepEqual(result, { delivered: 1, failed: 0 });
    assert.equal(r.requests[0]?.headers.host, `receiver.invalid:${port}`);
    assert.deepEqual(r.requests[0]?.verifiedBy, [true]);
  });

  test('replay of a dead letter is refused while the subscription is disabled', { timeout: 20_000 }, async () => {
    const db = getDb();
    const r = await receiver({ respond: replies.always(500) });
    const { id } = await addSubscription(db, { url: r.url, urlPolicy: open, secretBox, now: new Date() });
    await enqueueEvents(db, 1);
    await deliverDueNow({ db, config: testConfig({ schedule: [0] }), logger: silentLogger(), secretBox });
    const [dead] = await listDeliveries(db, { status: 'failed' });
    assert.ok(dead);
    await setSubscriptionEnabled(db, id, false, new Date());
    const { replayDelivery } = await import('../../src/webhooks/deliveries.js');
    assert.deepEqual(await replayDelivery(db, dead.id, new Date()), { ok: false, reason: 'subscription-disabled' });
    assert.deepEqual(await replayDelivery(db, 'dlv_nope', new Date()), { ok: false, reason: 'not-found' });
  });
});
