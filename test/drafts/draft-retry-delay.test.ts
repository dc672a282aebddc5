import { test } from 'node:test';
import assert from 'node:assert/strict';
import { draftRetryDelayMs } from '../../src/drafts/draft-retry-delay.js';

test('draft retries: 30 s doubling to 30 min, jittered ±20 %, never before Retry-After, permanent waits the maximum', () => {
  const mid = () => 0.5;
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8].map((n) => draftRetryDelayMs(n, {}, mid)), [30_000, 60_000, 120_000, 240_000, 480_000, 960_000, 1_800_000, 1_800_000]);
  assert.equal(draftRetryDelayMs(1, {}, () => 0), 24_000);
  assert.equal(draftRetryDelayMs(1, {}, () => 1), 36_000);
  assert.equal(draftRetryDelayMs(1, { retryAfterMs: 90_000 }, mid), 90_000);
  assert.equal(draftRetryDelayMs(1, { permanent: true }, mid), 1_800_000);
  assert.equal(draftRetryDelayMs(1000, {}, mid), 1_800_000);
});
