/**
 * `mailroom shadow report` on a constructed set, on both databases: the counts, the agreement with
 * the live decisions and with a correction, the flips, the flags gained and lost, the latency
 * percentiles and the tokens of both sides, computed by hand below. The CLI prints the same figures
 * (--json) and refuses bad usage with exit 2.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, test } from 'node:test';
import { sql } from 'kysely';
import { stringify } from 'yaml';
import type { Action, Classification } from '../../src/contract/index.js';
import type { Db } from '../../src/db/index.js';
import { formatShadowReport, percentile, shadowReports } from '../../src/shadow/index.js';
import { newId } from '../../src/util/ids.js';
import { decidedEmail } from '../corrections/fixtures.js';
import { describeEachDatabase, truncateAll } from '../support/databases.js';
import { runCli } from '../support/run-cli.js';

interface LiveFacts {
  action: Action;
  intent: Classification['intent'];
  legal?: boolean;
  latency: number;
  mode?: string;
}
interface ShadowFacts {
  status: 'pending' | 'done' | 'failed';
  action?: Action;
  intent?: Classification['intent'];
  payment?: boolean;
  latency?: number;
  candidate?: string;
  createdAt?: Date;
}

const classification = (intent: Classification['intent'], payment: boolean): Classification => ({
  intent,
  category: 'other',
  priority: 'normal',
  summary: 'A test email.',
  language: 'en',
  flags: { payment, legal: false },
  sentiment: 'neutral',
  team: null,
  confidence: 0.9,
});

/** A decided email with its live classification's latency and tokens (10 + 2), and a shadow row. */
async function shadowed(db: Db, live: LiveFacts, shadow: ShadowFacts): Promise<string> {
  const id = await decidedEmail(db, { action: live.action, intent: live.intent, subject: `${live.action} ${live.intent} ${Math.random()}` });
  await sql`update classifications set latency_ms = ${live.latency}, prompt_tokens = ${live.mode === 'cache' ? null : 10}, completion_tokens = ${live.mode === 'cache' ? null : 2}, mode = ${live.mode ?? 'json_schema'} where email_id = ${id}`.execute(
    db,
  );
  if (live.legal) await sql`update decisions set flags = ${JSON.stringify({ payment: false, legal: true, vip: false })}::jsonb where email_id = ${id}`.execute(db);
  await addShadow(db, id, shadow);
  return id;
}

async function addShadow(db: Db, emailId: string, shadow: ShadowFacts): Promise<void> {
  const done = shadow.status === 'done';
  await db
    .insertInto('shadow_results')
    .values({
      id: newId('shd'),
      email_id: emailId,
      candidate: shadow.candidate ?? 'cand',
      status: shadow.status,
      candidate_version: done ? 'p-cand' : null,
      classification: done ? JSON.stringify(classification(shadow.intent!, shadow.payment ?? false)) : null,
      action: done ? shadow.action! : null,
      flags: done ? JSON.stringify({ payment: shadow.payment ?? false, legal: false, vip: false }) : null,
      reasons: done ? '[]' : null,
      latency_ms: done ? shadow.latency! : null,
      prompt_tokens: done ? 8 : null,
      completion_tokens: done ? 1 : null,
      error: shadow.status === 'failed' ? 'the candidate could not be reached' : null,
      created_at: shadow.createdAt ?? new Date(),
      updated_at: new Date(),
    })
    .execute();
}

/**
 * The set: E1 agrees; E2 flips ticket → review, gains payment, and was corrected to review/billing;
 * E3 agrees on draft but loses the live legal flag; E4 waits (its live answer came from the cache);
 * E5 failed; an old row and another candidate's row that the filters leave out.
 */
async function constructSet(db: Db): Promise<Record<string, string>> {
  const e1 = await shadowed(db, { action: 'ticket', intent: 'support', latency: 100 }, { status: 'done', action: 'ticket', intent: 'support', latency: 50 });
  const e2 = await shadowed(db, { action: 'ticket', intent: 'support', latency: 200 }, { status: 'done', action: 'review', intent: 'billing', payment: true, latency: 60 });
  const e3 = await shadowed(db, { action: 'draft', intent: 'other', legal: true, latency: 300 }, { status: 'done', action: 'draft', intent: 'other', latency: 70 });
  const e4 = await shadowed(db, { action: 'ignore', intent: 'newsletter', latency: 0, mode: 'cache' }, { status: 'pending' });
  const e5 = await shadowed(db, { action: 'review', intent: 'support', latency: 400 }, { status: 'failed' });
  await addShadow(db, e1, { status: 'done', action: 'review', intent: 'other', latency: 999, candidate: 'another' });
  const old = await shadowed(
    db,
    { action: 'ticket', intent: 'support', latency: 5000 },
    { status: 'done', action: 'ignore', intent: 'spam', latency: 5000, createdAt: new Date(Date.now() - 30 * 86_400_000) },
  );
  await sql`insert into corrections (id, email_id, from_action, to_action, intent, corrected_by, via, created_at)
            values (${newId('cor')}, ${e2}, 'ticket', 'draft', null, 'ann', 'cli', now() - interval '1 minute'),
                   (${newId('cor')}, ${e2}, 'draft', 'review', 'billing', 'ann', 'cli', now())`.execute(db);
  return { e1, e2, e3, e4, e5, old };
}

