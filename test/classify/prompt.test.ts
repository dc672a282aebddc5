import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifierInputHash, createPrompt } from '../../src/classify/prompt.js';
import { classifierConfig, input } from './fixtures.js';

const version = (overrides: Record<string, unknown> = {}) => createPrompt(classifierConfig(overrides)).promptVersion;

test('promptVersion is a short hash, stable for the same settings', () => {
  assert.match(version(), /^[0-9a-f]{16}$/);
  assert.equal(version({ teams: ['a'] }), version({ teams: ['a'] }));
});

test('promptVersion changes with teams, model, temperature and instructions', () => {
  const base = version({ teams: ['backend'] });
  assert.notEqual(version({ teams: ['backend', 'frontend'] }), base);
  assert.notEqual(version({ teams: [{ name: 'backend', description: 'APIs and login' }] }), base);
  assert.notEqual(version({ teams: ['backend'], model: 'gpt-4o' }), base);
  assert.notEqual(version({ teams: ['backend'], temperature: 0.3 }), base);
  assert.notEqual(version({ teams: ['backend'], instructions: 'We sell bicycles.' }), base);
});

test('promptVersion ignores transport settings and the response mode', () => {
  const base = version();
  assert.equal(version({ response_format: 'text', timeout: '5s', concurrency: 16, rpm: 60, logprobs: false, api_key: 'other' }), base);
});

test('the system prompt names the allowed values, the teams and the mailbox instructions', () => {
  const prompt = createPrompt(classifierConfig({ teams: [{ name: 'backend', description: 'APIs and login' }], instructions: 'We sell bicycles.' }));
  for (const word of ['"support"', '"feature_request"', '"urgent"', '"backend": APIs and login', 'We sell bicycles.', 'JSON']) {
    assert.ok(prompt.system.includes(word), word);
  }
});

test('the user message carries sender, subject, date, attachments and the cleaned text', () => {
  const prompt = createPrompt(classifierConfig());
  const message = prompt.userMessage(
    input({
      attachments: [{ filename: 'screenshot.png', content_type: 'image/png', size: 10 }],
      cleanText: 'the cleaned text',
      fullText: 'the full text with quoted history',
    }),
  );
  for (const part of ['From: Maria Rossi <maria@azienda.example>', 'Subject: Login broken', 'Date: 2026-11-23T09:13:58.000Z', 'Attachments: screenshot.png', 'the cleaned text', 'Mailbox: support']) {
    assert.ok(message.includes(part), part);
  }
  assert.ok(!message.includes('quoted history'));
});

test('classifierInputHash: same input and version → same key; any change → new key', () => {
  const v = version();
  const a = classifierInputHash(v, input());
  assert.match(a, /^[0-9a-f]{64}$/);
  assert.equal(classifierInputHash(v, input()), a);
  assert.notEqual(classifierInputHash(v, input({ cleanText: 'something else' })), a);
  assert.notEqual(classifierInputHash(version({ model: 'gpt-4o' }), input()), a);
  // What the model does not see does not matter.
  assert.equal(classifierInputHash(v, input({ fullText: 'different history', messageId: '<other@x>' })), a);
});
