/**
 * Shadow mode on both databases, in process, with two fake OpenAI servers (live and candidate) and
 * a webhook receiver that verifies signatures with standardwebhooks: the candidate is asked only
 * after the live decision is committed and its ticket.suggested delivered (checked by holding the
 * candidate's request back, not by timing); its answer and would-be action are stored and never
 * acted on; an unreachable candidate is retried on the queue, then recorded as failed, and the live
 * outcome is the same as without it.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { createOpenAIClassifier } from '../../src/classify/openai-classifier.js';
import { type Config, configSchema } from '../../src/config/index.js';
import type { Db } from '../../src/db/index.js';
import { policyFrom } from '../../src/decide/index.js';
import { storeMessage } from '../../src/ingest/index.js';
import { createPipelineContext, messageHandler } from '../../src/pipeline/index.js';
import { createRunner } from '../../src/queue/index.js';
import { createShadowCandidate, type ShadowCandidate, shadowEffect, shadowHandler, startShadowWorker } from '../../src/shadow/index.js';
import { silentLogger } from '../../src/util/logger.js';
import { deliverDueNow, ticketEffect } from '../../src/webhooks/index.js';
import { addSubscription } from '../../src/webhooks/subscriptions.js';
import { waitFor } from '../ingest/helpers.js';
import { describeEachDatabase, truncateAll } from '../support/databases.js';
import { type FakeOpenAIServer, plausibleClassification, startFakeOpenAIServer } from '../support/fake-openai-server.js';
import { makeEml } from '../support/make-eml.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { ManualClock, secretBox, TEST_SECRET_KEY } from '../webhooks/fixtures.js';

const PRIVATE_ADDRESS = 'maria.private@azienda.example';
const BODY = `Buongiorno, da stamattina il login non funziona: errore 500 dopo la password. Scrivetemi a ${PRIVATE_ADDRESS}. Grazie, Maria`;

/** The candidate thinks every email is about a refund: money at stake, so never a ticket. */
const refundAnswer = () => ({
  intent: 'billing',
  category: 'other',
  priority: 'high',
  summary: 'The customer asks for a refund.',
  language: 'it',
  flags: { payment: true, legal: false },
  sentiment: 'negative',
  team: null,
  confidence: 0.88,
});

let live: FakeOpenAIServer;
let candidateServer: FakeOpenAIServer;
let receiver: WebhookReceiver;
before(async () => {
  live = await startFakeOpenAIServer({ logprobs: false, responder: plausibleClassification });
  candidateServer = await startFakeOpenAIServer({ logprobs: false, responder: refundAnswer });
  receiver = await startWebhookReceiver({});
});
after(async () => {
  await live.close();
  await candidateServer.close();
  await receiver.close();
});

function configFor(): Config {
  return configSchema.parse({
    classifier: {
      base_url: live.url,
      api_key: 'sk-live-test',
      model: 'live-model',
      max_retries: 0,
      timeout: '20s',
      examples: 0,
      shadow: { kind: 'openai', name: 'candidate-x', model: 'candidate-model', base_url: candidateServer.url, api_key: 'sk-candidate-test', max_retries: 0, redact: ['email'] },
    },
    webhooks: { allow_http: true, allow_private_networks: true, secret_key: TEST_SECRET_KEY, timeout: '5s' },
  });
}

/** One support email stored as ingest stores it. */
async function storeSupportEmail(db: Db): Promise<string> {
  const raw = makeEml({ body: BODY });
  return (await storeMessage(db, { mailbox: 'support', source: 'file', raw, sizeBytes: raw.length }, { maxCleanChars: 6000, now: new Date() })).id;
}

async function subscribe(db: Db): Promise<void> {
  const { secret } = await addSubscription(db, { url: receiver.url, urlPolicy: { allowHttp: true, allowPrivateNetworks: true }, secretBox, now: new Date() });
  receiver.secrets = [secret];
}

