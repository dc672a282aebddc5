/**
 * Opaque page cursors. A cursor names the last row of a page by its sort key, (created_at, id),
 * so the next page starts strictly after it however many rows arrive meanwhile. The time is kept
 * as PostgreSQL's microsecond text: a JavaScript Date would round it to milliseconds, and two rows
 * in the same millisecond would then be skipped or repeated.
 */
export interface PageKey {
  /** created_at as `YYYY-MM-DDTHH:MM:SS.ffffffZ`. */
  time: string;
  id: string;
}

const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

export function encodeCursor(key: PageKey): string {
  return Buffer.from(JSON.stringify([key.time, key.id]), 'utf8').toString('base64url');
}

/** The key, or null when the text is not a cursor this server made. */
export function decodeCursor(cursor: string): PageKey | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 2) return null;
    const [time, id] = value as unknown[];
    if (typeof time !== 'string' || !TIME.test(time) || typeof id !== 'string' || !/^\d{1,19}$/.test(id)) return null;
    return { time, id };
  } catch {
    return null;
  }
}

/** SQL text for a timestamptz in the cursor's form (UTC, microseconds). */
export const CURSOR_TIME_FORMAT = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;
