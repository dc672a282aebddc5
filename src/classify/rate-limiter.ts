import { realTimer, type Timer } from './retry.js';

/**
 * One gate for every request the process sends to the model: at most `concurrency` in flight and
 * at most `rpm` started in any window of `windowMs`. Retries and repair requests pass through it
 * too, so a storm of retries cannot exceed what the provider allows.
 */
export interface RateLimiter {
  /** Waits for a slot (FIFO) and for the rpm window, runs `fn`, and frees the slot when it settles. */
  run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** Requests running now. */
  readonly active: number;
  /** Requests waiting for a slot. */
  readonly waiting: number;
}

export interface RateLimiterOptions {
  concurrency: number;
  /** Requests started per window; 0 = unlimited. */
  rpm: number;
  /** Length of the rpm window; 60 s unless a test shrinks it. */
  windowMs?: number;
  timer?: Timer;
}

interface Waiter {
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  const rpm = Math.max(0, Math.floor(options.rpm));
  const windowMs = options.windowMs ?? 60_000;
  const timer = options.timer ?? realTimer;

  let active = 0;
  const queue: Waiter[] = [];
  // Start times handed out so far (sorted). Reserving synchronously keeps concurrent callers from
  // all seeing the same free window and starting together.
  const starts: number[] = [];

  function acquireSlot(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (active < concurrency && queue.length === 0) {
      active++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal, onAbort: undefined };
      if (signal) {
        waiter.onAbort = () => {
          const index = queue.indexOf(waiter);
          if (index >= 0) queue.splice(index, 1);
          reject(signal.reason);
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      queue.push(waiter);
    });
  }

  function releaseSlot(): void {
    active--;
    while (active < concurrency && queue.length > 0) {
      const next = queue.shift()!;
      if (next.onAbort) next.signal?.removeEventListener('abort', next.onAbort);
      active++;
      next.resolve();
    }
  }

  /** Returns how long to wait before this request may start, and books that start. */
  function reserveStart(): number {
    if (rpm === 0) return 0;
    const now = timer.now();
    while (starts.length > 0 && starts[0]! <= now - windowMs) starts.shift();
    const start = starts.length < rpm ? now : Math.max(now, starts[starts.length - rpm]! + windowMs);
    starts.push(start);
    return start - now;
  }

  return {
    async run<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
      await acquireSlot(signal);
      try {
        const wait = reserveStart();
        if (wait > 0) await timer.sleep(wait, signal);
        signal?.throwIfAborted();
        return await fn();
      } finally {
        releaseSlot();
      }
    },
    get active() {
      return active;
    },
    get waiting() {
      return queue.length;
    },
  };
}
