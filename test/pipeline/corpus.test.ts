import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createRulesClassifier } from '../../src/classify/rules-classifier.js';
import { parseConfig } from '../../src/config/load-config.js';
import type { Db } from '../../src/db/index.js';
import { createPipelineContext, type TriageResult, triageFiles } from '../../src/pipeline/index.js';
import { silentLogger } from '../../src/util/logger.js';
import { describeEachDatabase, truncateAll } from '../support/databases.js';

const corpus = fileURLToPath(new URL('../../../shared/corpus/raw/', import.meta.url));
const present = existsSync(corpus);
const files = present
  ? readdirSync(corpus, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .flatMap((d) =>
        readdirSync(join(corpus, d.name))
          .filter((f) => f.endsWith('.eml'))
          .sort()
          .map((f) => join(corpus, d.name, f)),
      )
  : [];
const skip = present ? false : `corpus not found at ${corpus}; skipped`;
const config = parseConfig({ classifier: { provider: 'rules' } }, 'test');

function unhandledRejections(): { list: unknown[]; stop(): void } {
  const list: unknown[] = [];
  const onRejection = (reason: unknown) => list.push(reason);
  process.on('unhandledRejection', onRejection);
  return { list, stop: () => process.off('unhandledRejection', onRejection) };
}

async function run(db: Db | null): Promise<TriageResult[]> {
  const results: TriageResult[] = [];
  const ctx = createPipelineContext({ db, config, classifier: createRulesClassifier([]), logger: silentLogger() });
  await triageFiles({ files, mailbox: 'corpus', ctx, concurrency: 4, onResult: (r) => results.push(r) });
  return results;
}

function summarize(label: string, results: TriageResult[]): void {
  const byAction = new Map<string, number>();
  for (const r of results) {
    const key = r.ok ? r.action : 'error';
    byAction.set(key, (byAction.get(key) ?? 0) + 1);
  }
  console.log(`${label}: ${results.length} messages: ${[...byAction].map(([k, v]) => `${k} ${v}`).join(', ')}`);
}

test('dry run over the whole corpus: every message gets an action or a clear error, no crash', { skip }, async () => {
  const watch = unhandledRejections();
  const results = await run(null);
  watch.stop();
  assert.equal(results.length, files.length);
  assert.deepEqual(watch.list, []);
  for (const r of results) if (!r.ok) assert.ok(r.error.length > 0 && !r.error.includes('\n'), `${r.file}: one-line error`);
  summarize('dry run', results);
  const errors = results.filter((r) => !r.ok).length;
  assert.ok(errors < files.length * 0.01, `at most 1 % of real mail is refused (${errors})`);
});

describeEachDatabase('corpus stored', (getDb) => {
  test('every corpus message is stored with a decision or its error', { skip }, async () => {
    await truncateAll(getDb());
    const results = await run(getDb());
    assert.equal(results.length, files.length);
    summarize('stored', results);
    const db = getDb();
    const stored = await db.selectFrom('messages').select(['id', 'status', 'last_error']).execute();
    const decided = new Set((await db.selectFrom('decisions').select('email_id').execute()).map((d) => d.email_id));
    for (const row of stored) {
      if (row.status === 'failed') assert.ok(row.last_error, `${row.id} failed with a reason`);
      else assert.ok(decided.has(row.id), `${row.id} has a decision (status ${row.status})`);
    }
    // Byte-identical files in the corpus are one email: stored once.
    assert.ok(stored.length <= files.length);
  });
});
