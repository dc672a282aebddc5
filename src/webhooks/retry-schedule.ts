/**
 * When to try again. The schedule is data (`webhooks.schedule`, Svix's by default: at once, 5 s,
 * 5 min, 30 min, 2 h, 5 h, 10 h, 10 h): entry k is the wait before attempt k+1. Waits get ±20 %
 * jitter so a receiver coming back from an outage is not hit by every queued retry in the same second.
 */
export const JITTER = 0.2;

/**
 * Milliseconds until the next attempt after `attemptsMade` attempts failed, or null when the
 * schedule is used up (the delivery becomes a dead letter).
 */
export function nextAttemptDelay(params: {
  schedule: readonly number[];
  attemptsMade: number;
  statusCode: number | null;
  retryAfterMs: number | null;
  random?: () => number;
}): number | null {
  const { schedule, attemptsMade } = params;
  if (attemptsMade >= schedule.length) return null;
  const base = schedule[attemptsMade]!;
  const random = params.random ?? Math.random;
  let wait = Math.round(base * (1 - JITTER + 2 * JITTER * random()));
  // Retry-After on 429/503 is the receiver telling us when it can take more: wait at least that
  // long, but never longer than the longest step of the schedule (a hostile or buggy header must
  // not park a delivery for a year).
  if ((params.statusCode === 429 || params.statusCode === 503) && params.retryAfterMs !== null) {
    wait = Math.max(wait, Math.min(params.retryAfterMs, Math.max(...schedule)));
  }
  return wait;
}

/** Retry-After as delay-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now: Date): number | null {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return null;
  if (/^\s*\d+\s*$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now.getTime());
}
