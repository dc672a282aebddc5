import { parseDuration } from '../config/duration.js';
import { UsageError } from './errors.js';

/** `--since 1d` (a duration back from now) or `--since 2026-11-01T00:00Z` (a date). */
export function parseSince(value: string, now: Date = new Date()): Date {
  const ms = parseDuration(value);
  if (ms !== null && /[a-z]$/i.test(value.trim())) return new Date(now.getTime() - ms);
  const date = new Date(value);
  if (!Number.isNaN(date.getTime()) && /^\d{4}-\d{2}-\d{2}/.test(value)) return date;
  throw new UsageError(`--since: expected a duration like 1d or 12h, or a date like 2026-11-01, got "${value}"`);
}
