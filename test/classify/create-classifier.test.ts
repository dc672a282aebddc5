import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type ClassifierSetup, createClassifier, LOCAL_FALLBACK_NOTICE } from '../../src/classify/index.js';
import { configSchema } from '../../src/config/index.js';

// One model file for the whole file: the first test trains the seed model, the others load it.
const folder = mkdtempSync(join(tmpdir(), 'mailroom-classifier-'));
after(() => rmSync(folder, { recursive: true, force: true }));
const config = (classifier: Record<string, unknown> = {}) => configSchema.parse({ classifier: { ...classifier, local: { path: join(folder, 'model.json') } } });
const opened: ClassifierSetup[] = [];
after(async () => {
  for (const setup of opened) await setup.local?.close();
});
async function make(...args: Parameters<typeof createClassifier>): Promise<ClassifierSetup> {
  const setup = await createClassifier(...args);
  opened.push(setup);
  return setup;
}

test('auto without any key or base_url: the local model, with the notice', async () => {
  const { classifier, notice, local } = await make(config(), { apiKeyFromEnv: undefined });
  assert.equal(classifier.name, 'local');
  assert.equal(notice, LOCAL_FALLBACK_NOTICE);
  assert.match(local?.current().version ?? '', /^lm-[0-9a-f]{12}$/);
});

test('auto with OPENAI_API_KEY or classifier.api_key: openai, the local model beside it', async () => {
  const fromEnv = await make(config(), { apiKeyFromEnv: 'sk-env' });
  assert.equal(fromEnv.classifier.name, 'openai');
  assert.ok(fromEnv.local, 'the local model gives its second opinion');
  const fromConfig = await make(config({ api_key: 'sk-config' }), { apiKeyFromEnv: undefined });
  assert.equal(fromConfig.classifier.name, 'openai');
  assert.equal(fromConfig.notice, null);
});

test('auto with only a base_url (local server): openai, no key needed', async () => {
  const { classifier, notice } = await make(config({ base_url: 'http://127.0.0.1:11434/v1' }), { apiKeyFromEnv: undefined });
  assert.equal(classifier.name, 'openai');
  assert.equal(notice, null);
});

test('provider rules is honoured even with a key, and needs no model', async () => {
  const { classifier, local } = await make(config({ provider: 'rules', api_key: 'sk' }), {});
  assert.equal(classifier.name, 'rules');
  assert.equal(local, null);
  assert.equal((await make(config({ provider: 'local', api_key: 'sk' }), {})).classifier.name, 'local', 'provider local too');
});

test('provider openai without key or base_url is a configuration error that says what to set', async () => {
  await assert.rejects(createClassifier(config({ provider: 'openai' }), { apiKeyFromEnv: '' }), /OPENAI_API_KEY/);
});
