/**
 * The model watch against the fake OpenAI server, on both databases: a server whose GET /models
 * answers while its completions still fail gets one waiting email per probe, never the whole
 * queue; the first classification that succeeds releases every other waiting email at once.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { pino } from 'pino';
import { createOpenAIClassifier } from '../../src/classify/openai-classifier.js';
import { configSchema } from '../../src/config/index.js';
import { storeMessage } from '../../src/ingest/index.js';
import { llmProbe, resolveLlmEndpoint } from '../../src/ops/index.js';
import { createModelWatch, createPipelineContext, messageHandler } from '../../src/pipeline/index.js';
import { createRunner } from '../../src/queue/index.js';
import { waitFor } from '../ingest/helpers.js';
import { describeEachDatabase, truncateAll } from '../support/databases.js';
import { type FakeOpenAIServer, plausibleClassification, startFakeOpenAIServer } from '../support/fake-openai-server.js';
import { makeEml } from '../support/make-eml.js';

let llm: FakeOpenAIServer;
before(async () => {
  llm = await startFakeOpenAIServer({ logprobs: false, responder: plausibleClassification });
});
after(() => llm.close());

describeEachDatabase('emails waiting for the model', (getDb) => {
  beforeEach(async () => {
    await truncateAll(getDb());
    llm.resetCounters();
    llm.setFaults(null);
  });

  test('one email per probe while completions fail, the rest at once after the first success', async () => {
    const db = getDb();
    const config = configSchema.parse({ classifier: { base_url: llm.url, api_key: 'sk-watch-test', model: 'test-model', max_retries: 0, timeout: '3s' } });
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const classifier = createOpenAIClassifier({ config: config.classifier, logger });
    const ctx = createPipelineContext({ db, config, classifier, logger });
    const runner = createRunner({ db, workerId: 'test-watch', clock: { now: () => new Date() }, logger }, messageHandler(ctx, 4));
    const watch = createModelWatch({ db, probe: () => llmProbe(resolveLlmEndpoint(config.classifier, {})).probe(), clock: { now: () => new Date() }, logger, wake: () => {}, probeMs: 50 });
    ctx.modelWatch = watch;
    for (const n of [1, 2, 3]) {
      const raw = makeEml({ messageId: `<wait.${n}@customer.example>`, subject: `Export broken ${n}` });
      await storeMessage(db, { mailbox: 'support', source: 'imap', raw, sizeBytes: raw.length }, { maxCleanChars: 6000, now: new Date() });
    }
    const due = async () => (await db.selectFrom('messages').select('id').where('status', '=', 'pending').where('next_attempt_at', '<=', new Date()).execute()).length;

    llm.setFaults(() => ({ type: 'status', status: 500, message: 'the model is loading' }));
    const first = await runner.drainOnce();
    assert.deepEqual(
      first.map((o) => o?.status),
      ['postponed', 'postponed', 'postponed'],
    );
    assert.equal((await db.selectFrom('messages').select('id').where('waiting_for', '=', 'model').execute()).length, 3);
    assert.equal(await due(), 0, 'each waits for its backoff');
    assert.equal(watch.state()?.ok, false);

    // GET /models answers, completions still fail: each probe lets one email through, which fails again.
    watch.start();
    try {
      for (let round = 0; round < 3; round++) {
        await waitFor('one email released by a probe', async () => (await due()) > 0, 10_000, 20);
        assert.equal(await due(), 1, 'a probe releases one email, not the queue');
        const outcomes = await runner.drainOnce();
        assert.deepEqual(
          outcomes.map((o) => o?.status),
          ['postponed'],
        );
      }

      llm.setFaults(null);
      llm.resetCounters();
      await waitFor('one email released by a probe', async () => (await due()) > 0, 10_000, 20);
      // The released email is classified; that success releases the other two at once.
      const decided: string[] = [];
      await waitFor(
        'all three decided',
        async () => {
          for (const o of await runner.drainOnce()) if (o?.status === 'decided') decided.push(o.emailId);
          return decided.length === 3;
        },
        10_000,
        20,
      );
      assert.equal(llm.requests.length, 3, 'one classification per email after recovery');
    } finally {
      watch.stop();
    }
    const rows = await db.selectFrom('messages').select(['status', 'waiting_for']).execute();
    assert.ok(rows.every((r) => r.status === 'decided' && r.waiting_for === null));
    const log = lines.join('');
    assert.equal(log.match(/the AI model does not answer/g)?.length, 1, 'the outage is one line');
    assert.equal(log.match(/the AI model answers again/g)?.length, 1, 'the recovery is one line');
  });
});
