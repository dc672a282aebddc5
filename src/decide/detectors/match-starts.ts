import { type Field, foldAccents } from './normalize.js';
import { alternatives, SPELLINGS, syntax, WORD_START } from './notation.js';

// Where a rule's match may begin, read from its pattern (rules.ts compiles and applies the rules):
// the cheap test that skips a rule that cannot match (mayMatch), and the word offsets at which its
// expression is tried instead of scanning a long email whole (candidateStarts, matchAt).

/**
 * A cheap test before the regular expression. Every alternative that starts with a letter or digit
 * starts a word, so it can only match where a word of the field begins with the letters the
 * alternative starts with; one that continues a compound ("~mahnung") or starts with a sign ("§ 512")
 * only where the text contains them. The words' first KEY_LENGTH letters are collected once per
 * field, and a pattern none of whose alternatives can start is not run at all: most of ~170 rules
 * find nothing in an email, and scanning its whole text with each was most of the detectors' cost.
 */
const KEY_LENGTH = 4;
/** What one match needs: a word beginning with one of `starts`, or one of `contains` anywhere. Null: nothing known. */
interface Keys {
  starts: string[];
  contains: string[];
}
const STARTS = new WeakMap<Field, Map<string, number[]>>();
const DIGITS = [...'0123456789'];

/**
 * The beginnings (1 to KEY_LENGTH characters) of the field's words, as `\b` sees words in the
 * lower-cased text, each with the offsets of the words that begin so, in text order.
 */
function wordBeginnings(field: Field): Map<string, number[]> {
  let starts = STARTS.get(field);
  if (!starts) {
    starts = new Map();
    // A loop over character codes, not matchAll: a match object per word was a tenth of all the
    // memory a drain allocated, and young-generation collections cost more than the matching.
    const text = field.lower;
    let at = 0;
    while (at < text.length) {
      if (!isWordCode(text.charCodeAt(at))) {
        at++;
        continue;
      }
      let end = at + 1;
      while (end < text.length && isWordCode(text.charCodeAt(end))) end++;
      for (let n = 1; n <= Math.min(KEY_LENGTH, end - at); n++) {
        const key = text.slice(at, at + n);
        const offsets = starts.get(key);
        if (offsets) offsets.push(at);
        else starts.set(key, [at]);
      }
      at = end;
    }
    STARTS.set(field, starts);
  }
  return starts;
}

/** [a-z0-9_]: a word character as `\b` sees it in lower-cased text. */
function isWordCode(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || code === 95;
}

function union(parts: Array<Keys | null>): Keys | null {
  if (parts.some((k) => k === null)) return null;
  return { starts: parts.flatMap((k) => k!.starts), contains: parts.flatMap((k) => k!.contains) };
}

/** How telling a key set is: its shortest key (a one-letter word beginning is in nearly every email). */
function strength(keys: Keys): number {
  return Math.min(...keys.starts.map((k) => k.length), ...keys.contains.map((k) => k.length + 1));
}

/** The most telling of several key sets, each of which a match needs. */
function best(candidates: Keys[]): Keys | null {
  let chosen: Keys | null = null;
  for (const keys of candidates) {
    const better = !chosen || strength(keys) > strength(chosen) || (strength(keys) === strength(chosen) && keys.starts.length + keys.contains.length < chosen.starts.length + chosen.contains.length);
    if (better) chosen = keys;
  }
  return chosen;
}

/** One element of a pattern in the rule notation, with what it tells about word starts. */
interface Item {
  kind: 'literal' | 'group' | 'lookaround' | 'space' | 'boundary' | 'other';
  text: string;
  /** May occur zero times. */
  optional: boolean;
}

const QUANTIFIER = /^(?:[?*+]|\{\d*(?:,\d*)?\})\??/;

