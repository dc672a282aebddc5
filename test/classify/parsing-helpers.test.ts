import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decisionConfidence, extractJsonObject, intentLogprobConfidence } from '../../src/classify/answer.js';
import { parseRetryAfter } from '../../src/classify/retry.js';

test('extractJsonObject: plain, fenced, in prose, absent', () => {
  assert.deepEqual(extractJsonObject('{"a":1}'), { a: 1 });
  assert.deepEqual(extractJsonObject('Sure!\n```json\n{"a": {"b": "}"}}\n```\nDone.'), { a: { b: '}' } });
  assert.deepEqual(extractJsonObject('The answer is {"a": "x \\" {"} and that is all {oops}'), { a: 'x " {' });
  assert.throws(() => extractJsonObject('no json here'), /no JSON object/);
  assert.throws(() => extractJsonObject('  '), /empty/);
  assert.throws(() => extractJsonObject('[1,2]'), /no JSON object/);
});

test('parseRetryAfter: retry-after-ms, seconds, HTTP date, garbage', () => {
  const h = (entries: Record<string, string>) => new Headers(entries);
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(parseRetryAfter(h({ 'retry-after-ms': '1500.5', 'retry-after': '9' }), now), 1501);
  assert.equal(parseRetryAfter(h({ 'retry-after': '3' }), now), 3000);
  assert.equal(parseRetryAfter(h({ 'retry-after': 'Thu, 01 Jan 2026 00:00:20 GMT' }), now), 20_000);
  assert.equal(parseRetryAfter(h({ 'retry-after': 'Wed, 31 Dec 2025 00:00:00 GMT' }), now), 0);
  assert.equal(parseRetryAfter(h({ 'retry-after': 'soon' }), now), null);
  assert.equal(parseRetryAfter(h({}), now), null);
});

test('intentLogprobConfidence sums the tokens of the intent value', () => {
  const content = '{"intent":"support","confidence":0.9}';
  const tokens = ['{"', 'intent', '":"', 'supp', 'ort', '","', 'confidence', '":', '0', '.9', '}'].map((token) => ({
    token,
    logprob: token === 'supp' ? Math.log(0.5) : token === 'ort' ? Math.log(0.9) : -0.01,
  }));
  // 'supp' and 'ort' are the value; '":"' and '","' only touch it at the quotes, outside the value.
  assert.ok(Math.abs(intentLogprobConfidence(content, 'support', tokens)! - 0.45) < 1e-9);
  assert.equal(intentLogprobConfidence(content, 'support', null), null);
  assert.equal(intentLogprobConfidence(content, 'sales', tokens), null);
  assert.equal(intentLogprobConfidence(`${content} `, 'support', tokens), null, 'tokens must spell the content');
});

test("decisionConfidence is the lower of the two readings, or the model's own", () => {
  const classification = { confidence: 0.9 } as never;
  assert.equal(decisionConfidence({ classification, logprobConfidence: null }), 0.9);
  assert.equal(decisionConfidence({ classification, logprobConfidence: 0.6 }), 0.6);
  assert.equal(decisionConfidence({ classification, logprobConfidence: 0.99 }), 0.9);
});
