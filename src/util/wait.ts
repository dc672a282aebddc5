/**
 * Waiting: the one backoff formula every retry in Mailroom uses, the two ways a loop sleeps, and
 * letting a started request leave before synchronous work.
 * ±20 % jitter everywhere, so processes (or mailboxes, or emails) that failed together do not
 * come back in lockstep.
 */
export const JITTER = 0.2;

/** `ms` spread ±20 %. */
export function jitter(ms: number, random: () => number = Math.random): number {
  return Math.round(ms * (1 - JITTER + 2 * JITTER * random()));
}

/** Wait before attempt `attempt` (1-based) after a failure: `minMs` doubling up to `maxMs`, jittered. */
export function backoffDelay(attempt: number, options: { minMs: number; maxMs: number }, random: () => number = Math.random): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 30));
  return jitter(Math.min(options.maxMs, options.minMs * 2 ** exponent), random);
}

/**
 * One turn of the event loop: a request just started reaches its socket before the synchronous
 * work that follows, which then runs while the request is out.
 */
export function nextTurn(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

let turnQueue: Promise<unknown> = Promise.resolve();

/**
 * Runs `job` in a turn of the event loop of its own, after the jobs queued before it: a burst of
 * emails (a backlog's first chunk) would otherwise run its synchronous work back to back in one
 * turn, and the answers and sockets their model requests wait for (the cache lookup, a connect)
 * would only be served after all of it. One job per turn lets that I/O run between them.
 */
export function inTurn<T>(job: () => T): Promise<T> {
  const run = turnQueue.then(
    () =>
      new Promise<T>((resolve, reject) =>
        setImmediate(() => {
          try {
            resolve(job());
          } catch (error) {
            reject(error);
          }
        }),
      ),
  );
  turnQueue = run.then(
    () => undefined,
    () => undefined,
  );
  return run;
}

/** A promise that never rejects, so it may wait unawaited while other work runs (no unhandled rejection). */
export function settled<T>(promise: Promise<T>): Promise<{ result: T } | { error: unknown }> {
  return promise.then(
    (result) => ({ result }),
    (error: unknown) => ({ error }),
  );
}

/** Resolves after `ms`, or at once when `signal` aborts. Never rejects. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * A poll loop's sleep that new work can cut short. A wake that comes while the loop is busy is
 * remembered, so the next sleep returns at once and no wake-up is lost between two polls.
 */
export interface WakeableSleep {
  sleep(ms: number): Promise<void>;
  wake(): void;
}

export function createWakeableSleep(): WakeableSleep {
  let wakeUp: (() => void) | null = null;
  let pendingWake = false;
  return {
    sleep(ms) {
      return new Promise<void>((resolve) => {
        if (pendingWake) {
          pendingWake = false;
          return resolve();
        }
        const timer = setTimeout(done, ms);
        function done() {
          clearTimeout(timer);
          wakeUp = null;
          resolve();
        }
        wakeUp = done;
      });
    },
    wake() {
      if (wakeUp) wakeUp();
      else pendingWake = true;
    },
  };
}

/** A Retry-After value (delay-seconds or an HTTP date) in milliseconds; null when absent or unreadable. */
export function retryAfterMs(value: string | null | undefined, nowMs: number): number | null {
  if (value === null || value === undefined || value.trim() === '') return null;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.ceil(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - nowMs);
}

/**
 * The wait after a failure someone else may know more about: backoff from `minMs`, the maximum at
 * once for a permanent problem (it needs an operator, but the item is kept and tried again), and
 * never sooner than the server asked (Retry-After).
 */
export function retryDelay(attempt: number, range: { minMs: number; maxMs: number }, hints: { retryAfterMs?: number | null; permanent?: boolean } = {}, random: () => number = Math.random): number {
  const wait = hints.permanent ? jitter(range.maxMs, random) : backoffDelay(attempt, range, random);
  return Math.max(wait, hints.retryAfterMs ?? 0);
}