function items(seq: string): Item[] {
  const out: Item[] = [];
  let i = 0;
  const quantified = (kind: Item['kind'], text: string, end: number) => {
    const q = QUANTIFIER.exec(seq.slice(end))?.[0] ?? '';
    out.push({ kind, text, optional: /^(?:[?*]|\{0)/.test(q) });
    i = end + q.length;
  };
  while (i < seq.length) {
    const c = seq[i]!;
    if (c === '(') {
      const close = groupEnd(seq.slice(i));
      if (close < 0) return [{ kind: 'other', text: seq, optional: false }];
      const group = seq.slice(i, i + close + 1);
      if (/^\(\?<?[=!]/.test(group)) {
        out.push({ kind: 'lookaround', text: group, optional: true });
        i += close + 1;
      } else quantified('group', group.slice(group.startsWith('(?:') ? 3 : 1, -1), i + close + 1);
    } else if (c === '[') {
      const m = /^\[(?:\\.|[^\]])*\]/.exec(seq.slice(i));
      quantified('other', m?.[0] ?? c, i + (m?.[0].length ?? 1));
    } else if (c === '\\') {
      if (seq[i + 1] === 'b') {
        out.push({ kind: 'boundary', text: '\\b', optional: false });
        i += 2;
      } else quantified('other', seq.slice(i, i + 2), i + (/^\\[pP]\{[^}]*\}/.exec(seq.slice(i))?.[0].length ?? 2));
    } else if (c === '@') {
      // An entity: what it needs is not known from letters.
      const name = /^@[a-z-]+/.exec(seq.slice(i))?.[0] ?? c;
      quantified('other', name, i + name.length);
    } else if (c === ' ' || c === "'") {
      const optional = seq[i + 1] === '?';
      out.push({ kind: optional ? 'other' : 'space', text: c, optional });
      i += optional ? 2 : 1;
    } else if (/[\p{L}\p{N}]/u.test(c)) {
      let end = i;
      while (end < seq.length && /[\p{L}\p{N}]/u.test(seq[end]!)) end++;
      // A quantifier takes the last letter only ("lawyers?").
      if (end - i > 1 && QUANTIFIER.test(seq.slice(end))) end--;
      if (end - i === 1 && QUANTIFIER.test(seq.slice(end))) quantified('other', c, end);
      else {
        out.push({ kind: 'literal', text: seq.slice(i, end), optional: false });
        i = end;
      }
    } else quantified('other', c, i + 1);
  }
  return out;
}

/** The letters a literal needs: up to `length` of them, up to the first one the notation spells several ways. */
function literalKey(text: string, length: number): string | null {
  let key = '';
  for (const c of text.toLowerCase()) {
    const spelt = SPELLINGS[c];
    const letter = spelt ? spelt[0]! : foldAccents(c);
    if (!/^[a-z0-9]$/.test(letter)) break;
    key += letter;
    if (spelt) break;
  }
  return key ? key.slice(0, length) : null;
}

const endsWord = (alt: string) => / $|'$/.test(alt);

/**
 * What a match of a sequence (no top-level `|`) needs: of the elements it cannot do without that
 * begin a word (the first, when it starts one; one after a space), the most telling.
 */
function sequenceKeys(seq: string, atStart: boolean): Keys | null {
  const candidates: Keys[] = [];
  let start = atStart;
  for (const item of items(seq)) {
    if (item.kind === 'literal') {
      // Inside a word, the letters are still needed somewhere in the text ("20" of "INV-2024-").
      const key = literalKey(item.text, start ? KEY_LENGTH : Number.POSITIVE_INFINITY);
      if (key && start) candidates.push({ starts: [key], contains: [] });
      else if (key && key.length >= 2) candidates.push({ starts: [], contains: [key] });
    }
    if (item.kind === 'other' && item.text === '\\d' && start && !item.optional) candidates.push({ starts: DIGITS, contains: [] });
    if (item.kind === 'group' && !item.optional) {
      const inner = union(alternatives(item.text).map((alt) => (alt.startsWith('~') ? leadingKeys(alt) : sequenceKeys(alt, start))));
      if (inner) candidates.push(inner);
    }
    if (item.kind === 'space' || item.kind === 'boundary') start = true;
    else if (item.kind === 'lookaround') continue;
    else if (item.kind === 'group' && alternatives(item.text).every(endsWord)) start = item.optional ? start : true;
    else start = false;
  }
  return best(candidates);
}

