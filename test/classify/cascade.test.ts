/**
 * The local model beside the AI model (a real OpenAI-compatible server on loopback): its second
 * opinion on the flags joins every answer, and with classifier.cascade an email it is sure of is
 * answered locally — no model call — only once it has agreed with the model often enough.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { sql } from 'kysely';
import { type ClassifierSetup, createClassifier } from '../../src/classify/index.js';
import { configSchema } from '../../src/config/index.js';
import type { Db } from '../../src/db/index.js';
import { observeDatabase } from '../../src/ops/index.js';
import { parseEmail } from '../../src/parse/index.js';
import { systemClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { createMetrics } from '../../src/util/metrics.js';
import { describeEachDatabase, truncateAll } from '../support/databases.js';
import { type FakeOpenAIServer, startFakeOpenAIServer } from '../support/fake-openai-server.js';
import { makeEml } from '../support/make-eml.js';

let server: FakeOpenAIServer;
const folder = mkdtempSync(join(tmpdir(), 'mailroom-cascade-'));
before(async () => {
  server = await startFakeOpenAIServer({ logprobs: false });
});
after(async () => {
  await server.close();
  rmSync(folder, { recursive: true, force: true });
});

const JOB = makeEml({ subject: 'Candidatura sviluppatore frontend', body: 'Buongiorno, vi invio il mio curriculum per la posizione di sviluppatore frontend. Cordiali saluti, Luca Bianchi' });

describeEachDatabase('the local model beside the AI model', (getDb) => {
  const setups: ClassifierSetup[] = [];
  beforeEach(async () => {
    await truncateAll(getDb());
    server.resetCounters();
  });
  after(async () => {
    for (const s of setups) await s.local?.close();
  });

  async function setup(cascade: boolean): Promise<ClassifierSetup> {
    const config = configSchema.parse({
      classifier: { base_url: server.url, api_key: 'k', model: 'test-model', max_retries: 0, cascade, local: { path: join(folder, 'model.json'), cascade_audit: 0 } },
    });
    const made = await createClassifier(config, { logger: silentLogger(), db: getDb() });
    setups.push(made);
    return made;
  }

  /** `n` earlier emails the local model was sure of, of which `agreeing` the model answered alike. */
  async function history(db: Db, n: number, agreeing: number, from = 0, decidedLocally = false): Promise<void> {
    for (let i = from; i < from + n; i++) {
      const id = `em_HISTORY${String(i).padStart(6, '0')}`;
      await db
        .insertInto('messages')
        .values({
          id,
          thread_id: `th_${i}`,
          mailbox: 'support',
          source: 'file',
          sha256: id,
          size_bytes: 1,
          raw: Buffer.from('x'),
          raw_headers: '',
          message_id: null,
          from_address: null,
          from_name: null,
          subject: null,
          sent_at: null,
          imap_uid: null,
          imap_uidvalidity: null,
          last_error: null,
          locked_by: null,
          locked_at: null,
          raw_chars: null,
          clean_chars: null,
          parsed: null,
        })
        .execute();
      await db
        .insertInto('local_predictions')
        .values({
          email_id: id,
          model_version: 'lm-test',
          intent: 'job',
          confidence: 0.97,
          payment: 0,
          legal: 0,
          llm_intent: decidedLocally ? null : i - from < agreeing ? 'job' : 'sales',
          decided_locally: decidedLocally,
        })
        .execute();
    }
  }

  test('every answer of the model carries the local second opinion and the local answer', async () => {
    const { classifier } = await setup(false);
    const result = await classifier.classify({ email: await parseEmail(JOB), mailbox: 'support' });
    assert.equal(server.totalRequests, 1);
    assert.equal(result.classifier, 'openai');
    assert.ok(result.secondOpinion && result.secondOpinion.payment >= 0 && result.secondOpinion.legal >= 0);
    assert.equal(result.local?.intent, 'job');
    assert.equal(result.local?.decidedLocally, false);
    assert.match(result.modelVersion ?? '', /^lm-/);
  });

  test('cascade: not before it has agreed on enough confident answers; then the sure ones skip the model', async () => {
    const { classifier } = await setup(true);
    const email = await parseEmail(JOB);
    await history(getDb(), 60, 60);
    await classifier.classify({ email, mailbox: 'support' });
    assert.equal(server.totalRequests, 1, '60 agreeing answers are not enough (cascade_min_answers 100)');

    const { classifier: trusted } = await setup(true);
    await history(getDb(), 60, 60, 60);
    const local = await trusted.classify({ email, mailbox: 'support' });
    assert.equal(server.totalRequests, 1, 'answered without a model call');
    assert.equal(local.classifier, 'local');
    assert.equal(local.mode, 'cascade');
    assert.equal(local.classification.intent, 'job');
    assert.equal(local.local?.decidedLocally, true);
    assert.equal(local.noTickets, undefined, 'its agreement with the model earned it the model’s say');

    const unsure = await parseEmail(makeEml({ subject: 'hm', body: 'ok' }));
    await trusted.classify({ email: unsure, mailbox: 'support' });
    assert.equal(server.totalRequests, 2, 'what it is unsure of still goes to the model');
  });

  test('cascade: an agreement below 97 % keeps every email with the model', async () => {
    await history(getDb(), 150, 140);
    const { classifier } = await setup(true);
    await classifier.classify({ email: await parseEmail(JOB), mailbox: 'support' });
    assert.equal(server.totalRequests, 1, '140 of 150 = 93 %');
  });

  test('/metrics: the share decided locally, the model calls and tokens it saved, the running agreement', async () => {
    const db = getDb();
    await history(db, 150, 147);
    await history(db, 30, 0, 150, true);
    for (let i = 0; i < 10; i++) {
      await db
        .insertInto('classifications')
        .values({
          email_id: `em_HISTORY${String(i).padStart(6, '0')}`,
          classifier: 'openai',
          model: 'test-model',
          prompt_version: 'p1',
          input_hash: `h${i}`,
          output: null,
          confidence: null,
          model_confidence: null,
          logprob_confidence: null,
          mode: 'json_schema',
          prompt_tokens: 900,
          completion_tokens: 100,
          latency_ms: 10,
          cached_from: null,
          error: null,
        })
        .execute();
      await sql`update classifications set output = '{}'::jsonb where input_hash = ${`h${i}`}`.execute(db);
    }
    const metrics = createMetrics({ defaultMetrics: false });
    observeDatabase(metrics, db, { clock: systemClock, cascadeConfidence: 0.9 });
    const text = await metrics.render();
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    assert.equal(value('mailroom_local_decided'), 30);
    assert.equal(value('mailroom_model_calls'), 10);
    assert.equal(value('mailroom_local_decided_share'), 0.75);
    assert.equal(value('mailroom_local_tokens_saved'), 30_000, '30 local answers × 1,000 tokens per model call');
    assert.equal(value('mailroom_local_agreement_compared'), 150);
    assert.equal(value('mailroom_local_agreement_ratio'), 147 / 150);
  });
});
