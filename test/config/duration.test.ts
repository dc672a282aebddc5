import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDuration } from '../../src/config/duration.js';

test('durations in every unit', () => {
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('5s'), 5000);
  assert.equal(parseDuration('30m'), 1_800_000);
  assert.equal(parseDuration('2h'), 7_200_000);
  assert.equal(parseDuration('7d'), 604_800_000);
  assert.equal(parseDuration(1500), 1500);
  assert.equal(parseDuration('0'), 0);
});

test('nonsense is refused, not guessed', () => {
  assert.equal(parseDuration('soon'), null);
  assert.equal(parseDuration('-5s'), null);
  assert.equal(parseDuration(Number.NaN), null);
});
