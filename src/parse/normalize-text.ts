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

/**
 * Characters that render as nothing (or only reorder text) yet split or disguise words:
 * zero-width spaces/joiners, directional marks and embeddings, word joiners and invisible
 * operators, isolates, the BOM and the soft hyphen. "refu\u200Bnd" must read as "refund" to the
 * detectors, and bidi overrides must not reorder what the model reads.
 * U+061C (Arabic letter mark) and U+180E (Mongolian vowel separator) are the same kind of mark.
 */
const INVISIBLE = /[\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF\u00AD\u061C\u180E]/g;
const HAS_INVISIBLE = /[\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF\u00AD\u061C\u180E]/;

export function removeInvisibleCharacters(text: string): string {
  // Most text has none; testing first avoids building a new string for it.
  return HAS_INVISIBLE.test(text) ? text.replace(INVISIBLE, '') : text;
}

export function countInvisibleCharacters(text: string): number {
  if (!HAS_INVISIBLE.test(text)) return 0;
  return text.match(INVISIBLE)?.length ?? 0;
}
