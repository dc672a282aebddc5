/**
 * /metrics for shadow mode on both databases: real live and candidate classifications (two fake
 * OpenAI servers, the live pipeline and the shadow queue as `mailroom run` wires them), then a
 * scrape. The figures come from shadow_results, so a second process on the same database reports
 * the same, and they agree with `mailroom shadow report`.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { createOpenAIClassifier } from '../../src/classify/openai-classifier.js';
import { type Config, configSchema } from '../../src/config/index.js';
import type { Db } from '../../src/db/index.js';
import { policyFrom } from '../../src/decide/index.js';
import { storeMessage } from '../../src/ingest/index.js';
import { observeDatabase } from '../../src/ops/metrics.js';
import { createPipelineContext, messageHandler } from '../../src/pipeline/index.js';
import { createRunner } from '../../src/queue/index.js';
import { createShadowCandidate, type ShadowCandidate, shadowEffect, shadowHandler, shadowReports } from '../../src/shadow/index.js';
import { silentLogger } from '../../src/util/logger.js';
import { createMetrics } from '../../src/util/metrics.js';
import { auth, testServer } from '../api/fixtures.js';
import { describeEachDatabase, truncateAll } from '../support/databases.js';
import { type ChatRequestBody, emailTextOf, type FakeOpenAIServer, plausibleClassification, startFakeOpenAIServer } from '../support/fake-openai-server.js';
import { makeEml } from '../support/make-eml.js';

/** The candidate reads a login problem as a refund request (payment: never a ticket), garbles invoices, and otherwise answers as the live model. */
function candidateAnswer(body: ChatRequestBody) {
  const text = emailTextOf(body).toLowerCase();
  if (text.includes('login')) return { ...plausibleClassification(body), intent: 'billing', flags: { payment: true, legal: false }, confidence: 0.88 };
  if (text.includes('invoice')) return 'I would rather not say.';
  return plausibleClassification(body);
}

let live: FakeOpenAIServer;
let candidateServer: FakeOpenAIServer;
before(async () => {
  live = await startFakeOpenAIServer({ logprobs: false, responder: plausibleClassification });
  candidateServer = await startFakeOpenAIServer({ logprobs: false, responder: candidateAnswer, delayMs: 20 });
});
after(async () => {
  await live.close();
  await candidateServer.close();
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
      shadow: { kind: 'openai', name: 'candidate-m', model: 'candidate-model', base_url: candidateServer.url, api_key: 'sk-candidate-test', max_retries: 0 },
    },
  });
}

const EMAILS = [
  { subject: 'Accesso bloccato', body: 'Buongiorno, da stamattina il login non funziona: errore 500 dopo la password. Grazie, Maria' },
  { subject: 'Export', body: 'Hello, the export crashes with an error every time I press the button. Thanks, Tom' },
  { subject: 'November', body: 'Hello, please send me the invoice for November again, the PDF is missing. Thanks, Ann' },
  { subject: 'Dashboard', body: 'Hello, the dashboard is broken since this morning, error 502. Thanks, Bob' },
];

/** Decides every email live, then lets the candidate classify each once. */
async function liveThenShadow(db: Db, config: Config, candidate: ShadowCandidate): Promise<void> {
  for (const email of EMAILS) {
    const raw = makeEml(email);
    await storeMessage(db, { mailbox: 'support', source: 'file', raw, sizeBytes: raw.length }, { maxCleanChars: 6000, now: new Date() });
  }
  const classifier = createOpenAIClassifier({ config: config.classifier, logger: silentLogger() });
  const ctx = createPipelineContext({ db, config, classifier, logger: silentLogger(), effects: [shadowEffect({ candidate: candidate.name, wake: () => {} })] });
  const clock = { now: () => new Date() };
  await createRunner({ db, workerId: 'test-live', clock, logger: silentLogger() }, messageHandler(ctx, 1)).drainOnce();
  const shadow = shadowHandler({
    db,
    candidate,
    logger: silentLogger(),
    mailboxes: ctx.mailboxes,
    policy: policyFrom(config),
    maxMessageBytes: config.ingest.max_message_bytes,
    maxCleanChars: 6000,
  });
  await createRunner({ db, workerId: 'test-shadow', clock, logger: silentLogger() }, shadow).drainOnce();
}

