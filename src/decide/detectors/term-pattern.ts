/**
 * How detector terms are written and compiled.
 *
 * A term is a regular-expression fragment with two conveniences: a space matches any run of
 * whitespace or hyphens ("cease and desist" also finds "cease-and-desist" and a line break), and
 * `'` matches a straight or typographic apostrophe with optional space after it ("all'oblio",
 * "all’ oblio"). Every term is wrapped in Unicode-aware word boundaries: `\b` treats é, ü, ñ as
 * non-word characters, so /\bstorn\b/ would find "storn" inside "stornò" and /\bdiffid\b/ inside
 * "diffidò", while `(?<![\p{L}\p{N}])…(?![\p{L}\p{N}])` with the `u` flag knows they are letters.
 */
export type TermLanguage = 'en' | 'it' | 'de' | 'fr' | 'es' | 'any';

export interface TermDef {
  pattern: string;
  lang: TermLanguage;
  /** For words that are also names (`sue` the verb vs. `Sue` the person). */
  caseSensitive?: boolean;
  /** Reported instead of the matched text, for patterns whose match alone says little. */
  label?: string;
}

export interface CompiledTerm {
  def: TermDef;
  regex: RegExp;
}

const WORD_BEFORE = '(?<![\\p{L}\\p{N}])';
const WORD_AFTER = '(?![\\p{L}\\p{N}])';

export function compileTerm(def: TermDef): CompiledTerm {
  const body = def.pattern.replace(/ /g, '[\\s-]+').replace(/'/g, "'\\s*");
  const flags = def.caseSensitive ? 'gu' : 'giu';
  return { def, regex: new RegExp(`${WORD_BEFORE}(?:${body})${WORD_AFTER}`, flags) };
}

/** Invisible characters that split a word without showing (zero-width, soft hyphen, bidi controls). */
const INVISIBLE = /[\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;
const APOSTROPHES = /[\u2018\u2019\u02BC\u0060\u00B4\u2032]/g;

/**
 * Puts text in the one form the terms are written for: NFKC (full-width letters, ligatures and
 * decomposed accents become plain composed letters), no invisible characters, straight apostrophes.
 * Character offsets change, which is fine: matches are reported by term, not by position.
 */
export function normalizeForMatching(text: string): string {
  return text.normalize('NFKC').replace(INVISIBLE, '').replace(APOSTROPHES, "'");
}
