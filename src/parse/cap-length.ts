export interface CappedText {
  text: string;
  truncated: boolean;
  /** Characters cut out of the middle (0 when the text fit). */
  omitted: number;
}

// Most of the budget goes to the head (what the customer asks); the tail keeps the last words.
const HEAD_SHARE = 0.7;
// How far back to look for a line or word boundary before cutting mid-word.
const BOUNDARY_WINDOW = 200;

function omissionMarker(omitted: number): string {
  return `\n[… ${omitted.toLocaleString('en-US')} characters omitted …]\n`;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** End of the head: at a newline or space near `limit`, never splitting a surrogate pair. */
function headEnd(text: string, limit: number): number {
  const floor = Math.max(0, limit - BOUNDARY_WINDOW);
  const newline = text.lastIndexOf('\n', limit);
  if (newline >= floor && newline > 0) return newline;
  const space = text.lastIndexOf(' ', limit);
  if (space >= floor && space > 0) return space;
  return isLowSurrogate(text.charCodeAt(limit)) ? limit - 1 : limit;
}

/** Start of the tail: at a newline or space near `start`, never splitting a surrogate pair. */
function tailStart(text: string, start: number): number {
  const ceiling = Math.min(text.length, start + BOUNDARY_WINDOW);
  const newline = text.indexOf('\n', start);
  if (newline >= 0 && newline < ceiling) return newline + 1;
  const space = text.indexOf(' ', start);
  if (space >= 0 && space < ceiling) return space + 1;
  return isLowSurrogate(text.charCodeAt(start)) ? start + 1 : start;
}

/**
 * Keeps the text within `maxChars` (UTF-16 code units, like String#length) by cutting out the
 * middle: head and tail stay, a marker saying how much went missing sits between them. The result,
 * marker included, is never longer than `maxChars`.
 */
export function capLength(text: string, maxChars: number): CappedText {
  if (text.length <= maxChars) return { text, truncated: false, omitted: 0 };
  // The marker's length depends on the count it shows; the widest count is the whole text.
  const budget = maxChars - omissionMarker(text.length).length;
  if (budget <= 0) return { text: text.slice(0, Math.max(0, maxChars)), truncated: true, omitted: text.length - Math.max(0, maxChars) };
  const head = text.slice(0, headEnd(text, Math.floor(budget * HEAD_SHARE))).trimEnd();
  const tailBudget = budget - head.length;
  const tail = tailBudget > 0 ? text.slice(tailStart(text, text.length - tailBudget)).trimStart() : '';
  const omitted = text.length - head.length - tail.length;
  return { text: head + omissionMarker(omitted) + tail, truncated: true, omitted };
}
