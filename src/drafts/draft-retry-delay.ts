const MIN_DELAY_MS = 30 * 1000;
const MAX_DELAY_MS = 30 * 60 * 1000;

/**
 * How long a draft waits after the model, IMAP or SMTP was unreachable: 30 s doubling to at most
 * 30 min, spread ±20 % so drafts that failed together do not return together, never sooner than
 * a server asked (Retry-After). A permanent problem (wrong key, missing folder) waits the maximum:
 * it needs an operator, but the draft is kept and tried again.
 */
export function draftRetryDelayMs(attempts: number, options: { retryAfterMs?: number | null; permanent?: boolean } = {}, random: () => number = Math.random): number {
  const base = options.permanent ? MAX_DELAY_MS : Math.min(MAX_DELAY_MS, MIN_DELAY_MS * 2 ** Math.max(0, Math.min(attempts - 1, 20)));
  const jittered = base * (0.8 + 0.4 * random());
  return Math.round(Math.max(jittered, options.retryAfterMs ?? 0));
}
