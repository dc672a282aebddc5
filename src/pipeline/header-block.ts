import { textColumn } from '../db/column-text.js';

/** The header block of a raw message (up to the first empty line), as text. */
export function headerBlock(raw: Buffer, limit = 256 * 1024): string {
  const head = raw.subarray(0, Math.min(raw.length, limit));
  const crlf = head.indexOf('\r\n\r\n');
  const lf = head.indexOf('\n\n');
  const ends = [crlf, lf].filter((i) => i >= 0);
  const end = ends.length > 0 ? Math.min(...ends) : head.length;
  return textColumn(head.subarray(0, end).toString('latin1'));
}
