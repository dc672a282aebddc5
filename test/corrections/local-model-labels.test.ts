import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, beforeEach, test } from 'node:test';
import { sql } from 'kysely';
import { CORRECTION_WEIGHT, correctionExamples, historyExamples, openLocalModel } from '../../src/classify/local/index.js';
import { recordCorrection } from '../../src/corrections/index.js';
import { silentLogger } from '../../src/util/logger.js';
import { projectFolder } from '../../src/util/project-folder.js';
import { describeEachDatabase, truncateAll } from '../support/databases.js';
import { correctionContext, decidedEmail } from './fixtures.js';

// A slice of the seed (every intent is in it) keeps training within a second.
const work = mkdtempSync(join(tmpdir(), 'mailroom-labels-'));
after(() => rmSync(work, { recursive: true, force: true }));
const seedFolder = join(work, 'seed');
mkdirSync(seedFolder);
const seedLines = readFileSync(join(projectFolder('training/seed'), 'en.jsonl'), 'utf8').split('\n');
writeFileSync(join(seedFolder, 'en.jsonl'), seedLines.filter((_, i) => i % 4 === 0).join('\n'));

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

  test('corrections of emails the LLM had labeled are new labels: enough of them retrain the model', async () => {
    const db = getDb();
    const ctx = correctionContext(db);
    const emails = [
      await decidedEmail(db, { action: 'ticket', subject: 'Rechnung doppelt', body: 'Sie haben uns die Rechnung zweimal abgebucht.' }),
      await decidedEmail(db, { action: 'ticket', subject: 'Kündigung', body: 'Unser Anwalt wird sich bei Ihnen melden.' }),
    ];
    const store = await openLocalModel({ path: join(work, `model-${Date.now()}.bin`), db, maxCleanChars: 6000, retrainAfter: 2, logger: silentLogger(), seedFolder });
    try {
      assert.equal(store.current().counts.llm, undefined, 'the seed model answers from the start');
      assert.deepEqual(await store.pending(), { newLabels: null, due: true }, 'no model of its own yet: the labels there are now are due');
      assert.equal(await store.retrainIfDue(), true, 'two LLM labels it has not learned: due');
      assert.equal(store.current().counts.llm, 2);
      assert.equal(await store.retrainIfDue(), false, 'nothing new since');
      await recordCorrection(ctx, { emailId: emails[0]!, action: 'review', intent: 'billing', flags: ['payment'], by: 'anna', via: 'cli' });
      assert.equal(await store.retrainIfDue(), false, 'one new label, two are due');
      await recordCorrection(ctx, { emailId: emails[1]!, action: 'review', intent: 'other', flags: ['legal'], by: 'anna', via: 'cli' });
      assert.equal(await store.retrainIfDue(), true, 'two corrections are two new labels, though each replaced an LLM label');
      assert.deepEqual([store.current().counts.llm ?? 0, store.current().counts.correction], [0, 2]);
      assert.equal(await store.retrainIfDue(), false, 'counted from the new training');
    } finally {
      await store.close();
    }
  });

  test('a start takes the saved model without reading the history; labels gone or another seed make it due', async () => {
    const db = getDb();
    const path = join(work, `saved-${Date.now()}.bin`);
    const open = (retrainAfter: number, folder = seedFolder) => openLocalModel({ path, db, maxCleanChars: 6000, retrainAfter, logger: silentLogger(), seedFolder: folder });
    const first = await decidedEmail(db, { action: 'ticket', subject: 'Rechnung doppelt', body: 'Sie haben uns die Rechnung zweimal abgebucht.' });
    const second = await decidedEmail(db, { action: 'draft', subject: 'Export', body: 'Wo finde ich den Export meiner Daten?' });
    const trained = await open(1);
    assert.equal(await trained.retrainIfDue(), true);
    await trained.close();
    const saved = trained.current();
    assert.deepEqual(saved.trainedOn?.labels, 2);

    // What a start used to read in full: changing a stored parse changed the version it computed,
    // and the model was trained again before the service was ready.
    await sql`UPDATE messages SET parsed = jsonb_set(parsed, '{subject}', '"changed"') WHERE id = ${first}`.execute(db);
    await decidedEmail(db, { action: 'draft', subject: 'Passwort', body: 'Ich kann mich nicht mehr anmelden.' });
    const reopened = await open(2);
    assert.equal(reopened.current().trainedAt, saved.trainedAt, 'the saved model, as it was');
    assert.equal(reopened.current().version, saved.version);
    assert.deepEqual(await reopened.pending(), { newLabels: 1, due: false }, 'what mailroom model status shows');
    assert.equal(await reopened.retrainIfDue(), false, 'one label since its training, two are due');
    await reopened.close();

    await db.deleteFrom('messages').where('id', 'in', [first, second]).execute();
    const fewer = await open(50);
    assert.equal(fewer.current().trainedAt, saved.trainedAt, 'it answers until the retrain');
    assert.deepEqual(await fewer.pending(), { newLabels: null, due: true });
    assert.equal(await fewer.retrainIfDue(), true, 'fewer labels than it was trained on (emails deleted): due at once');
    assert.deepEqual(await fewer.pending(), { newLabels: 0, due: false });
    assert.equal(fewer.current().counts.llm, 1);
    await fewer.close();

    const otherSeed = join(work, `seed-other-${Date.now()}`);
    mkdirSync(otherSeed);
    writeFileSync(join(otherSeed, 'en.jsonl'), seedLines.filter((_, i) => i % 4 === 1).join('\n'));
    const reseeded = await open(50, otherSeed);
    assert.equal(await reseeded.retrainIfDue(), true, 'another seed: due at once');
    assert.notEqual(reseeded.current().trainedOn?.seed, saved.trainedOn?.seed);
    await reseeded.close();
  });
});