/** The live pipeline as `mailroom run` wires it, with the shadow effect last. */
function livePipeline(db: Db, config: Config, candidate: ShadowCandidate, wakeShadow: () => void) {
  const classifier = createOpenAIClassifier({ config: config.classifier, logger: silentLogger() });
  const effects = [ticketEffect({ rawEmailUrl: () => null, wake: () => {} }), shadowEffect({ candidate: candidate.name, wake: wakeShadow })];
  const ctx = createPipelineContext({ db, config, classifier, logger: silentLogger(), effects });
  return createRunner({ db, workerId: 'test-live', clock: { now: () => new Date() }, logger: silentLogger() }, messageHandler(ctx, 1));
}

describeEachDatabase('shadow mode', (getDb) => {
  beforeEach(async () => {
    await truncateAll(getDb());
    live.resetCounters();
    candidateServer.resetCounters();
    candidateServer.setFaults(null);
    receiver.requests.length = 0;
  });

  test('the live decision is committed and its webhook delivered while the candidate has not answered; then its result is stored, never acted on', { timeout: 60_000 }, async () => {
    const db = getDb();
    const config = configFor();
    await subscribe(db);
    // The candidate's request is held here until the live side is done: it has started, not answered.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let callStarted!: () => void;
    const started = new Promise<void>((resolve) => (callStarted = resolve));
    const held: typeof fetch = async (input, init) => {
      callStarted();
      await gate;
      return fetch(input, init);
    };
    const candidate = (await createShadowCandidate(config, { db, local: null, fetch: held }))!;
    const shadowWorker = startShadowWorker(
      {
        db,
        candidate,
        logger: silentLogger(),
        mailboxes: createPipelineContext({ db, config, classifier: candidate.classifier, logger: silentLogger() }).mailboxes,
        policy: policyFrom(config),
        maxMessageBytes: config.ingest.max_message_bytes,
        maxCleanChars: 6000,
      },
      { workerId: 'test-shadow' },
    );
    try {
      const emailId = await storeSupportEmail(db);
      const outcomes = await livePipeline(db, config, candidate, shadowWorker.wake).drainOnce();
      assert.deepEqual(
        outcomes.map((o) => o?.status),
        ['decided'],
      );
      await started;
      // The candidate's call is in flight: the live decision is already committed…
      const decision = await db.selectFrom('decisions').select(['action']).where('email_id', '=', emailId).executeTakeFirstOrThrow();
      assert.equal(decision.action, 'ticket');
      // …and its webhook goes out, signed, before the candidate answers.
      assert.deepEqual(await deliverDueNow({ db, config, logger: silentLogger(), secretBox }), { delivered: 1, failed: 0 });
      assert.equal(receiver.requests.length, 1);
      assert.deepEqual(receiver.requests[0]!.verifiedBy, [true]);
      assert.equal(JSON.parse(receiver.requests[0]!.body).type, 'ticket.suggested');
      const pending = await db.selectFrom('shadow_results').selectAll().where('email_id', '=', emailId).executeTakeFirstOrThrow();
      assert.equal(pending.status, 'pending');
      assert.equal(pending.action, null);
      assert.equal(candidateServer.requests.length, 0, 'the candidate has not been answered yet');

      release();
      const done = await waitFor('the shadow result', async () => {
        const row = await db.selectFrom('shadow_results').selectAll().where('email_id', '=', emailId).executeTakeFirst();
        return row?.status === 'done' ? row : null;
      });
      assert.equal(done.candidate, 'candidate-x');
      assert.equal(done.candidate_version, candidate.classifier.promptVersion);
      assert.equal(done.model, 'candidate-model');
      assert.equal(done.classification?.intent, 'billing');
      assert.equal(done.action, 'draft', 'payment is never a ticket: an acknowledging draft is what it would have done');
      assert.deepEqual(done.flags, { payment: true, legal: false, vip: false });
      assert.ok((done.prompt_tokens ?? 0) > 0, 'the tokens are stored');
      assert.equal(typeof done.latency_ms, 'number');
      assert.equal(done.error, null);
      // The candidate read the same cleaned text, with the address replaced (its redact setting).
      assert.equal(candidateServer.requests.length, 1);
      const shown = JSON.stringify(candidateServer.requests[0]!.body.messages);
      assert.match(shown, /errore 500 dopo la password/);
      assert.doesNotMatch(shown, /maria\.private@/);
      assert.match(shown, /\[EMAIL_1\]/);
      assert.match(JSON.stringify(live.requests[0]!.body.messages), /maria\.private@/, 'the live model on loopback reads it unredacted');

      // Never acted on: the decision stands, no draft, no keyword, no other event.
      assert.equal((await db.selectFrom('decisions').select('action').where('email_id', '=', emailId).executeTakeFirstOrThrow()).action, 'ticket');
      assert.equal((await db.selectFrom('drafts').select('id').execute()).length, 0);
      assert.equal((await db.selectFrom('keyword_updates').select('id').execute()).length, 0);
      assert.equal((await db.selectFrom('webhook_events').select('id').execute()).length, 1);
      assert.equal(receiver.requests.length, 1);
    } finally {
      release();
      await shadowWorker.stop(2000);
    }
  });

  test('an unreachable candidate is retried with the backoff, then recorded as failed; the live outcome is what it is without shadow mode', { timeout: 60_000 }, async () => {
    const db = getDb();
    const config = configFor();
    await subscribe(db);
    candidateServer.setFaults(() => ({ type: 'status', status: 503, message: 'candidate overloaded' }));
    const candidate = (await createShadowCandidate(config, { db, local: null }))!;
    const emailId = await storeSupportEmail(db);
    await livePipeline(db, config, candidate, () => {}).drainOnce();
    assert.deepEqual(await deliverDueNow({ db, config, logger: silentLogger(), secretBox }), { delivered: 1, failed: 0 });

    // The shadow worker's own clock, from after the live decision: the backoff is stepped over, not waited for.
    const clock = new ManualClock();
    const shadowQueue = createRunner(
      { db, workerId: 'test-shadow', clock, logger: silentLogger(), random: () => 0.5 },
      shadowHandler({
        db,
        candidate,
        logger: silentLogger(),
        clock,
        mailboxes: createPipelineContext({ db, config, classifier: candidate.classifier, logger: silentLogger() }).mailboxes,
        policy: policyFrom(config),
        maxMessageBytes: 1e7,
        maxCleanChars: 6000,
        maxAttempts: 2,
      }),
    );
    const first = await shadowQueue.drainOnce();
    assert.equal(first[0]?.status, 'postponed');
    const waiting = await db.selectFrom('shadow_results').selectAll().executeTakeFirstOrThrow();
    assert.equal(waiting.status, 'pending');
    assert.match(waiting.last_error ?? '', /unreachable.*503|503.*overloaded/s);
    assert.ok(waiting.next_attempt_at.getTime() > clock.now().getTime(), 'backed off');
    assert.deepEqual(await shadowQueue.drainOnce(), [], 'not due before its backoff');

    clock.advance(60 * 60 * 1000);
    const second = await shadowQueue.drainOnce();
    assert.equal(second[0]?.status, 'failed');
    const failed = await db.selectFrom('shadow_results').selectAll().executeTakeFirstOrThrow();
    assert.equal(failed.status, 'failed');
    assert.equal(failed.attempts, 2);
    assert.match(failed.error ?? '', /candidate-x could not classify email .* after 2 attempt/);
    assert.equal(failed.action, null);
    assert.equal(candidateServer.requests.length, 2);

    // The live side: decided, delivered once, nothing else — as without a candidate.
    const decision = await db.selectFrom('decisions').select(['action', 'flags']).where('email_id', '=', emailId).executeTakeFirstOrThrow();
    assert.equal(decision.action, 'ticket');
    assert.deepEqual(decision.flags, { payment: false, legal: false, vip: false });
    assert.equal((await db.selectFrom('messages').select('status').where('id', '=', emailId).executeTakeFirstOrThrow()).status, 'decided');
    assert.equal(receiver.requests.length, 1);
    assert.equal((await db.selectFrom('webhook_deliveries').select('status').executeTakeFirstOrThrow()).status, 'delivered');
  });

  test('a candidate that answers invalidly is stored as what the engine does without an answer (review), with the reason', { timeout: 60_000 }, async () => {
    const db = getDb();
    const config = configFor();
    candidateServer.setFaults(() => ({ type: 'content', content: 'I would rather not say.' }));
    const candidate = (await createShadowCandidate(config, { db, local: null }))!;
    const handler = shadowHandler({
      db,
      candidate,
      logger: silentLogger(),
      mailboxes: createPipelineContext({ db, config, classifier: candidate.classifier, logger: silentLogger() }).mailboxes,
      policy: policyFrom(config),
      maxMessageBytes: 1e7,
      maxCleanChars: 6000,
    });
    const shadowQueue = createRunner({ db, workerId: 'test-shadow', clock: { now: () => new Date() }, logger: silentLogger() }, handler);
    const emailId = await storeSupportEmail(db);
    await livePipeline(db, config, candidate, () => {}).drainOnce();
    await shadowQueue.drainOnce();
    const row = await db.selectFrom('shadow_results').selectAll().where('email_id', '=', emailId).executeTakeFirstOrThrow();
    assert.equal(row.status, 'done');
    assert.equal(row.action, 'review');
    assert.equal(row.classification, null);
    assert.match(row.error ?? '', /no valid classification/);
    assert.equal((await db.selectFrom('decisions').select('action').where('email_id', '=', emailId).executeTakeFirstOrThrow()).action, 'ticket');
  });

  test('while live mail waits for a model slot the shadow worker takes no job', { timeout: 60_000 }, async () => {
    const db = getDb();
    const config = configFor();
    const candidate = (await createShadowCandidate(config, { db, local: null }))!;
    let liveWaiting = true;
    const handler = shadowHandler({
      db,
      candidate,
      logger: silentLogger(),
      mailboxes: createPipelineContext({ db, config, classifier: candidate.classifier, logger: silentLogger() }).mailboxes,
      policy: policyFrom(config),
      maxMessageBytes: 1e7,
      maxCleanChars: 6000,
      liveBusy: () => liveWaiting,
    });
    const shadowQueue = createRunner({ db, workerId: 'test-shadow', clock: { now: () => new Date() }, logger: silentLogger() }, handler);
    await storeSupportEmail(db);
    await livePipeline(db, config, candidate, () => {}).drainOnce();
    assert.deepEqual(await shadowQueue.drainOnce(), []);
    assert.equal(candidateServer.requests.length, 0);
    assert.equal((await db.selectFrom('shadow_results').select('status').executeTakeFirstOrThrow()).status, 'pending');
    liveWaiting = false;
    assert.deepEqual(
      (await shadowQueue.drainOnce()).map((o) => o?.status),
      ['done'],
    );
  });

  test('a pre-filtered email is not shadowed: no classifier was asked', { timeout: 60_000 }, async () => {
    const db = getDb();
    const config = configFor();
    const candidate = (await createShadowCandidate(config, { db, local: null }))!;
    const raw = makeEml({
      from: 'Mail Delivery System <MAILER-DAEMON@mx.example>',
      subject: 'Undelivered Mail Returned to Sender',
      body: 'This is the mail system at host mx.example. Your message could not be delivered.',
    });
    await storeMessage(db, { mailbox: 'support', source: 'file', raw, sizeBytes: raw.length }, { maxCleanChars: 6000, now: new Date() });
    await livePipeline(db, config, candidate, () => {}).drainOnce();
    assert.equal((await db.selectFrom('decisions').select('prefilter').executeTakeFirstOrThrow()).prefilter, 'bounce');
    assert.equal((await db.selectFrom('shadow_results').select('id').execute()).length, 0);
  });
});
