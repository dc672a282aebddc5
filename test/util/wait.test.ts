import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffDelay, createWakeableSleep, inTurn, nextTurn, retryAfterMs, retryDelay, sleep } from '../../src/util/wait.js';

test('backoff doubles from the minimum up to the cap, with ±20 % jitter', () => {
  const opts = { minMs: 1000, maxMs: 60_000 };
  assert.deepEqual(
    [1, 2, 3, 7, 8, 50].map((n) => backoffDelay(n, opts, () => 0.5)),
    [1000, 2000, 4000, 60_000, 60_000, 60_000],
  );
  assert.equal(
    backoffDelay(1, opts, () => 0),
    800,
  );
  assert.equal(
    backoffDelay(1, opts, () => 1),
    1200,
  );
  assert.equal(
    backoffDelay(0, opts, () => 0.5),
    1000,
    'a first attempt never waits less than the minimum',
  );
});

test('retries that a server or an operator may know more about: never before Retry-After, permanent waits the maximum', () => {
  const mid = () => 0.5;
  const range = { minMs: 30_000, maxMs: 1_800_000 };
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 7, 8].map((n) => retryDelay(n, range, {}, mid)),
    [30_000, 60_000, 120_000, 240_000, 480_000, 960_000, 1_800_000, 1_800_000],
  );
  assert.equal(
    retryDelay(1, range, {}, () => 0),
    24_000,
  );
  assert.equal(
    retryDelay(1, range, {}, () => 1),
    36_000,
  );
  assert.equal(retryDelay(1, range, { retryAfterMs: 90_000 }, mid), 90_000);
  assert.equal(retryDelay(1, range, { permanent: true }, mid), 1_800_000);
  assert.equal(retryDelay(1000, range, {}, mid), 1_800_000);
});

test('Retry-After as seconds or an HTTP date; anything else is no answer', () => {
  const now = Date.parse('2026-11-23T12:00:00Z');
  assert.equal(retryAfterMs('120', now), 120_000);
  assert.equal(retryAfterMs('1.5', now), 1500);
  assert.equal(retryAfterMs('Mon, 23 Nov 2026 12:01:00 GMT', now), 60_000);
  assert.equal(retryAfterMs('Mon, 23 Nov 2026 11:00:00 GMT', now), 0, 'a date in the past means now');
  for (const bad of [undefined, null, '', 'soon', 'in five minutes']) assert.equal(retryAfterMs(bad, now), null, String(bad));
});

test('sleeps: an abort ends one at once; a wake that comes early is remembered', async () => {
  const controller = new AbortController();
  const started = Date.now();
  const waiting = sleep(60_000, controller.signal);
  controller.abort();
  await waiting;
  assert.ok(Date.now() - started < 1000);
  const idle = createWakeableSleep();
  idle.wake();
  const before = Date.now();
  await idle.sleep(60_000);
  assert.ok(Date.now() - before < 1000, 'the wake before the sleep was not lost');
});

test('inTurn: queued jobs run one per turn of the event loop, in order, so callbacks queued between them are not kept waiting', async () => {
  const order: string[] = [];
  // What the detectors of a chunk of emails did before: each waited one turn, then all ran in the same turn.
  await Promise.all(
    ['a', 'b'].map(async (name) => {
      await nextTurn();
      order.push(name);
      setImmediate(() => order.push(`after ${name}`));
    }),
  );
  await nextTurn();
  assert.deepEqual(order, ['a', 'b', 'after a', 'after b']);

  order.length = 0;
  const jobs = ['a', 'b', 'c'].map((name) =>
    inTurn(() => {
      order.push(name);
      setImmediate(() => order.push(`after ${name}`));
      return name.toUpperCase();
    }),
  );
  assert.deepEqual(await Promise.all(jobs), ['A', 'B', 'C']);
  await nextTurn();
  assert.deepEqual(order, ['a', 'after a', 'b', 'after b', 'c', 'after c']);
});

test('inTurn: a job that throws rejects its own promise; the jobs after it still run', async () => {
  const failing = inTurn(() => {
    throw new Error('no');
  });
  const next = inTurn(() => 'ran');
  await assert.rejects(failing, /no/);
  assert.equal(await next, 'ran');
});