/** The value of one series of a Prometheus text exposition, or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describeEachDatabase('shadow metrics', (getDb) => {
  beforeEach(async () => {
    await truncateAll(getDb());
    candidateServer.setFaults(null);
    candidateServer.resetCounters();
  });

  test('/metrics reports the candidate from the database: classified, errors by kind, flips, agreement, latency; a second process reads the same', { timeout: 60_000 }, async () => {
    const db = getDb();
    const config = configFor();
    // The candidate refuses the key for one email: a permanent error, recorded as failed at once.
    candidateServer.setFaults((body) => (emailTextOf(body).includes('error 502') ? { type: 'status', status: 401, message: 'invalid key' } : null));
    const candidate = (await createShadowCandidate(config, { db, local: null }))!;
    await liveThenShadow(db, config, candidate);

    const rows = await db.selectFrom('shadow_results as s').innerJoin('decisions as d', 'd.email_id', 's.email_id').select(['s.status', 's.action', 's.error', 'd.action as live']).execute();
    assert.equal(rows.length, 4, 'every classified live email was shadowed');
    const done = rows.filter((r) => r.status === 'done');
    assert.equal(done.length, 3);
    assert.equal(rows.filter((r) => r.status === 'failed').length, 1);
    const sameAction = done.filter((r) => r.action === r.live).length;

    const { app } = testServer(db, { shadowCandidate: 'candidate-m' });
    try {
      const text = (await app.inject({ url: '/metrics', headers: auth() })).body;
      const c = 'candidate="candidate-m"';
      assert.match(text, /# TYPE mailroom_shadow_classified_total counter/);
      assert.equal(sample(text, `mailroom_shadow_classified_total{${c}}`), 3);
      assert.equal(sample(text, `mailroom_shadow_errors_total{${c},kind="unreachable"}`), 1);
      assert.equal(sample(text, `mailroom_shadow_errors_total{${c},kind="invalid"}`), 1, 'the garbled invoice answer');
      assert.equal(sample(text, `mailroom_shadow_pending{${c}}`), 0);
      // The login email: live ticket, the candidate's payment flag makes it an acknowledging draft.
      assert.equal(sample(text, `mailroom_shadow_flips_total{${c},from="ticket",to="draft"}`), 1);
      const flips = [...text.matchAll(/^mailroom_shadow_flips_total\{[^}]*\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
      assert.equal(flips, done.length - sameAction);
      assert.equal(sample(text, `mailroom_shadow_agreement_ratio{${c},on="action"}`), sameAction / 3);
      assert.equal(sample(text, `mailroom_shadow_agreement_compared{${c},on="action"}`), 3);
      // Intents: login (support vs billing) and crash (support both); the invalid answer has none.
      assert.equal(sample(text, `mailroom_shadow_agreement_compared{${c},on="intent"}`), 2);
      assert.equal(sample(text, `mailroom_shadow_agreement_ratio{${c},on="intent"}`), 0.5);
      const p50 = sample(text, `mailroom_shadow_latency_seconds{${c},quantile="0.5"}`);
      const p95 = sample(text, `mailroom_shadow_latency_seconds{${c},quantile="0.95"}`);
      assert.ok(p50 !== undefined && p50 >= 0.02, `the candidate's delayed calls are measured (p50 ${p50})`);
      assert.ok(p95 !== undefined && p95 >= p50);

      // The report reads the same rows: the same agreement and flips.
      const [report] = await shadowReports(db, { candidate: 'candidate-m' });
      assert.deepEqual([report!.comparison.sameAction.hits, report!.comparison.sameAction.total], [sameAction, 3]);
      assert.deepEqual([report!.comparison.sameIntent.hits, report!.comparison.sameIntent.total], [1, 2]);

      // Another process on the same database (its own registry, no shadow work of its own) reports the same.
      const other = createMetrics({ defaultMetrics: false });
      observeDatabase(other, db, { clock: { now: () => new Date() }, shadowCandidate: 'candidate-m' });
      const shadowLines = (t: string) => t.split('\n').filter((l) => l.startsWith('mailroom_shadow_'));
      assert.deepEqual(shadowLines(await other.registry.metrics()), shadowLines(text));
    } finally {
      await app.close();
    }
  });

  test('without classifier.shadow there are no shadow series; with a candidate that has done nothing yet they read 0', async () => {
    const db = getDb();
    const plain = testServer(db);
    const idle = testServer(db, { shadowCandidate: 'new-one' });
    try {
      assert.doesNotMatch((await plain.app.inject({ url: '/metrics', headers: auth() })).body, /mailroom_shadow_/);
      const text = (await idle.app.inject({ url: '/metrics', headers: auth() })).body;
      assert.equal(sample(text, 'mailroom_shadow_classified_total{candidate="new-one"}'), 0);
      assert.equal(sample(text, 'mailroom_shadow_agreement_ratio{candidate="new-one",on="action"}'), 0);
      assert.equal(sample(text, 'mailroom_shadow_agreement_compared{candidate="new-one",on="action"}'), 0);
      assert.doesNotMatch(text, /mailroom_shadow_latency_seconds\{/, 'no latency until one is measured');
    } finally {
      await plain.app.close();
      await idle.app.close();
    }
  });
});
