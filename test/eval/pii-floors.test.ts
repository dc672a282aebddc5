/**
 * Personal data cannot silently regress: the detectors on the held-out eval/test (written by people)
 * and eval/pii/test (generated), and decisions with and without placeholders through the keyword
 * test model, with floors just under the figures measured on 2026-11-30 (README, "Personal data").
 * The detectors' patterns were chosen on eval/dev and eval/pii/dev only.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createOpenAIClassifier } from '../../src/classify/openai-classifier.js';
import { loadConfig, mailboxFacts } from '../../src/config/index.js';
import { policyFrom } from '../../src/decide/index.js';
import { loadLabeledFolder, runEval, summarize } from '../../src/eval/index.js';
import { scorePii, summarizePii } from '../../src/eval/pii.js';
import { parseEmail } from '../../src/parse/index.js';
import { PII_KINDS, type PiiKind } from '../../src/redact/index.js';
import { type FakeOpenAIServer, startFakeOpenAIServer } from '../support/fake-openai-server.js';
import { PROJECT_ROOT } from '../support/run-cli.js';

let server: FakeOpenAIServer;
before(async () => {
  server = await startFakeOpenAIServer({ logprobs: false });
});
after(() => server.close());

async function detectorScores(folder: string) {
  const results = [];
  for (const item of loadLabeledFolder(join(PROJECT_ROOT, folder))) {
    results.push(scorePii(item.label, await parseEmail(readFileSync(item.path))));
  }
  const scores = summarizePii(results);
  const recall = (kind: PiiKind) => scores[kind].tp / Math.max(1, scores[kind].tp + scores[kind].fn);
  const precision = (kind: PiiKind) => scores[kind].tp / Math.max(1, scores[kind].tp + scores[kind].fp);
  return { scores, recall, precision };
}

test('eval/test (written by people): cards, IBANs and e-mail addresses all found, phones and national ids ≥ 95 %, precision ≥ 95 % for the kinds with targets', async () => {
  const { scores, recall, precision } = await detectorScores('eval/test');
  // Measured: email, iban, card, national_id, dob 100 % / 100 %; phone R 95.8 % P 97.2 %; tax_id R 84.6 % (11 of 13) P 100 %; address R 93.5 % (29 of 31) P 100 %.
  for (const kind of ['email', 'iban', 'card', 'national_id'] as const) assert.equal(recall(kind), 1, `${kind}: ${JSON.stringify(scores[kind])}`);
  assert.ok(recall('phone') >= 0.95, `phone recall: ${JSON.stringify(scores.phone)}`);
  for (const kind of ['email', 'iban', 'card', 'national_id', 'phone'] as const) assert.ok(precision(kind) >= 0.95, `${kind} precision: ${JSON.stringify(scores[kind])}`);
  // Tax ids and addresses have no target yet; their floors sit just under the figures measured on 2026-11-30, so they cannot slip back.
  assert.ok(recall('tax_id') >= 0.84, `tax_id recall: ${JSON.stringify(scores.tax_id)}`);
  assert.ok(recall('address') >= 0.93, `address recall: ${JSON.stringify(scores.address)}`);
  for (const kind of ['tax_id', 'address', 'dob'] as const) assert.ok(precision(kind) >= 0.95, `${kind} precision: ${JSON.stringify(scores[kind])}`);
});

test('eval/pii/test (generated, every kind among order, invoice, version and log numbers, names in greetings, introductions and signatures): ≥ 99 % recall and precision for every kind', async () => {
  const { scores, recall, precision } = await detectorScores('eval/pii/test');
  for (const kind of PII_KINDS) {
    assert.ok(scores[kind].tp >= 40, `${kind} is measured on enough values`);
    assert.ok(recall(kind) >= 0.99 && precision(kind) >= 0.99, `${kind}: ${JSON.stringify(scores[kind])}`);
  }
});

test('the keyword test model decides eval/test the same with and without placeholders in ≥ 97 % of emails', { timeout: 600_000 }, async () => {
  const { config: assumed } = loadConfig(join(PROJECT_ROOT, 'eval', 'eval.yaml'));
  const config = { ...assumed, classifier: { ...assumed.classifier, base_url: server.url, api_key: 'test-key', redact: true as const, max_retries: 1 } };
  const classifier = createOpenAIClassifier({ config: config.classifier, apiKey: 'test-key' });
  const mailboxes = mailboxFacts(config);
  const results = await runEval(loadLabeledFolder(join(PROJECT_ROOT, 'eval', 'test')), {
    classifier,
    policy: policyFrom(config),
    mailbox: 'support',
    ownAddresses: mailboxes.ownAddresses('support'),
    maxMessageBytes: config.ingest.max_message_bytes,
    maxCleanChars: config.classifier.max_input_chars,
    concurrency: 8,
    redact: new Set(PII_KINDS),
    redactionAgreement: true,
  });
  const r = summarize(results).redaction;
  // Measured with names redacted too: 100 % / 100 % (333).
  assert.ok(r && r.action.total > 300, 'the classified mail was compared');
  assert.ok(r.action.hits / r.action.total >= 0.97, `same action ${r.action.hits}/${r.action.total}`);
  assert.ok(r.intent.hits / r.intent.total >= 0.97, `same intent ${r.intent.hits}/${r.intent.total}`);
});
