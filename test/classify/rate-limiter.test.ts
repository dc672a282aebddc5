import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRateLimiter } from '../../src/classify/rate-limiter.js';
import { virtualTimer } from './fixtures.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

test('concurrency: never more than the limit, and waiters start in FIFO order', async () => {
  const limiter = createRateLimiter({ concurrency: 2, rpm: 0 });
  const gates = Array.from({ length: 6 }, deferred);
  const started: number[] = [];
  let running = 0;
  let most = 0;
  const runs = gates.map((gate, i) =>
    limiter.run(async () => {
      started.push(i);
      running++;
      most = Math.max(most, running);
      await gate.promise;
      running--;
    }),
  );
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(started, [0, 1]);
  assert.equal(limiter.waiting, 4);
  gates[1]!.resolve();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(started, [0, 1, 2]);
  for (const gate of gates) gate.resolve();
  await Promise.all(runs);
  assert.deepEqual(started, [0, 1, 2, 3, 4, 5]);
  assert.equal(most, 2);
  assert.equal(limiter.active, 0);
});

test('a failing task frees its slot', async () => {
  const limiter = createRateLimiter({ concurrency: 1, rpm: 0 });
  await assert.rejects(
    limiter.run(async () => Promise.reject(new Error('boom'))),
    /boom/,
  );
  assert.equal(await limiter.run(async () => 42), 42);
});

test('a waiter that aborts leaves the queue without taking a slot', async () => {
  const limiter = createRateLimiter({ concurrency: 1, rpm: 0 });
  const gate = deferred();
  const first = limiter.run(() => gate.promise);
  const controller = new AbortController();
  let ranAborted = false;
  const aborted = limiter.run(async () => {
    ranAborted = true;
  }, controller.signal);
  const third = limiter.run(async () => 'third');
  controller.abort(new Error('gave up'));
  await assert.rejects(aborted, /gave up/);
  assert.equal(limiter.waiting, 1);
  gate.resolve();
  await first;
  assert.equal(await third, 'third');
  assert.equal(ranAborted, false);
});

test('rpm: at most rpm starts in any window, shared by every caller', async () => {
  const timer = virtualTimer();
  const limiter = createRateLimiter({ concurrency: 3, rpm: 5, timer });
  const starts: number[] = [];
  const work = Promise.all(
    Array.from({ length: 12 }, () =>
      limiter.run(async () => {
        starts.push(timer.now());
        await timer.sleep(1_000); // each request takes a virtual second
      }),
    ),
  );
  await timer.run(work);
  assert.equal(starts.length, 12);
  for (const start of starts) {
    const inWindow = starts.filter((s) => s >= start && s < start + 60_000).length;
    assert.ok(inWindow <= 5, `${inWindow} starts in the minute from ${start}: ${starts.join(', ')}`);
  }
  // Not slower than needed either: the 11th and 12th start in the third minute.
  assert.deepEqual(
    starts.map((s) => Math.floor(s / 60_000)),
    [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2],
  );
});

test('rpm 0 means unlimited', async () => {
  const timer = virtualTimer();
  const limiter = createRateLimiter({ concurrency: 50, rpm: 0, timer });
  const starts: number[] = [];
  await timer.run(Promise.all(Array.from({ length: 100 }, () => limiter.run(async () => void starts.push(timer.now())))));
  assert.ok(starts.every((s) => s === 0));
});
