/**
 * An unexpected error in any handler (a bug, a dependency that throws) gives the item back to the
 * queue at once, with a backoff of seconds, and the next pass after it takes the item again:
 * messages, reply drafts, webhook deliveries and IMAP keywords alike.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import type { ClassifierInput } from '../../src/classify/index.js';
import { createRulesClassifier } from '../../src/classify/rules-classifier.js';
import { configSchema, type Mailboxes, mailboxFacts } from '../../src/config/index.js';
import type { Db } from '../../src/db/index.js';
import { draftHandler, enqueueDraft } from '../../src/drafts/index.js';
import { enqueueKeyword, keywordHandler, storeMessage } from '../../src/ingest/index.js';
import { createPipelineContext, messageHandler } from '../../src/pipeline/index.js';
import { createRunner, type QueueHandler, type QueueRow, type QueueTable } from '../../src/queue/index.js';
import type { Clock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { addSubscription, deliveryHandler, enqueueTicketEvent } from '../../src/webhooks/index.js';
import { describeEachDatabase, truncateAll } from '../support/databases.js';
import { makeEml } from '../support/make-eml.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { secretBox, testConfig, ticketInput } from '../webhooks/fixtures.js';

const INJECTED = 'injected fault';
const later: Clock = { now: () => new Date(Date.now() + 10_000) };

/** Throws once, then behaves. */
function once<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  let thrown = false;
  return (...args) => {
    if (!thrown) {
      thrown = true;
      throw new Error(INJECTED);
    }
    return fn(...args);
  };
}

let receiver: WebhookReceiver;
before(async () => {
  receiver = await startWebhookReceiver();
});
after(() => receiver.close());

describeEachDatabase('an unexpected error in a handler', (getDb) => {
  beforeEach(() => truncateAll(getDb()));

  async function drain<Row extends QueueRow, Out>(handler: QueueHandler<Row, Out>, clock: Clock = { now: () => new Date() }) {
    return createRunner({ db: getDb(), workerId: `test-${handler.table}`, clock, logger: silentLogger() }, handler).drainOnce();
  }

  /** The item is back in the queue, unclaimed, due within seconds, with the reason. */
  async function assertGivenBack(db: Db, table: QueueTable, id: string): Promise<void> {
    const row = (await db
      .selectFrom(table as 'drafts')
      .select(['status', 'locked_by', 'next_attempt_at', 'updated_at', 'last_error'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow()) as { status: string; locked_by: string | null; next_attempt_at: Date; updated_at: Date; last_error: string | null };
    assert.equal(row.status, 'pending');
    assert.equal(row.locked_by, null, 'the claim is released at once, not held until it goes stale');
    const backoff = new Date(row.next_attempt_at).getTime() - new Date(row.updated_at).getTime();
    assert.ok(backoff > 0 && backoff <= 5000, `retried within seconds (${backoff} ms)`);
    assert.match(row.last_error ?? '', new RegExp(`unexpected error: ${INJECTED}`));
  }

  async function storedEmail(db: Db, imapUid?: number): Promise<string> {
    const raw = makeEml({ subject: 'The export button does nothing', body: 'Hello, clicking Export gives an error. Thanks, Ann' });
    const imap = imapUid === undefined ? {} : { imap: { uidvalidity: 1, uid: imapUid } };
    const stored = await storeMessage(db, { mailbox: 'support', source: imapUid === undefined ? 'file' : 'imap', raw, sizeBytes: raw.length, ...imap }, { maxCleanChars: 6000, now: new Date() });
    return stored.id;
  }

  test('messages: the classifier throws; the message is retried within seconds and decided', async () => {
    const db = getDb();
    const id = await storedEmail(db);
    const rules = createRulesClassifier([]);
    const classifier = { ...rules, classify: once((input: ClassifierInput) => rules.classify(input)) };
    const handler = messageHandler(createPipelineContext({ db, config: configSchema.parse({}), classifier, logger: silentLogger() }), 1);
    assert.deepEqual(await drain(handler), [null]);
    await assertGivenBack(db, 'messages', id);
    const [outcome] = await drain(handler, later);
    assert.equal(outcome?.status, 'decided');
  });

  test('drafts: the reply writer throws; the draft is retried within seconds', async () => {
    const db = getDb();
    const id = await storedEmail(db);
    const draftId = await db.transaction().execute((trx) => enqueueDraft(trx, { emailId: id, mailbox: 'support', acknowledgeOnly: false }, new Date()));
    const config = configSchema.parse({
      mailboxes: [{ name: 'support', host: '127.0.0.1', port: 1, security: 'plain', user: 'support', password: 'x', addresses: ['support@mailroom.example'] }],
    });
    const writer = { write: once(async () => ({ text: 'Thanks, we are looking into it.', language: 'en', writer: 'test' })) };
    const handler = draftHandler({ db, config, logger: silentLogger(), writer });
    assert.deepEqual(await drain(handler), [null]);
    await assertGivenBack(db, 'drafts', draftId!);
    // The next attempt goes on to the mailbox (unreachable here): an expected failure, postponed with its reason.
    const [outcome] = await drain(handler, later);
    assert.equal(outcome?.status, 'postponed');
  });

  test('deliveries: scheduling the retry throws; the delivery is retried within seconds and delivered', async () => {
    const db = getDb();
    const { secret } = await addSubscription(db, { url: receiver.url, urlPolicy: { allowHttp: true, allowPrivateNetworks: true }, secretBox, now: new Date() });
    receiver.secrets = [secret];
    const first = receiver.requests.length;
    receiver.respond = (q) => (q.index === first ? { status: 500 } : { status: 200 });
    const { eventId } = await db.transaction().execute((trx) => enqueueTicketEvent(trx, ticketInput(), new Date()));
    const delivery = await db.selectFrom('webhook_deliveries').select('id').where('event_id', '=', eventId).executeTakeFirstOrThrow();
    const handler = (clock?: Clock) => deliveryHandler({ db, config: testConfig(), logger: silentLogger(), secretBox, random: once(() => 0.5), ...(clock ? { clock } : {}) });
    assert.deepEqual(await drain(handler()), [null]);
    await assertGivenBack(db, 'webhook_deliveries', delivery.id);
    assert.deepEqual(await drain(handler(later), later), ['delivered']);
  });

  test('keywords: looking up the mailbox throws; the keyword is retried within seconds', async () => {
    const db = getDb();
    const id = await storedEmail(db, 7);
    await db.transaction().execute((trx) => enqueueKeyword(trx, { emailId: id, mailbox: 'support', keyword: '$Mailroom-Ticket' }, new Date()));
    const keyword = await db.selectFrom('keyword_updates').select('id').executeTakeFirstOrThrow();
    const none = mailboxFacts({ mailboxes: [] });
    const mailboxes: Mailboxes = { ...none, get: once(none.get) };
    const handler = keywordHandler({ db, mailboxes, logger: silentLogger(), clock: { now: () => new Date() } });
    assert.deepEqual(await drain(handler), [null]);
    await assertGivenBack(db, 'keyword_updates', keyword.id);
    // Taken again: this mailbox is not configured, which the handler says instead of throwing.
    assert.deepEqual(await drain(handler, later), [{ status: 'skipped', reason: 'mailbox "support" is not configured' }]);
  });
});
