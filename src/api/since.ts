import { parseDuration } from '../config/duration.js';

/** `since=1d` (that long before now) or `since=2026-11-01T00:00:00Z` (a date); null when neither. */
export function parseSinceParam(value: string, now: Date): Date | null {
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?\s*[a-z]+$/i.test(trimmed)) {
    const ms = parseDuration(trimmed);
    return ms === null ? null : new Date(now.getTime() - ms);
  }
  if (!/^\d{4}-\d{2}-\d{2}/.test(trimmed)) return null;
  const date = new Date(trimmed);
  return Number.isNaN(date.getTime()) ? null : date;
}
