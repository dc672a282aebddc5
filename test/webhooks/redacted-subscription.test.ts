import assert from 'node:assert/strict';
import { after, beforeEach, test } from 'node:test';
import { silentLogger } from '../../src/util/logger.js';
import { deliverDueNow } from '../../src/webhooks/index.js';
import { addSubscription, listSubscriptions } from '../../src/webhooks/subscriptions.js';
import { enqueueTicketEvent } from '../../src/webhooks/ticket-event.js';
import { describeEachDatabase, truncateAll } from '../support/databases.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { parsedEmail, secretBox, testConfig, ticketInput } from './fixtures.js';

const receivers: WebhookReceiver[] = [];
after(async () => {
  await Promise.all(receivers.map((r) => r.close()));
});

describeEachDatabase('subscriptions with --redact', (getDb) => {
  beforeEach(async () => {
    await truncateAll(getDb());
  });

  test('a redact subscription gets subject, summary and body_text with placeholders; the others the email as it is; both signed, same webhook-id', { timeout: 20_000 }, async () => {
    const db = getDb();
    const plain = await startWebhookReceiver({});
    const redacted = await startWebhookReceiver({});
    receivers.push(plain, redacted);
    const policy = { allowHttp: true, allowPrivateNetworks: true };
    plain.secrets = [(await addSubscription(db, { url: plain.url, urlPolicy: policy, secretBox, now: new Date() })).secret];
    redacted.secrets = [(await addSubscription(db, { url: redacted.url, redact: true, urlPolicy: policy, secretBox, now: new Date() })).secret];
    assert.deepEqual(
      (await listSubscriptions(db, new Date())).map((s) => s.redact),
      [false, true],
    );

    const email = parsedEmail({ subject: 'Rimborso sulla carta 4970 1024 5957 1172', newestText: 'Buongiorno, chiamatemi al 347 123 4567 o scrivete a mario@cliente.example.' });
    const input = ticketInput({ email, pii: { found: { card: 1, phone: 1, email: 1 }, view: null, mapping: [] } });
    await db.transaction().execute((trx) => enqueueTicketEvent(trx, input, new Date()));
    assert.deepEqual(await deliverDueNow({ db, config: testConfig(), logger: silentLogger(), secretBox }), { delivered: 2, failed: 0 });

    const [p] = plain.requests;
    const [r] = redacted.requests;
    assert.ok(p && r);
    assert.equal(p.verifyError, null);
    assert.equal(r.verifyError, null);
    assert.equal(p.webhookId, r.webhookId);
    const plainBody = JSON.parse(p.body);
    const redactedBody = JSON.parse(r.body);
    assert.equal(plainBody.data.subject, email.subject);
    assert.deepEqual(plainBody.data.pii, { redacted: false, kinds: ['email', 'phone', 'card'] });
    assert.equal(redactedBody.data.subject, 'Rimborso sulla carta [CARD_1]');
    assert.equal(redactedBody.data.body_text, 'Buongiorno, chiamatemi al [PHONE_1] o scrivete a [EMAIL_1].');
    assert.ok(!r.body.includes('4970') && !r.body.includes('347 123'), 'no value in the redacted body');
    assert.deepEqual(redactedBody.data.pii, plainBody.data.pii);
  });
});
