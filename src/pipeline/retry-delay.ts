/**
 * How long an email waits before the next classification attempt when the model is unreachable:
 * 30 s doubling to at most 15 min, with ±20 % jitter so a fleet of waiting emails does not
 * return in one burst, and never sooner than the server asked (Retry-After). A permanent error
 * (wrong key or model) waits the maximum: it needs an operator, but the email still waits.
 */
export function classificationRetryDelayMs(attempts: number, retryAfterMs: number | null, permanent: boolean, random = Math.random): number {
  const MAX = 15 * 60 * 1000;
  const base = permanent ? MAX : Math.min(MAX, 30_000 * 2 ** Math.max(0, attempts - 1));
  const jittered = base * (0.8 + 0.4 * random());
  return Math.round(Math.max(jittered, retryAfterMs ?? 0));
}
