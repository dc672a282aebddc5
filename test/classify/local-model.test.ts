/**
 * The local model on its own: deterministic training, calibrated probabilities, its file (round
 * trip, corrupt, other format), the seed corpus read defensively, and when it may suggest tickets.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { autonomyGap, createLocalClassifier, openLocalModel, predict, seedExamples, type TrainingExample, trainLocalModel } from '../../src/classify/index.js';
import { deserializeModel, seedDigestOf, serializeModel, versionFrom, versionOf } from '../../src/classify/local/model.js';
import { seedFilesDigest } from '../../src/classify/local/training-data.js';
import { classificationSchema } from '../../src/contract/index.js';
import { parseEmail } from '../../src/parse/index.js';
import { silentLogger } from '../../src/util/logger.js';
import { projectFolder } from '../../src/util/project-folder.js';
import { makeEml } from '../support/make-eml.js';

const folder = mkdtempSync(join(tmpdir(), 'mailroom-local-'));
after(() => rmSync(folder, { recursive: true, force: true }));

// A slice of the seed keeps these tests quick; every intent and language is in it.
const examples = seedExamples().filter((_, i) => i % 5 === 0);

test('training is deterministic: the same examples give the same version and the same answers', () => {
  const a = trainLocalModel(examples);
  const b = trainLocalModel(examples);
  assert.equal(a.version, b.version);
  assert.deepEqual(predict(a, 'Login', 'I cannot log in since this morning, the page says error 500'), predict(b, 'Login', 'I cannot log in since this morning, the page says error 500'));
  const other = trainLocalModel(examples.slice(1));
  assert.notEqual(other.version, a.version, 'other data, another version');
});

test('predictions are probabilities, calibrated on held-out examples, and the obvious cases come out right', () => {
  const model = trainLocalModel(seedExamples());
  for (const head of ['intent', 'payment', 'legal'] as const) assert.ok(model.heads[head].temperature > 0.2 && model.heads[head].temperature < 5, `${head} temperature`);
  const cases: Array<[string, string, string]> = [
    ['Fehler beim Export', 'Hallo, seit dem Update stürzt der Export nach Excel ab. Können Sie helfen? Danke, Jonas', 'support'],
    ['Candidatura', 'Buongiorno, vi invio il mio curriculum per la posizione di sviluppatore frontend.', 'job'],
    ['Presupuesto para 40 usuarios', 'Hola, somos una empresa de 40 personas y queremos un presupuesto del plan anual.', 'sales'],
  ];
  for (const [subject, text, intent] of cases) {
    const p = predict(model, subject, text);
    assert.equal(p.intent.label, intent, `${subject}: ${JSON.stringify(p.intent)}`);
    assert.ok(p.intent.probability > 0 && p.intent.probability <= 1);
    assert.ok(p.payment >= 0 && p.payment <= 1 && p.legal >= 0 && p.legal <= 1);
  }
  const notice = predict(model, 'Mise en demeure', 'Maître Roux, avocat: mise en demeure de cesser sous huit jours, faute de quoi le tribunal sera saisi.');
  assert.ok(notice.legal > 0.5, `legal ${notice.legal}`);
});

test('the model file: a round trip keeps every answer; a corrupt or older file is rebuilt with a warning, never a crash', async () => {
  const model = trainLocalModel(examples);
  const again = deserializeModel(serializeModel(model));
  assert.deepEqual(predict(again, 'Refund', 'Please refund the 49 EUR you charged twice.'), predict(model, 'Refund', 'Please refund the 49 EUR you charged twice.'));
  assert.throws(() => deserializeModel(serializeModel({ ...model, format: 0 })), /model format 0/);

  const path = join(folder, 'model.json');
  const warnings: string[] = [];
  const logger = Object.assign(silentLogger(), { warn: (_obj: unknown, message?: string) => void warnings.push(String(message ?? _obj)) });
  // A build seed model made from other examples is not this data's model: it trains instead.
  const otherSeed = join(folder, 'other-seed.bin');
  writeFileSync(otherSeed, serializeModel(model));
  const first = await openLocalModel({ path, db: null, maxCleanChars: 6000, retrainAfter: 50, logger, seedModelFile: otherSeed });
  const version = first.current().version;
  assert.notEqual(version, model.version);
  assert.ok(readFileSync(path, 'utf8').length > 1000, 'saved');
  writeFileSync(path, '{"format": 2, "heads": ');
  const rebuilt = await openLocalModel({ path, db: null, maxCleanChars: 6000, retrainAfter: 50, logger });
  assert.equal(rebuilt.current().version, version, 'the same data gives the same model again');
  assert.match(warnings.join('\n'), /cannot be read .* rebuilding it from the training data/);
  const loaded = await openLocalModel({ path, db: null, maxCleanChars: 6000, retrainAfter: 50, logger: silentLogger() });
  assert.equal(loaded.current().version, version, 'and the rebuilt file loads');
});

test("a new folder starts from the build's seed model, used in place, when the mailbox has taught nothing yet", async () => {
  // A small model standing in for the build's: marked as the seed corpus's model, so the store takes it without training.
  const small = trainLocalModel(examples.filter((_, i) => i % 10 === 0));
  const seedFile = join(folder, 'build-seed.bin');
  writeFileSync(seedFile, serializeModel({ ...small, version: versionOf(seedExamples()), trainedAt: '2001-02-03T04:05:06.000Z' }));
  const path = join(folder, 'fresh', 'local-model.bin');
  const store = await openLocalModel({ path, db: null, maxCleanChars: 6000, retrainAfter: 50, logger: silentLogger(), seedModelFile: seedFile });
  assert.equal(store.current().trainedAt, '2001-02-03T04:05:06.000Z', 'the build seed model, not a new training');
  assert.deepEqual(store.current().counts, small.counts);
  assert.equal(existsSync(path), false, 'not copied: the folder gets its own file at the first retrain');
});

test("the build's seed model records the seed's digest: a start reads the seed only when its files changed", async () => {
  const seed = join(folder, 'seed-digest');
  mkdirSync(seed, { recursive: true });
  // The line that is not an example makes every reading of the seed visible, as a warning.
  const lines = readFileSync(join(projectFolder('training/seed'), 'en.jsonl'), 'utf8')
    .split('\n')
    .filter((_, i) => i % 10 === 0);
  writeFileSync(join(seed, 'en.jsonl'), `${lines.join('\n')}\nnot json\n`);
  const seedExamplesRead = seedExamples(seed);
  const built = trainLocalModel(seedExamplesRead);
  assert.equal(built.version, versionFrom(seedDigestOf(seedExamplesRead), []), 'the seed counts through its digest');
  const seedFile = join(folder, 'digest-seed.bin');
  writeFileSync(seedFile, serializeModel({ ...built, seed: { files: seedFilesDigest(seed), examples: seedDigestOf(seedExamplesRead) } }));
  const warnings: string[] = [];
  const logger = Object.assign(silentLogger(), { warn: (_obj: unknown, message?: string) => void warnings.push(String(message ?? _obj)) });
  const path = join(folder, 'digest', 'local-model.bin');

  const unchanged = await openLocalModel({ path, db: null, maxCleanChars: 6000, retrainAfter: 50, logger, seedModelFile: seedFile, seedFolder: seed });
  assert.equal(unchanged.current().version, built.version);
  assert.deepEqual(warnings, [], 'the seed was not read');

  writeFileSync(join(seed, 'en.jsonl'), `${lines.slice(1).join('\n')}\nnot json\n`);
  const changed = await openLocalModel({ path, db: null, maxCleanChars: 6000, retrainAfter: 50, logger, seedModelFile: seedFile, seedFolder: seed });
  assert.notEqual(changed.current().version, built.version, 'other seed files, another model');
  assert.equal(changed.current().version, versionOf(seedExamples(seed)));
  assert.ok(existsSync(path), 'trained and saved');
  assert.match(warnings.join('\n'), /skipped, not a seed example/, 'read this time');
});

test('a seed line with an unknown intent is reported and skipped', () => {
  const seed = join(folder, 'seed');
  mkdirSync(seed, { recursive: true });
  const line = (intent: string) => JSON.stringify({ id: intent, language: 'en', intent, category: 'other', priority: 'low', payment: false, legal: false, subject: 'Hi', body: 'Hello there' });
  writeFileSync(join(seed, 'en.jsonl'), `${line('sales')}\n${line('gossip')}\nnot json\n`);
  const problems: string[] = [];
  const found = seedExamples(seed, (p) => problems.push(p));
  assert.equal(found.length, 1);
  assert.equal(problems.length, 2);
  assert.match(problems[0]!, /en\.jsonl:2: skipped, not a seed example: intent/);
});

test('it may suggest tickets only after showing its precision on enough of the mailbox own labels', async () => {
  const rule = { minPrecision: 0.95, minLabels: 200 };
  const seedOnly = trainLocalModel(examples);
  assert.match(autonomyGap(seedOnly, rule) ?? '', /checked on 0 of the 200 labels of this mailbox/);
  const earned = { ...seedOnly, heldOut: { ...seedOnly.heldOut, mailboxLabels: 240, mailboxSupportPrecision: 0.97 } };
  assert.equal(autonomyGap(earned, rule), null);
  const imprecise = { ...seedOnly, heldOut: { ...seedOnly.heldOut, mailboxLabels: 240, mailboxSupportPrecision: 0.9 } };
  assert.match(autonomyGap(imprecise, rule) ?? '', /precision for support on this mailbox is 90\.0 %, below the 95 %/);

  // As a classifier: a valid classification of the contract, saying why it may not ticket yet.
  const classifier = createLocalClassifier({ model: () => seedOnly, autonomy: rule, flagThreshold: 0.7 });
  const email = await parseEmail(makeEml({ subject: 'Export broken', body: 'Hi, the CSV export fails with an error since yesterday. Can you check? Thanks, Ann' }));
  const result = await classifier.classify({ email, mailbox: 'support' });
  classificationSchema().parse(result.classification);
  assert.equal(result.classifier, 'local');
  assert.equal(result.modelVersion, seedOnly.version);
  assert.match(result.noTickets ?? '', /checked on 0 of the 200/);
  assert.equal(result.classification.language, 'en');
  const afterEarning = await createLocalClassifier({ model: () => earned, autonomy: rule, flagThreshold: 0.7 }).classify({ email, mailbox: 'support' });
  assert.equal(afterEarning.noTickets, undefined);
});

test('history labels outweigh nothing they should not: a correction counts more than an LLM label', () => {
  const teach = (weight: number): TrainingExample[] =>
    Array.from({ length: 6 }, (_, i) => ({
      subject: `Quarterly catalogue ${i}`,
      text: 'Our quarterly catalogue of garden furniture is out',
      language: 'en',
      labels: { intent: 'personal' },
      weight,
      source: 'correction',
    }));
  const heavy = trainLocalModel([...examples, ...teach(10)]);
  assert.equal(predict(heavy, 'Quarterly catalogue', 'Our quarterly catalogue of garden furniture is out').intent.label, 'personal');
});

test('it reads the newest message it was trained on, not the copy cut to the hosted model max_input_chars', async () => {
  const model = trainLocalModel(examples);
  const classifier = createLocalClassifier({ model: () => model, autonomy: { minPrecision: 0.95, minLabels: 200 }, flagThreshold: 0.7 });
  // The head asks for help, a long middle says nothing, the tail (which the cap keeps) asks for a quote.
  const body = `Hello, the export to CSV fails with an error since the update. Can you help? ${'We tried again from another browser today. '.repeat(45)}By the way, we are 40 people: could you send us a quote for the annual plan?`;
  const email = await parseEmail(makeEml({ subject: 'Export error', body }), { maxCleanChars: 300 });
  const newest = predict(model, email.subject, email.newestText).intent;
  const capped = predict(model, email.subject, email.cleanText).intent;
  assert.notEqual(capped.probability, newest.probability, 'the cap changes what the model reads');
  const result = await classifier.classify({ email, mailbox: 'support' });
  assert.equal(result.classification.intent, newest.label);
  assert.equal(result.classification.confidence, Math.round(newest.probability * 1000) / 1000);
});
