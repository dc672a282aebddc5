/**
 * Wait before reconnect attempt `attempt` (1-based): doubling from `minMs` up to `maxMs`, each wait
 * spread ±20 % so many processes (or mailboxes on one server) that lost the server together do not
 * come back in lockstep.
 */
export function reconnectDelay(attempt: number, options: { minMs: number; maxMs: number }, random: () => number = Math.random): number {
  const base = Math.min(options.maxMs, options.minMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  return Math.round(base * (0.8 + 0.4 * random()));
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
