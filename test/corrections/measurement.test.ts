import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, test } from 'node:test';
import { exportCorrections, isoWeek, overrideStats, recordCorrection } from '../../src/corrections/index.js';
import { loadLabeledFolder } from '../../src/eval/index.js';
import { auth, testServer } from '../api/fixtures.js';
import { describeEachDatabase, truncateAll } from '../support/databases.js';
import { correctionContext, decidedEmail } from './fixtures.js';

test('ISO weeks', () => {
  assert.equal(isoWeek(new Date('2026-11-23T09:00:00Z')), '2026-W48');
  assert.equal(isoWeek(new Date('2027-01-01T09:00:00Z')), '2026-W53');
});

describeEachDatabase('measuring corrections', (getDb) => {
  beforeEach(() => truncateAll(getDb()));

  async function seed() {
    const db = getDb();
    const ctx = correctionContext(db);
    let now = Date.now();
    ctx.now = () => new Date(now++);
    const a = await decidedEmail(db, { action: 'draft', subject: 'Rimborso', body: 'Voglio un rimborso.' });
    const b = await decidedEmail(db, { action: 'draft', subject: 'Login', body: 'Il login non va.' });
    const c = await decidedEmail(db, { action: 'ticket', subject: 'Errore 500', body: 'Errore 500 in export.' });
    await decidedEmail(db, { action: 'ignore', subject: 'Newsletter', body: 'Offerte.' });
    await recordCorrection(ctx, { emailId: a, action: 'review', intent: 'billing', flags: ['payment'], by: 'anna', via: 'cli', note: 'refund' });
    await recordCorrection(ctx, { emailId: b, action: 'ticket', by: 'anna', via: 'cli' });
    await recordCorrection(ctx, { emailId: b, action: 'draft', by: 'bruno', via: 'api' });
    await recordCorrection(ctx, { emailId: c, action: 'ticket', intent: 'support', by: 'anna', via: 'cli' });
    return { a, b, c };
  }

  test('the override rate counts decisions whose standing correction says another action, by action, intent and week', async () => {
    await seed();
    const stats = await overrideStats(getDb(), new Date(Date.now() - 86_400_000));
    assert.deepEqual([stats.total.decisions, stats.total.overridden], [4, 1], 'b went back to draft and c was confirmed: only a is overridden');
    assert.deepEqual(
      stats.byAction.map((c) => [c.key, c.decisions, c.overridden]),
      [
        ['draft', 2, 1],
        ['ignore', 1, 0],
        ['ticket', 1, 0],
      ],
    );
    assert.deepEqual(
      stats.byIntent.find((c) => c.key === 'support'),
      { key: 'support', decisions: 3, overridden: 1, rate: 1 / 3 },
    );
    assert.equal(stats.byWeek.length, 1);
    assert.deepEqual(stats.transitions.map((t) => `${t.from}→${t.to}:${t.count}`).sort(), ['draft→review:1', 'draft→ticket:1', 'ticket→draft:1', 'ticket→ticket:1']);
  });

  test('/metrics has mailroom_corrections_total{from,to} from the database', async () => {
    await seed();
    const { app } = testServer(getDb());
    const text = (await app.inject({ url: '/metrics', headers: auth() })).body;
    assert.match(text, /# TYPE mailroom_corrections_total counter/);
    assert.match(text, /mailroom_corrections_total\{from="draft",to="review"\} 1\n/);
    assert.match(text, /mailroom_corrections_total\{from="ticket",to="draft"\} 1\n/);
    await app.close();
  });

  test('corrections export writes .eml files and labels that mailroom eval reads', async () => {
    const { a, b, c } = await seed();
    const dir = mkdtempSync(join(tmpdir(), 'mailroom-export-'));
    try {
      const result = await exportCorrections(getDb(), dir);
      assert.equal(result.written, 3);
      const labeled = loadLabeledFolder(dir);
      const byFile = new Map(labeled.map((l) => [l.label.file, l.label]));
      assert.deepEqual([byFile.get(`${a}.eml`)?.expected_action, byFile.get(`${a}.eml`)?.intent, byFile.get(`${a}.eml`)?.payment], ['review', 'billing', true]);
      assert.equal(byFile.get(`${b}.eml`)?.expected_action, 'draft', 'the correction that stands');
      assert.equal(byFile.get(`${c}.eml`)?.intent, 'support');
      assert.match(readFileSync(join(dir, `${a}.eml`), 'utf8'), /Subject: Rimborso/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
