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

/** The earliest and latest date a `since` may name: what every database and Date can hold. */
const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * `1d` (that long before `now`) or `2026-11-01` / `2026-11-01T00:00Z` (a date); null for anything
 * else, including dates that do not exist (2026-02-30 is refused, not rolled over to March) and
 * durations reaching before 1970. The CLI's --since and the API's since= read it alike.
 */
export function parseSince(value: string, now: Date): Date | null {
  const trimmed = value.trim();
  let time: number | null;
  if (/^\d+(\.\d+)?\s*[a-z]+$/i.test(trimmed)) {
    const ms = parseDuration(trimmed);
    time = ms === null ? null : now.getTime() - ms;
  } else {
    time = parseDateTime(trimmed);
  }
  return time !== null && Number.isFinite(time) && time >= EARLIEST && time <= LATEST ? new Date(time) : null;
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * An ISO 8601 date or date-time in milliseconds, or null. Every field is range-checked against the
 * calendar: `new Date()` would turn 2026-02-30 into March 2.
 */
export function parseDateTime(text: string): number | null {
  const m = DATE_TIME.exec(text);
  if (!m) return null;
  const [year, month, day, hour = 0, minute = 0, second = 0] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((part) => (part === undefined ? undefined : Number(part))) as number[];
  if (month! < 1 || month! > 12 || day! < 1 || day! > daysInMonth(year!, month!)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  const millis = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  let offsetMinutes = 0;
  const zone = m[8];
  if (zone && zone.toUpperCase() !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    const [hours, minutes] = [Number(digits.slice(0, 2)), Number(digits.slice(2))];
    if (hours > 23 || minutes > 59) return null;
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (hours * 60 + minutes);
  }
  // A date-time without a zone is UTC here (unlike `new Date`, which would take the local zone for
  // a date-time but UTC for a date alone).
  return Date.UTC(year!, month! - 1, day!, hour, minute, second, millis) - offsetMinutes * 60_000;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
