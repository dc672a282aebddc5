/**
 * The decision's record: one statement closes the message and stores the classification, the local
 * model's answer and the decision, fenced on the claim. A worker whose claim was taken over writes
 * none of it, with or without a later stage's outbox row to add (then it is a transaction).
 */
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import type { ClassificationResult, Classifier } from '../../src/classify/index.js';
import { configSchema } from '../../src/config/index.js';
import type { Db } from '../../src/db/index.js';
import { storeMessage } from '../../src/ingest/index.js';
import { claimMessage, createPipelineContext, type DecisionEffect, processMessage } from '../../src/pipeline/index.js';
import { ClaimLostError, claimOf } from '../../src/queue/index.js';
import { silentLogger } from '../../src/util/logger.js';
import { describeEachDatabase, truncateAll } from '../support/databases.js';
import { makeEml } from '../support/make-eml.js';

const answer = (intent: 'support' | 'billing'): ClassificationResult => ({
  classification: {
    intent,
    category: 'bug',
    priority: 'normal',
    summary: 'Export fails',
    language: 'en',
    flags: { payment: false, legal: false },
    sentiment: 'neutral',
    team: null,
    confidence: 0.95,
  },
  model: 'test-model',
  classifier: 'openai',
  promptVersion: 'pv-test',
  logprobConfidence: null,
  promptTokens: 120,
  completionTokens: 30,
  latencyMs: 12.4,
  mode: 'json_schema',
  modelVersion: 'local-v1',
  local: { modelVersion: 'local-v1', intent: 'support', confidence: 0.91, payment: 0.02, legal: 0.01, decidedLocally: false },
});

function fixedClassifier(result: ClassificationResult): Classifier {
  return { name: 'openai', promptVersion: 'pv-test', classify: async () => result };
}

/** A later stage that asks for an outbox row on every decision and records what it was given. */
function recordingEffect() {
  const seen = { wants: 0, enqueued: 0, woken: 0 };
  const effect: DecisionEffect = {
    wants: () => {
      seen.wants++;
      return true;
    },
    enqueue: async () => {
      seen.enqueued++;
      return true;
    },
    wake: () => {
      seen.woken++;
    },
  };
  return { effect, seen };
}

describeEachDatabase('recording a decision', (getDb) => {
  beforeEach(() => truncateAll(getDb()));

  async function stored(db: Db, n: number): Promise<string> {
    const raw = makeEml({ subject: `Export fails ${n}`, body: 'Hello, the export button gives an error since this morning. Thanks, Ann', messageId: `<record-${n}@customer.example>` });
    return (await storeMessage(db, { mailbox: 'support', source: 'file', raw, sizeBytes: raw.length }, { maxCleanChars: 6000, now: new Date() })).id;
  }

  function context(db: Db, effects: DecisionEffect[] = []) {
    return createPipelineContext({ db, config: configSchema.parse({}), classifier: fixedClassifier(answer('support')), logger: silentLogger(), effects });
  }

  async function rowsOf(db: Db, id: string) {
    const [message, classifications, predictions, decisions] = await Promise.all([
      db.selectFrom('messages').select(['status', 'locked_by', 'last_error']).where('id', '=', id).executeTakeFirstOrThrow(),
      db.selectFrom('classifications').selectAll().where('email_id', '=', id).execute(),
      db.selectFrom('local_predictions').selectAll().where('email_id', '=', id).execute(),
      db.selectFrom('decisions').selectAll().where('email_id', '=', id).execute(),
    ]);
    return { message, classifications, predictions, decisions };
  }

  for (const withEffect of [false, true]) {
    const path = withEffect ? 'with an outbox row to add (a transaction)' : 'with nothing to queue (one statement)';

    test(`${path}: the message is closed and every row is stored, linked`, async () => {
      const db = getDb();
      const id = await stored(db, 1);
      const { effect, seen } = recordingEffect();
      const ctx = context(db, withEffect ? [effect] : []);
      const row = await claimMessage(ctx, id, 'worker-a');
      assert.ok(row);
      const outcome = await processMessage(ctx, row, claimOf('messages', row));
      assert.equal(outcome.status, 'decided');
      const rows = await rowsOf(db, id);
      assert.deepEqual(rows.message, { status: 'decided', locked_by: null, last_error: null });
      assert.equal(rows.classifications.length, 1);
      const [classification] = rows.classifications;
      assert.equal(classification?.model, 'test-model');
      assert.equal(classification?.prompt_tokens, 120);
      assert.equal(classification?.latency_ms, 12);
      assert.equal(classification?.output?.intent, 'support');
      assert.equal(rows.decisions.length, 1);
      assert.equal(String(rows.decisions[0]?.classification_id), String(classification?.id), 'the decision names its classification');
      assert.equal(rows.decisions[0]?.policy_version, ctx.policy.version);
      assert.deepEqual(rows.decisions[0]?.flags, { payment: false, legal: false, vip: false });
      assert.equal(rows.predictions.length, 1);
      assert.equal(rows.predictions[0]?.intent, 'support');
      assert.equal(rows.predictions[0]?.llm_intent, 'support');
      assert.deepEqual(seen, withEffect ? { wants: 1, enqueued: 1, woken: 1 } : { wants: 0, enqueued: 0, woken: 0 });
    });

    test(`${path}: a worker whose claim was taken over writes nothing`, async () => {
      const db = getDb();
      const id = await stored(db, 2);
      const { effect, seen } = recordingEffect();
      const ctx = context(db, withEffect ? [effect] : []);
      const row = await claimMessage(ctx, id, 'worker-a');
      assert.ok(row);
      // Another process took the claim over (it went stale while worker-a waited on the model).
      await db
        .updateTable('messages')
        .set({ locked_by: 'worker-b', attempts: row.attempts + 1 })
        .where('id', '=', id)
        .execute();
      await assert.rejects(processMessage(ctx, row, claimOf('messages', row)), ClaimLostError);
      const rows = await rowsOf(db, id);
      assert.deepEqual(rows.message, { status: 'pending', locked_by: 'worker-b', last_error: null });
      assert.deepEqual([rows.classifications.length, rows.predictions.length, rows.decisions.length], [0, 0, 0]);
      assert.equal(seen.enqueued, 0, 'no outbox row after a lost claim');
      assert.equal(seen.woken, 0);
    });
  }

  test('an email decided once is not decided again by a second run of the same claim', async () => {
    const db = getDb();
    const id = await stored(db, 3);
    const ctx = context(db);
    const row = await claimMessage(ctx, id, 'worker-a');
    assert.ok(row);
    await processMessage(ctx, row, claimOf('messages', row));
    await assert.rejects(processMessage(ctx, row, claimOf('messages', row)), ClaimLostError);
    const rows = await rowsOf(db, id);
    assert.deepEqual([rows.classifications.length, rows.predictions.length, rows.decisions.length], [1, 1, 1]);
  });
});
