/**
 * One shape for every body text so that line-based cleaners see the same thing whatever the
 * source: LF line ends, no-break spaces as spaces, no trailing blanks, at most one empty line in a
 * row, no blank lines at either end.
 */
export function normalizeText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[\u00A0\u2007\u202F]/g, ' ')
    .replace(/[\u2028\u2029]/g, '\n')
    .split('\n')
    .map(trimTrailingBlanks)
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .replace(/^\n+/, '')
    .replace(/\n+$/, '');
}

/** Collapses any run of whitespace to one space; for short fragments such as hidden text. */
export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

const BLANKS = new Set([' ', '\t', '\f', '\v']);

/**
 * Drops spaces and tabs at the end of one line. A loop, not `/[ \t]+$/`: on a long run of blanks
 * that does not end the line the regex backtracks quadratically (200,000 spaces took 59 s).
 */
export function trimTrailingBlanks(line: string): string {
  let end = line.length;
  while (end > 0 && BLANKS.has(line[end - 1]!)) end--;
  return end === line.length ? line : line.slice(0, end);
}
