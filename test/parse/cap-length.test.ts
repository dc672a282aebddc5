import assert from 'node:assert/strict';
import { test } from 'node:test';
import { capLength } from '../../src/parse/cap-length.js';

test('text within the cap is returned as it is', () => {
  assert.deepEqual(capLength('short', 10), { text: 'short', truncated: false, omitted: 0 });
});

test('long text keeps head and tail with a marker that says how much went', () => {
  const lines = Array.from({ length: 2000 }, (_, i) => `line ${i} of the message`);
  const text = lines.join('\n');
  const { text: capped, truncated, omitted } = capLength(text, 6000);
  assert.equal(truncated, true);
  assert.ok(capped.length <= 6000, `capped length ${capped.length}`);
  assert.ok(capped.startsWith('line 0 of the message\nline 1 '));
  assert.ok(capped.endsWith('line 1999 of the message'));
  const marker = /\n\[… ([\d,]+) characters omitted …\]\n/.exec(capped);
  assert.ok(marker, 'marker present');
  assert.equal(Number(marker[1]?.replace(/,/g, '')), omitted);
  assert.equal(capped.length - marker[0].length + omitted, text.length);
  // Cuts fall on line boundaries, so no line is cut in half.
  const [head, tail] = capped.split(marker[0]);
  assert.ok(lines.includes(head?.split('\n').at(-1) ?? ''));
  assert.ok(lines.includes(tail?.split('\n')[0] ?? ''));
});

test('text without spaces is cut without splitting a surrogate pair', () => {
  const text = '😀'.repeat(5000);
  const { text: capped } = capLength(text, 1001);
  assert.ok(capped.length <= 1001);
  assert.doesNotMatch(capped, /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
});

test('a cap smaller than the marker still respects the cap', () => {
  const { text, truncated } = capLength('x'.repeat(100), 10);
  assert.equal(text.length, 10);
  assert.equal(truncated, true);
});
