import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createClassifier, RULES_FALLBACK_NOTICE } from '../../src/classify/index.js';
import { configSchema } from '../../src/config/index.js';

const config = (classifier: Record<string, unknown> = {}) => configSchema.parse({ classifier }).classifier;

test('auto without any key or base_url: rules, with the notice', () => {
  const { classifier, notice } = createClassifier(config(), { apiKeyFromEnv: undefined });
  assert.equal(classifier.name, 'rules');
  assert.equal(notice, RULES_FALLBACK_NOTICE);
});

test('auto with OPENAI_API_KEY or classifier.api_key: openai', () => {
  assert.equal(createClassifier(config(), { apiKeyFromEnv: 'sk-env' }).classifier.name, 'openai');
  const fromConfig = createClassifier(config({ api_key: 'sk-config' }), { apiKeyFromEnv: undefined });
  assert.equal(fromConfig.classifier.name, 'openai');
  assert.equal(fromConfig.notice, null);
});

test('auto with only a base_url (local server): openai, no key needed', () => {
  const { classifier, notice } = createClassifier(config({ base_url: 'http://127.0.0.1:11434/v1' }), { apiKeyFromEnv: undefined });
  assert.equal(classifier.name, 'openai');
  assert.equal(notice, null);
});

test('provider rules is honoured even with a key', () => {
  assert.equal(createClassifier(config({ provider: 'rules', api_key: 'sk' }), {}).classifier.name, 'rules');
});

test('provider openai without key or base_url is a configuration error that says what to set', () => {
  assert.throws(() => createClassifier(config({ provider: 'openai' }), { apiKeyFromEnv: '' }), /OPENAI_API_KEY/);
});
