import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { CORRECTION_WEIGHT, correctionExamples, historyExamples } from '../../src/classify/local/index.js';
import { recordCorrection } from '../../src/corrections/index.js';
import { describeEachDatabase, truncateAll } from '../support/databases.js';
import { correctionContext, decidedEmail } from './fixtures.js';

describeEachDatabase('corrections are labels for the local model', (getDb) => {
  beforeEach(() => truncateAll(getDb()));

  test('the standing correction is a high-weight label, and replaces the model’s answer for that email', async () => {
    const db = getDb();
    const ctx = correctionContext(db);
    let now = Date.parse('2026-11-23T10:00:00Z');
    ctx.now = () => new Date(now);
    const corrected = await decidedEmail(db, { action: 'ticket', subject: 'Rimborso della fattura', body: 'Vorrei il rimborso della fattura 2026-11.' });
    const untouched = await decidedEmail(db, { action: 'draft', subject: 'Come esporto i dati?', body: 'Dove trovo la funzione di esportazione?' });
    const unlabeled = await decidedEmail(db, { action: 'draft', subject: 'Grazie', body: 'Grazie mille per l’aiuto.' });
    await recordCorrection(ctx, { emailId: corrected, action: 'ticket', by: 'anna', via: 'cli' });
    now += 1000;
    await recordCorrection(ctx, { emailId: corrected, action: 'review', intent: 'billing', flags: ['payment'], by: 'bruno', via: 'cli' });
    // A correction that says nothing the model can learn (no intent, no flags) labels nothing.
    await recordCorrection(ctx, { emailId: unlabeled, action: 'review', by: 'anna', via: 'cli' });

    const corrections = await correctionExamples(db, 6000);
    assert.equal(corrections.length, 1, 'one email, its standing correction');
    assert.deepEqual(corrections[0]!.labels, { intent: 'billing', payment: true });
    assert.equal(corrections[0]!.weight, CORRECTION_WEIGHT);
    assert.ok(CORRECTION_WEIGHT >= 10);
    assert.equal(corrections[0]!.subject, 'Rimborso della fattura');
    const history = await historyExamples(db, 6000);
    assert.deepEqual(
      history.map((h) => h.subject),
      ['Come esporto i dati?'],
      'corrected emails no longer count with the model’s label',
    );
    void untouched;
  });
});
