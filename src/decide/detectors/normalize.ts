/**
 * The one form every detector reads: a field's text normalised, folded for matching, indexed by word,
 * and split where its signature begins.
 */

/** Invisible characters that split a word without showing (zero-width, soft hyphen, bidi controls). */
const INVISIBLE = /[\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;
const APOSTROPHES = /[\u2018\u2019\u02BC\u0060\u00B4\u2032]/g;

/**
 * NFKC (full-width letters, ligatures and decomposed accents become plain composed letters), no
 * invisible characters, straight apostrophes. Matches are reported by term, not by position.
 */
export function normalizeForMatching(text: string): string {
  return text.normalize('NFKC').replace(INVISIBLE, '').replace(APOSTROPHES, "'");
}

// Letters without a decomposition, folded to the first letter of how they are spelt out.
const UNDECOMPOSED: Record<string, string> = { ß: 's', ẞ: 'S', œ: 'o', Œ: 'O', æ: 'a', Æ: 'A', ø: 'o', Ø: 'O', ł: 'l', Ł: 'L', đ: 'd', Đ: 'D' };
const FOLDED = new Map<string, string>();

/**
 * Accents removed letter by letter (é→e, ü→u, ñ→n, ß→s) so "rembourse" finds "remboursé" and "Rueckerstattung"
 * or "Ruckerstattung" both find what the patterns write as "rückerstattung". The result has the same
 * length as the input, so an offset in it is an offset in the accented text a reason quotes.
 */
export function foldAccents(text: string): string {
  return text.replace(/[\u00C0-\u024F\u1E00-\u1EFF]/g, (c) => {
    let base = FOLDED.get(c);
    if (base === undefined) {
      const stripped = c.normalize('NFD').replace(/\p{M}+/gu, '');
      base = UNDECOMPOSED[c] ?? (stripped.length === 1 ? stripped : c);
      FOLDED.set(c, base);
    }
    return base;
  });
}

/** Lower case, letter by letter where lower-casing would change the length ("İ"), so offsets still line up. */
function lowerSameLength(text: string): string {
  const lower = text.toLowerCase();
  if (lower.length === text.length) return lower;
  return Array.from(text, (c) => (c.toLowerCase().length === c.length ? c.toLowerCase() : c)).join('');
}

/** "Neue_Bankverbindung-Weber.pdf" → "Neue Bankverbindung-Weber pdf": the words of a file name. */
export function attachmentWords(filename: string): string {
  return filename.replace(/[_.+]+/g, ' ').replace(/([a-zà-ÿ])([A-ZÀ-Þ])/g, '$1 $2');
}

// A closing formula on a line of its own: what follows is the sender's signature (titles, register
// courts, tax and bank footers, confidentiality notices), which says who writes, not what they want.
// biome-ignore format: a table of closings reads best as written
const CLOSING = new RegExp(`^(?:${[
  '(?:kind|best|warm|many)? ?regards', 'best(?: wishes)?', 'br', 'cheers', 'thanks?(?: you)?(?: (?:in advance|again|so much))?', 'many thanks', 'sincerely', 'yours (?:sincerely|faithfully|truly)', 'all the best',
  '(?:cordiali|distinti) saluti', 'saluti(?: cordiali)?', 'un (?:cordiale )?saluto', 'cordialmente', 'grazie(?: mille)?', 'buona giornata', 'a presto', 'ciao',
  'mit freundlichen gr(?:u|ue|ü)(?:ß|ss)en', 'freundliche gr(?:u|ue|ü)(?:ß|ss)e', '(?:viele|liebe|beste|herzliche|sch(?:ö|oe|o)ne) gr(?:u|ue|ü)(?:ß|ss)e', 'gru(?:ß|ss)', 'mfg', 'lg', 'vg', 'vielen dank', 'danke',
  '(?:bien )?cordialement', 'bien (?:à|a) vous', '(?:sinc(?:è|e)res )?salutations(?: distingu(?:é|e)es)?', 'merci(?: beaucoup| d\'avance)?', 'bonne journ(?:é|e)e',
  'atentamente', '(?:un )?saludos?(?: cordiales)?', 'un cordial saludo', 'un abrazo', '(?:muchas )?gracias', 'quedo atent[oa]',
].join('|')})[\\s,.!]*$`, 'i');

/**
 * Where the signature begins: after the last line that is only a closing formula ("Kind regards",
 * "Mit freundlichen Grüßen"). The length of the text when there is none, so nothing is lost.
 */
export function signatureStart(text: string): number {
  let at = text.length;
  let offset = 0;
  for (const line of text.split('\n')) {
    offset += line.length + 1;
    if (line.length <= 40 && CLOSING.test(line.trim())) at = Math.min(offset, text.length);
  }
  return at;
}

/** One field of the message, ready for the rules. */
export interface Field {
  /** Normalised text, accents kept: what a reason quotes. */
  text: string;
  /** The same text with accents folded, offset for offset: what case-sensitive patterns and entities run on. */
  folded: string;
  /** `folded` in lower case: what the other patterns run on. */
  lower: string;
  /** Offset where the signature zone begins (text.length when there is none). */
  signatureAt: number;
  /** Offsets at which words begin, for "within N words". */
  wordStarts: number[];
}

// Anchored where lastIndex stands: test() moves it over a run without making a match object.
const NOT_WORD = /[^\p{L}\p{N}]*/uy;
const WORD = /[\p{L}\p{N}]*/uy;

/** Offsets at which a run of letters and digits begins (what matchAll(/[\p{L}\p{N}]+/gu) finds, one object fewer per word). */
function wordStartsOf(text: string): number[] {
  const starts: number[] = [];
  let at = 0;
  for (;;) {
    NOT_WORD.lastIndex = at;
    NOT_WORD.test(text);
    const start = NOT_WORD.lastIndex;
    if (start >= text.length) return starts;
    starts.push(start);
    WORD.lastIndex = start;
    WORD.test(text);
    at = WORD.lastIndex;
  }
}

export function prepareField(raw: string): Field {
  const text = normalizeForMatching(raw);
  const wordStarts = wordStartsOf(text);
  const folded = foldAccents(text);
  return { text, folded, lower: lowerSameLength(folded), signatureAt: signatureStart(text), wordStarts };
}

/** How many words begin before `offset`: the word distance between two spans is the difference. */
export function wordIndex(field: Field, offset: number): number {
  const starts = field.wordStarts;
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid]! < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
