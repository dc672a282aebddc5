/**
 * The parse deadline is wall time, so a healthy email can miss it at ingest when both cores are
 * busy. Such a parse is stored as a failure marked for another try, and the decision stage parses
 * the raw bytes again with more patience: the email gets its real decision, not "unparseable".
 * A failure of any other kind stays a review decision with the parser's reason.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRulesClassifier } from '../../src/classify/rules-classifier.js';
import { configSchema } from '../../src/config/index.js';
import { type Db, jsonColumn } from '../../src/db/index.js';
import { storeMessage } from '../../src/ingest/store-message.js';
import { toStoredFailure } from '../../src/parse/index.js';
import { claimMessage, createPipelineContext, processMessage } from '../../src/pipeline/index.js';
import { claimOf } from '../../src/queue/index.js';
import { systemClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { describeEachDatabase } from '../support/databases.js';

const config = configSchema.parse({ classifier: { provider: 'rules' }, drafts: { mode: 'off' } });

function message(n: number): Buffer {
  return Buffer.from(
    [
      `Message-ID: <parse-retry-${n}@customer.example>`,
      'From: Ana Lopez <ana@customer.example>',
      'To: support@example.com',
      `Subject: Export button does nothing (${n})`,
      'Date: Mon, 30 Nov 2026 09:00:00 +0000',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Hello, since this morning the CSV export button does nothing when I click it. Could you have a look?',
      '',
    ].join('\r\n'),
  );
}

/** Stores a message, then replaces its parse with the given failure, as ingest would have stored it. */
async function storedWithFailure(db: Db, n: number, failure: ReturnType<typeof toStoredFailure>): Promise<string> {
  const raw = message(n);
  const stored = await storeMessage(db, { mailbox: 'support', source: 'file', raw, sizeBytes: raw.length }, { maxCleanChars: 6000, now: systemClock.now() });
  await db
    .updateTable('messages')
    .set({ parsed: jsonColumn(failure) })
    .where('id', '=', stored.id)
    .execute();
  return stored.id;
}

async function decide(db: Db, id: string) {
  const ctx = createPipelineContext({ db, config, classifier: createRulesClassifier([]), logger: silentLogger(), clock: systemClock });
  const row = await claimMessage(ctx, id, 'parse-retry');
  assert.ok(row, `email ${id} is pending and can be claimed`);
  const outcome = await processMessage(ctx, row, claimOf('messages', row));
  assert.equal(outcome.status, 'decided');
  return db.selectFrom('decisions').select(['action', 'reasons']).where('email_id', '=', id).executeTakeFirstOrThrow();
}

function reasonCodes(reasons: unknown): string[] {
  const list = (typeof reasons === 'string' ? JSON.parse(reasons) : reasons) as { code: string }[];
  return list.map((r) => r.code);
}

describeEachDatabase('a parse that ran out of time at ingest', (getDb) => {
  test('is parsed again by the decision stage and decided on its text', async () => {
    const id = await storedWithFailure(getDb(), 1, toStoredFailure('the MIME parser did not finish within 5.0 s', { retry: true }));
    const decision = await decide(getDb(), id);
    assert.ok(!reasonCodes(decision.reasons).includes('unparseable'), `decided on its text, got ${JSON.stringify(decision.reasons)}`);
  });

  test('a refusal of another kind stays a review decision with the reason', async () => {
    const id = await storedWithFailure(getDb(), 2, toStoredFailure('could not parse the message (bad boundary)'));
    const decision = await decide(getDb(), id);
    assert.equal(decision.action, 'review');
    assert.ok(reasonCodes(decision.reasons).includes('unparseable'));
  });
});