/** What an alternative, written in the rule notation, must contain. */
function leadingKeys(alt: string): Keys | null {
  if (alt.startsWith('@')) return null;
  if (alt.startsWith('~')) {
    // A compound's end ("~mahnung"): not at a word start, but in the text.
    return sequenceKeys(alt.slice(1), false);
  }
  const keys = sequenceKeys(alt, WORD_START.test(alt));
  if (keys) return keys;
  // A sign that is no notation nor syntax ("§", "¿"): the text must contain it.
  return /^[^\p{L}\p{N}\s\\()[\]{}|?*+.^$'~@-]/u.test(alt) ? { starts: [], contains: [alt[0]!] } : null;
}

/** Index of the parenthesis closing the group that opens `text`, or -1. */
function groupEnd(text: string): number {
  for (const { c, i, depth } of syntax(text)) if (c === ')' && depth === 0) return i;
  return -1;
}

/** A pattern's keys, with its word beginnings also as a set: a short field is looked up the other way round. */
interface PatternKeys extends Keys {
  startSet: ReadonlySet<string>;
}
const KEYS = new Map<string, PatternKeys | null>();

export function keysOf(pattern: string): PatternKeys | null {
  let keys = KEYS.get(pattern);
  if (keys === undefined) {
    const found = union(alternatives(pattern).map(leadingKeys));
    const startSet = new Set(found?.starts);
    keys = found && { starts: [...startSet], contains: [...new Set(found.contains)], startSet };
    KEYS.set(pattern, keys);
  }
  return keys;
}

/** Whether `pattern` may match in `field` (exported so a test can hold it to the regular expression). */
export function mayMatch(field: Field, pattern: string): boolean {
  const keys = keysOf(pattern);
  if (keys === null) return true;
  const starts = wordBeginnings(field);
  // Whichever is shorter is walked: a subject has a few dozen word beginnings, a rule up to a hundred keys.
  if (starts.size < keys.starts.length) {
    for (const key of starts.keys()) if (keys.startSet.has(key)) return true;
  } else {
    for (const key of keys.starts) if (starts.has(key)) return true;
  }
  for (const key of keys.contains) if (field.lower.includes(key)) return true;
  return false;
}

/**
 * Where a match of a pattern may start: at a word beginning with one of `words`, or at any
 * occurrence of one of `inside` (a compound's end, "~mahnung"). Null when it may start elsewhere.
 * Unlike the keys above, which may name any word a match needs, these name how it begins, so the
 * expression need only be tried there.
 */
export interface MatchStarts {
  words: string[];
  inside: string[];
}
const MATCH_STARTS = new Map<string, MatchStarts | null>();

/** How a sequence's match begins: its first element that cannot be skipped, and any optional ones before it. */
function sequenceStarts(seq: string, atWord: boolean): MatchStarts | null {
  const out: MatchStarts = { words: [], inside: [] };
  for (const item of items(seq)) {
    if (item.kind === 'lookaround') continue;
    if (item.kind === 'boundary') {
      // Before a letter or digit (all the keys below are), `\b` is a word's beginning.
      atWord = true;
      continue;
    }
    let keys: MatchStarts | null = null;
    if (item.kind === 'literal') {
      const key = literalKey(item.text, atWord ? KEY_LENGTH : Number.POSITIVE_INFINITY);
      if (key) keys = atWord ? { words: [key], inside: [] } : { words: [], inside: [key] };
    } else if (item.kind === 'other' && item.text === '\\d') keys = atWord ? { words: DIGITS, inside: [] } : { words: [], inside: DIGITS };
    else if (item.kind === 'group') keys = startsUnion(alternatives(item.text).map((alt) => sequenceStarts(alt, atWord)));
    if (!keys) return null;
    out.words.push(...keys.words);
    out.inside.push(...keys.inside);
    if (!item.optional) return out;
  }
  // Every element may be skipped: an empty match could start anywhere.
  return null;
}

function startsUnion(parts: Array<MatchStarts | null>): MatchStarts | null {
  if (parts.some((p) => p === null)) return null;
  return { words: [...new Set(parts.flatMap((p) => p!.words))], inside: [...new Set(parts.flatMap((p) => p!.inside))] };
}

/** As compilePattern writes each alternative: a compound's end where it stands, the others at a word's beginning. */
export function matchStarts(pattern: string): MatchStarts | null {
  let starts = MATCH_STARTS.get(pattern);
  if (starts === undefined) {
    starts = startsUnion(alternatives(pattern).map((alt) => (alt.startsWith('~') ? sequenceStarts(alt.slice(1), false) : sequenceStarts(alt, WORD_START.test(alt)))));
    MATCH_STARTS.set(pattern, starts);
  }
  return starts;
}

/** Offsets of every occurrence of `key` in the field's lower-cased text, overlapping ones too. */
const OCCURRENCES = new WeakMap<Field, Map<string, number[]>>();
function occurrences(field: Field, key: string): number[] {
  let cache = OCCURRENCES.get(field);
  if (!cache) {
    cache = new Map();
    OCCURRENCES.set(field, cache);
  }
  let offsets = cache.get(key);
  if (!offsets) {
    offsets = [];
    for (let at = field.lower.indexOf(key); at >= 0; at = field.lower.indexOf(key, at + 1)) offsets.push(at);
    cache.set(key, offsets);
  }
  return offsets;
}

/**
 * Trying the expression at one offset costs about as much as scanning this many characters: below
 * that many characters per candidate word, one scan of the whole text is cheaper. On the bench's
 * messages 2 to 6 were as fast, 16 was 15 % slower, and always scanning 2.7 times slower on texts
 * over 3,000 characters, 1.3 times on shorter ones.
 */
const SCAN_CHARS_PER_TRY = 4;

const NOWHERE: readonly number[] = Object.freeze([]);

/**
 * The offsets, in text order, of the words a match of `pattern` may start at, when they are few
 * enough that trying the expression at each is cheaper than scanning the text; null otherwise. A
 * long newsletter holds most word beginnings somewhere, but each rule's first words only a few times.
 */
export function candidateStarts(field: Field, pattern: string): ArrayLike<number> | null {
  const keys = matchStarts(pattern);
  if (!keys) return null;
  const starts = wordBeginnings(field);
  // Most patterns of an email have one list of offsets or none: those are returned as they are.
  const lists: number[][] = [];
  let count = 0;
  for (const key of keys.words) {
    const offsets = starts.get(key);
    if (!offsets) continue;
    lists.push(offsets);
    count += offsets.length;
  }
  for (const key of keys.inside) {
    const offsets = occurrences(field, key);
    if (offsets.length === 0) continue;
    lists.push(offsets);
    count += offsets.length;
  }
  if (count * SCAN_CHARS_PER_TRY > field.lower.length) return null;
  if (lists.length <= 1) return lists[0] ?? NOWHERE;
  // A typed array sorts numbers in place, with no comparator and no copy.
  const merged = new Int32Array(count);
  let at = 0;
  for (const offsets of lists) {
    merged.set(offsets, at);
    at += offsets.length;
  }
  return merged.sort();
}

/**
 * Every match of the expression, as `matchAll` on the whole text would find them: no match can
 * start between two candidates, so the leftmost match at or after an offset is the one at the first
 * candidate there where the expression matches.
 */
export function matchAt(text: string, sticky: RegExp, candidates: ArrayLike<number>): Array<{ index: number; length: number }> {
  const out: Array<{ index: number; length: number }> = [];
  let from = 0;
  for (let i = 0; i < candidates.length; i++) {
    const at = candidates[i]!;
    if (at < from) continue;
    sticky.lastIndex = at;
    // test, not exec: a sticky match ends where lastIndex is left, and no match array is made.
    if (!sticky.test(text)) continue;
    out.push({ index: at, length: sticky.lastIndex - at });
    from = Math.max(at + 1, sticky.lastIndex);
  }
  return out;
}

/** The same expression anchored where lastIndex stands, for trying it at chosen offsets. */
const STICKY = new WeakMap<RegExp, RegExp>();
export function stickyOf(regex: RegExp): RegExp {
  let sticky = STICKY.get(regex);
  if (!sticky) {
    sticky = new RegExp(regex.source, 'uy');
    STICKY.set(regex, sticky);
  }
  return sticky;
}
