import assert from 'node:assert/strict';
import { after, beforeEach, test } from 'node:test';
import { sql } from 'kysely';
import { describeEachDatabase, truncateAll } from '../support/databases.js';
import { replies, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { apiConfig, auth, seedDelivery, seedEmail, testServer } from './fixtures.js';

const receivers: WebhookReceiver[] = [];
after(async () => {
  await Promise.all(receivers.map((r) => r.close()));
});

describeEachDatabase('HTTP API: subscriptions and deliveries', (getDb) => {
  beforeEach(async () => {
    await truncateAll(getDb());
  });

  test('subscriptions: create (secret once), list and get without secrets, disable, enable, rotate, test, delete', async () => {
    const db = getDb();
    const { app, clock } = testServer(db);
    // The receiver judges the signature's timestamp by the server's (manual) clock.
    const receiver = await startWebhookReceiver({ respond: replies.ok(), clock });
    receivers.push(receiver);
    const created = await app.inject({
      method: 'POST',
      url: '/v1/subscriptions',
      headers: auth(),
      payload: { url: receiver.url, description: 'Zendesk bridge' },
    });
    assert.equal(created.statusCode, 201, created.body);
    const { id, secret } = created.json();
    assert.match(id, /^sub_/);
    assert.match(secret, /^whsec_[A-Za-z0-9+/]+=*$/);
    receiver.secrets = [secret];

    const list = await app.inject({ url: '/v1/subscriptions', headers: auth() });
    assert.equal(list.statusCode, 200);
    assert.equal(list.json().data.length, 1);
    assert.equal(list.json().data[0].description, 'Zendesk bridge');
    assert.doesNotMatch(list.body, /whsec_|secret_encrypted|"secret"/);
    const one = await app.inject({ url: `/v1/subscriptions/${id}`, headers: auth() });
    assert.equal(one.json().status, 'enabled');
    assert.doesNotMatch(one.body, /whsec_/);

    const disabled = await app.inject({ method: 'POST', url: `/v1/subscriptions/${id}/disable`, headers: auth() });
    assert.equal(disabled.json().status, 'disabled');
    const enabled = await app.inject({ method: 'POST', url: `/v1/subscriptions/${id}/enable`, headers: auth() });
    assert.equal(enabled.json().status, 'enabled');

    const ping = await app.inject({ method: 'POST', url: `/v1/subscriptions/${id}/test`, headers: auth() });
    assert.equal(ping.statusCode, 200, ping.body);
    assert.equal(ping.json().ok, true);
    assert.equal(ping.json().status_code, 200);
    const [received] = await receiver.waitForRequests(1);
    assert.deepEqual(received!.verifiedBy, [true], received!.verifyError ?? '');
    assert.equal(JSON.parse(received!.body).type, 'ping');

    const rotated = await app.inject({ method: 'POST', url: `/v1/subscriptions/${id}/rotate-secret`, headers: auth() });
    assert.equal(rotated.statusCode, 200);
    assert.notEqual(rotated.json().secret, secret);
    receiver.secrets = [rotated.json().secret, secret];
    await app.inject({ method: 'POST', url: `/v1/subscriptions/${id}/test`, headers: auth() });
    const [, second] = await receiver.waitForRequests(2);
    assert.deepEqual(second!.verifiedBy, [true, true], 'both the new and the previous secret sign during the overlap');

    const removed = await app.inject({ method: 'DELETE', url: `/v1/subscriptions/${id}`, headers: auth() });
    assert.equal(removed.statusCode, 204);
    for (const [method, url] of [
      ['GET', `/v1/subscriptions/${id}`],
      ['DELETE', `/v1/subscriptions/${id}`],
      ['POST', `/v1/subscriptions/${id}/enable`],
      ['POST', `/v1/subscriptions/${id}/rotate-secret`],
      ['POST', `/v1/subscriptions/${id}/test`],
    ] as const) {
      const res = await app.inject({ method, url, headers: auth() });
      assert.equal(res.statusCode, 404, `${method} ${url}`);
      assert.match(res.json().message, new RegExp(id));
    }
  });

  test('a receiver that is down makes the test answer ok: false with the reason, not an error', async () => {
    const db = getDb();
    const { app } = testServer(db);
    const created = (await app.inject({ method: 'POST', url: '/v1/subscriptions', headers: auth(), payload: { url: 'http://127.0.0.1:9/hook' } })).json();
    const ping = await app.inject({ method: 'POST', url: `/v1/subscriptions/${created.id}/test`, headers: auth() });
    assert.equal(ping.statusCode, 200);
    assert.equal(ping.json().ok, false);
    assert.equal(ping.json().status_code, null);
    assert.match(ping.json().error, /refused/);
  });

  test('create refuses URLs the SSRF rules forbid (422, nothing stored) and bodies that do not match the schema (400)', async () => {
    const db = getDb();
    const { app } = testServer(db, { config: apiConfig({ webhooks: { allow_http: false, allow_private_networks: false } }) });
    for (const url of ['http://example.com/hook', 'https://127.0.0.1/hook', 'https://169.254.169.254/latest', 'https://[::1]/x', 'not a url']) {
      const res = await app.inject({ method: 'POST', url: '/v1/subscriptions', headers: auth(), payload: { url } });
      assert.equal(res.statusCode, 422, `${url}: ${res.body}`);
      assert.equal(res.json().code, 'WEBHOOK_URL_REFUSED');
    }
    for (const payload of [{}, { url: 'https://x.example.com', secret: 'mine' }, { url: '' }]) {
      const res = await app.inject({ method: 'POST', url: '/v1/subscriptions', headers: auth(), payload });
      assert.equal(res.statusCode, 400, JSON.stringify(payload));
    }
    const { rows } = await sql`select count(*)::int as n from webhook_subscriptions`.execute(db);
    assert.deepEqual(rows, [{ n: 0 }]);
  });

  test('deliveries: list with filters, one with its attempts, replay (same event, due now) and its refusals', async () => {
    const db = getDb();
    await seedEmail(db, { id: 'em_D1', action: 'ticket' });
    await seedEmail(db, { id: 'em_D2', action: 'ticket' });
    await seedDelivery(db, { id: 'dlv_OK', emailId: 'em_D1', status: 'delivered' });
    await seedDelivery(db, { id: 'dlv_DEAD', emailId: 'em_D2', status: 'failed' });
    await seedDelivery(db, { id: 'dlv_OFF', emailId: 'em_D2', subscriptionId: 'sub_OFF', status: 'failed', enabled: false });
    const server = testServer(db);
    const { app } = server;
    const ids = async (query: string) =>
      (await app.inject({ url: `/v1/deliveries?${query}`, headers: auth() }))
        .json()
        .data.map((d: { id: string }) => d.id)
        .sort();
    assert.deepEqual(await ids(''), ['dlv_DEAD', 'dlv_OFF', 'dlv_OK']);
    assert.deepEqual(await ids('status=failed'), ['dlv_DEAD', 'dlv_OFF']);
    assert.deepEqual(await ids('status=failed&subscription_id=sub_TEST'), ['dlv_DEAD']);
    assert.deepEqual(await ids('limit=1').then((x: string[]) => x.length), 1);
    assert.equal((await app.inject({ url: '/v1/deliveries?status=lost', headers: auth() })).statusCode, 400);

    const one = await app.inject({ url: '/v1/deliveries/dlv_DEAD', headers: auth() });
    assert.equal(one.statusCode, 200, one.body);
    assert.equal(one.json().webhook_id, 'msg_D2');
    assert.equal(one.json().last_status_code, 500);
    assert.equal(one.json().attempts_log.length, 1);
    assert.equal(one.json().attempts_log[0].status_code, 500);
    assert.equal((await app.inject({ url: '/v1/deliveries/dlv_NOPE', headers: auth() })).statusCode, 404);

    const replay = await app.inject({ method: 'POST', url: '/v1/deliveries/dlv_DEAD/replay', headers: auth() });
    assert.equal(replay.statusCode, 202, replay.body);
    assert.equal(server.wakes, 1, 'the delivery worker is woken to send it now');
    const after = (await app.inject({ url: '/v1/deliveries/dlv_DEAD', headers: auth() })).json();
    assert.equal(after.status, 'pending');
    assert.equal(after.attempts, 0);
    assert.equal(after.webhook_id, 'msg_D2');
    assert.equal(after.next_attempt_at, server.clock.now().toISOString());

    const disabled = await app.inject({ method: 'POST', url: '/v1/deliveries/dlv_OFF/replay', headers: auth() });
    assert.equal(disabled.statusCode, 409);
    assert.match(disabled.json().message, /disabled/);
    assert.equal((await app.inject({ method: 'POST', url: '/v1/deliveries/dlv_NOPE/replay', headers: auth() })).statusCode, 404);
    assert.equal((await app.inject({ method: 'POST', url: '/v1/deliveries/dlv_DEAD/replay' })).statusCode, 401);
  });
});