test('percentiles by nearest rank', () => {
  assert.equal(percentile([], 0.5), null);
  assert.equal(percentile([7], 0.95), 7);
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.5), 5);
  assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95), 10);
});

describeEachDatabase('shadow report', (getDb) => {
  beforeEach(async () => {
    await truncateAll(getDb());
  });

  test('every figure on a constructed set, the latest correction standing', async () => {
    const db = getDb();
    const { e2, e3 } = await constructSet(db);
    const reports = await shadowReports(db, { since: new Date(Date.now() - 86_400_000) });
    assert.deepEqual(reports.map((r) => r.candidate).sort(), ['another', 'cand']);
    const r = (await shadowReports(db, { since: new Date(Date.now() - 86_400_000), candidate: 'cand' }))[0]!;
    assert.deepEqual(
      { shadowed: r.shadowed, classified: r.classified, waiting: r.waiting, failed: r.failed, invalid: r.invalid, versions: r.versions },
      { shadowed: 5, classified: 3, waiting: 1, failed: 1, invalid: 0, versions: ['p-cand'] },
    );
    const c = r.comparison;
    assert.equal(c.compared, 3);
    assert.deepEqual(c.sameAction, { hits: 2, total: 3 });
    assert.deepEqual(c.sameIntent, { hits: 2, total: 3 });
    // E2's standing correction is review/billing: the live ticket was wrong, the candidate right.
    assert.deepEqual(c.truth, { emails: 1, a: { action: { hits: 0, total: 1 }, intent: { hits: 0, total: 1 } }, b: { action: { hits: 1, total: 1 }, intent: { hits: 1, total: 1 } } });
    assert.deepEqual(c.flips, [{ from: 'ticket', to: 'review', count: 1, ids: [e2] }]);
    assert.deepEqual(c.flags.payment, { gained: 1, lost: 0, gainedIds: [e2], lostIds: [] });
    assert.deepEqual(c.flags.legal, { gained: 0, lost: 1, gainedIds: [], lostIds: [e3] });
    // Live: 100, 200, 300, 400 (E4's cache hit left out); candidate: 50, 60, 70.
    assert.deepEqual(c.latency, { a: { measured: 4, p50: 200, p95: 400 }, b: { measured: 3, p50: 60, p95: 70 } });
    assert.deepEqual(c.tokens, { a: { prompt: 40, completion: 8, emails: 4 }, b: { prompt: 24, completion: 3, emails: 3 } });

    const text = formatShadowReport([r], { since: null });
    assert.match(text, /shadowed 5: 3 classified, 1 waiting, 1 failed/);
    assert.match(text, /ticket → review\s+1/);
    assert.match(text, /legal\s+gained\s+0\s+lost\s+1/);

    const all = (await shadowReports(db, { candidate: 'cand' }))[0]!;
    assert.equal(all.shadowed, 6, 'without --since the old row counts too');
  });
});

describeEachDatabase(
  'mailroom shadow report',
  (getDb, { url }) => {
    test('--json gives the figures; bad usage exits 2 with the reason', { timeout: 120_000 }, async () => {
      const db = getDb();
      await truncateAll(db);
      const { e2 } = await constructSet(db);
      const dir = mkdtempSync(join(tmpdir(), 'mailroom-shadow-cli-'));
      try {
        const config = join(dir, 'mailroom.yaml');
        writeFileSync(config, stringify({ database: { url: url() } }));
        const out = await runCli(['--config', config, 'shadow', 'report', '--since', '7d', '--candidate', 'cand', '--json']);
        assert.equal(out.code, 0, out.stderr);
        const lines = out.stdout.trim().split('\n');
        assert.equal(lines.length, 1);
        const report = JSON.parse(lines[0]!);
        assert.equal(report.candidate, 'cand');
        assert.equal(report.shadowed, 5);
        assert.deepEqual(report.comparison.flips, [{ from: 'ticket', to: 'review', count: 1, ids: [e2] }]);
        assert.deepEqual(report.comparison.latency.a, { measured: 4, p50: 200, p95: 400 });

        const human = await runCli(['--config', config, 'shadow', 'report', '--since', '2d']);
        assert.equal(human.code, 0, human.stderr);
        assert.match(human.stdout, /Shadow candidate cand \(version p-cand\), since /);
        assert.match(human.stdout, /same action 66\.7% \(2\/3\)/);
        assert.match(human.stdout, /corrected emails 1: action right {2}live 0\.0% \(0\/1\) {3}candidate 100\.0% \(1\/1\)/);

        const bad = await runCli(['--config', config, 'shadow', 'report', '--since', 'last tuesday']);
        assert.equal(bad.code, 2);
        assert.match(bad.stderr, /--since: expected a duration like 1d or 12h, or a date/);
        const unknown = await runCli(['--config', config, 'shadow', 'report', '--nonsense']);
        assert.equal(unknown.code, 2);
        assert.match(unknown.stderr, /unknown option '--nonsense'/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
  { kinds: ['postgres'] },
);
