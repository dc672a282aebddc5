const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * Parses "250ms", "5s", "30m", "2h", "7d" or a bare number of milliseconds.
 * Returns null for anything else so the caller can name the bad key.
 */
export function parseDuration(value: string | number): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : null;
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$/i.exec(value);
  if (!match) return null;
  const amount = Number(match[1]);
  const unit = (match[2] ?? 'ms').toLowerCase();
  return Math.round(amount * (UNIT_MS[unit] ?? 1));
}

/**
 * `1d` (that long before `now`) or `2026-11-01` / `2026-11-01T00:00Z` (a date); null for anything
 * else. The CLI's --since and the API's since= read it alike.
 */
export function parseSince(value: string, now: Date): Date | null {
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?\s*[a-z]+$/i.test(trimmed)) {
    const ms = parseDuration(trimmed);
    return ms === null ? null : new Date(now.getTime() - ms);
  }
  if (!/^\d{4}-\d{2}-\d{2}/.test(trimmed)) return null;
  const date = new Date(trimmed);
  return Number.isNaN(date.getTime()) ? null : date;
}
