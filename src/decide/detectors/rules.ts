import { ENTITIES, type Span } from './entities.js';
import { type Field, foldAccents, wordIndex } from './normalize.js';

/**
 * How detector rules are written and applied.
 *
 * A pattern is a regular-expression fragment, matched case-insensitively on accent-folded text, with
 * a few conveniences so the tables stay readable:
 * - a space matches any run of whitespace or hyphens ("cease and desist" finds "cease-and-desist"),
 *   and ` ?` an optional one;
 * - `'` matches an apostrophe with optional space after it ("all'oblio", "all’ oblio");
 * - `~` stands for the rest of a word, so "rimbors~" finds rimborso, rimborsi, rimborsato, rimborsatemi,
 *   and an alternative that starts with `~` may end a German compound ("~mahnung" finds Zahlungsmahnung);
 * - accented letters may be written as such: é matches e or é; ü, ö, ä, œ, æ also match ue, oe, ae; ß, ss.
 * Every alternative that starts with a letter must start a word and every pattern must end one, so
 * "storn~" is not found inside "Kostenstornierung" nor "legal" inside "legale".
 * `@amount`, `@iban`, `@iban-like` and `@card` name the entities of entities.ts instead of a pattern,
 * as an alternative of their own ("@amount|money") or inside a group ("paid (?:the bill|@amount)").
 */
export interface Rule {
  find: string;
  /** A second pattern that must occur within `within` words, before or after ("charged" near "twice"). */
  near?: string;
  within?: number;
  /** A pattern that cancels the match within `notWithin` words ("money back" before "guarantee"). */
  not?: string;
  notWithin?: number;
  /** A weak signal raises its flag only beside another signal of a different kind (a lawyer's title alone is not a legal matter). */
  weak?: string;
  /** Ignored in the signature: job titles, register courts, tax numbers and bank footers say who writes, not what they want. */
  bodyOnly?: boolean;
  /**
   * Ignored in a sentence about the customer's own clients ('clients': "the client paid by card"), or
   * also in a how-to question about the product ('how-to': "How do I change the IBAN on my invoices?"):
   * the product prints bank details, VAT numbers and addresses, and those questions are support.
   */
  unless?: 'how-to' | 'clients';
  /** For words that are also names (`sue` the verb vs. `Sue` the person). */
  caseSensitive?: boolean;
  /** Reported instead of the matched text, for patterns whose match alone says little. */
  label?: string;
}

export interface Hit {
  term: string;
  /** Where the rule's own pattern matched, so two rules that found the same words are reported once. */
  start: number;
  end: number;
  /** The weak kind, or null for a signal that stands alone. */
  weak: string | null;
}

const WORD_AFTER = '(?![\\p{L}\\p{N}])';
const SPELLINGS: Record<string, string> = { ü: 'ue?', ö: 'oe?', ä: 'ae?', œ: 'oe?', æ: 'ae?', ø: 'oe?', ß: 'ss?' };
const NOTATION: Record<string, string> = { ' ?': '[\\s-]*', ' ': '[\\s-]+', "'": "'\\s*", '~': '\\p{L}*' };
/**
 * `\S` in a pattern ("(?:\S+ ){0,4}": up to four words between) stands for a word's characters
 * without the hyphen, which the space notation already takes: with both, "a-b-c" splits into words
 * in many ways and the engine tries each, which cost 1.6 ms per email for one rule.
 */
const WORD_CHARS = '[^\\s-]';
/** Keyed by the pattern itself (its hash is computed once), one map per case mode: a built key would be hashed anew on every call. */
const COMPILED = { c: new Map<string, { regex: RegExp; compound: boolean }>(), i: new Map<string, { regex: RegExp; compound: boolean }>() };

/**
 * Entities inside a group ("sent (?:a |the )?(?:payment|@amount)") cannot be a regular expression:
 * an IBAN's checksum or a card's Luhn digit decides. Each is found by its function and its span
 * overwritten, offset for offset, with a character of its own from the private-use area, which no
 * email's text shares once searched; the pattern names a run of that character instead.
 */
const ENTITY_MARK: Readonly<Record<string, string>> = Object.fromEntries(Object.keys(ENTITIES).map((name, i) => [name, String.fromCharCode(0xe000 + i)]));
/** Longest name first, so `@iban-like` is not read as `@iban` followed by "-like". */
const ENTITY_NAME = new RegExp(
  `(?:${Object.keys(ENTITIES)
    .sort((a, b) => b.length - a.length)
    .join('|')})(?![\\p{L}\\p{N}-])`,
  'gu',
);

/** The entities named inside groups of a pattern (alternatives that are only an entity are found apart). */
const GROUP_ENTITIES = new Map<string, string[]>();
function groupEntities(pattern: string): string[] {
  let names = GROUP_ENTITIES.get(pattern);
  if (!names) {
    names = [...new Set(alternatives(pattern).flatMap((alt) => (ENTITIES[alt] ? [] : [...alt.matchAll(ENTITY_NAME)].map((m) => m[0]))))];
    GROUP_ENTITIES.set(pattern, names);
  }
  return names;
}

/** The text with every span of `entities` overwritten by its mark, cached per field and set of entities. */
const MASKED = new WeakMap<Field, Map<string, string>>();
function masked(field: Field, text: string, entities: readonly string[]): string {
  let cache = MASKED.get(field);
  if (!cache) {
    cache = new Map();
    MASKED.set(field, cache);
  }
  const key = `${text === field.lower ? 'i' : 'c'}${entities.join(',')}`;
  let out = cache.get(key);
  if (out === undefined) {
    // Offsets count UTF-16 units, as the entities' spans do. Most texts have no such entity: then the
    // text itself, not a copy (a character array of a long text costs megabytes).
    const marks = entities.flatMap((name) => ENTITIES[name]!(field).map((span) => ({ ...span, mark: ENTITY_MARK[name]! })));
    marks.sort((a, b) => a.start - b.start);
    out = '';
    let at = 0;
    for (const { start, end, mark } of marks) {
      const from = Math.max(start, at);
      if (end <= from) continue;
      out += text.slice(at, from) + mark.repeat(end - from);
      at = end;
    }
    out += text.slice(at);
    cache.set(key, out);
  }
  return out;
}

/** An alternative that starts with a letter or digit (perhaps inside groups) gets a `\b` before it: it starts a word. */
const WORD_START = /^(?:\(\?:|\()*(?:[\p{L}\p{N}[]|\\d|\\p\{L\})/u;

/**
 * The syntax characters of a pattern, outside escapes and character classes, each with the group
 * depth after it: what splitting at top-level `|` and finding a group's end both walk.
 */
function* syntax(pattern: string): Generator<{ c: string; i: number; depth: number }> {
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else {
      if (c === '(') depth++;
      else if (c === ')') depth--;
      yield { c, i, depth };
    }
  }
}

/** The alternatives of a pattern at its top level (not inside a group or a character class). */
function alternatives(pattern: string): string[] {
  const parts: string[] = [];
  let from = 0;
  for (const { c, i, depth } of syntax(pattern)) {
    if (c !== '|' || depth !== 0) continue;
    parts.push(pattern.slice(from, i));
    from = i + 1;
  }
  parts.push(pattern.slice(from));
  return parts;
}

/**
 * The regular expression of a pattern, run on lower-cased folded text (or the folded text as written,
 * for a case-sensitive pattern). The text is folded to ASCII letters where it matters, so a plain `\b`
 * marks a word start: V8 scans for it many times faster than for a Unicode look-behind, which is what
 * keeps a long pasted log fast. `compound` says a match may have to be widened to its word's start.
 */
export function compilePattern(pattern: string, caseSensitive = false): { regex: RegExp; compound: boolean } {
  const cache = caseSensitive ? COMPILED.c : COMPILED.i;
  let compiled = cache.get(pattern);
  if (!compiled) {
    let compound = false;
    const marked = pattern.replace(ENTITY_NAME, (name) => `(?:${ENTITY_MARK[name]})+`);
    const source = alternatives(caseSensitive ? marked : marked.replace(/\\p\{[^}]*\}|\\.|[A-ZÀ-Þ]/g, (m) => (m.length === 1 ? m.toLowerCase() : m)))
      .map((alt) => {
        const prefix = alt.startsWith('~') ? '' : WORD_START.test(alt) ? '\\b' : '';
        if (alt.startsWith('~')) compound = true;
        // Character classes ("[ -]", "[sz]") are copied as written; the notation applies outside them.
        const body = foldAccents(
          alt
            .replace(/^~/, '')
            .replace(/\[(?:\\.|[^\]])*\]|\\.| \?|[ '~üöäœæøß]/gi, (m) => (m === '\\S' ? WORD_CHARS : m.length > 1 && m !== ' ?' ? m : (NOTATION[m] ?? SPELLINGS[m.toLowerCase()] ?? m))),
        );
        return prefix + body;
      })
      .join('|');
    compiled = { regex: new RegExp(`(?:${source})${WORD_AFTER}`, 'gu'), compound };
    cache.set(pattern, compiled);
  }
  return compiled;
}

/** A span with the word indexes at its start and end, for "within N words". */
interface Located extends Span {
  ws: number;
  we: number;
  /** The largest `we` up to this span: spans from several sources may overlap, and this keeps the binary search right. */
  reach: number;
}

const PLANS = new Map<string, { words: string; entities: Array<(field: Field) => Span[]> }>();

/** Entities may stand among the alternatives of a pattern ("@amount|money|soldi"): each is found apart and merged in text order. */
function plan(pattern: string): { words: string; entities: Array<(field: Field) => Span[]> } {
  let planned = PLANS.get(pattern);
  if (!planned) {
    const alts = alternatives(pattern);
    planned = { words: alts.filter((a) => !ENTITIES[a]).join('|'), entities: alts.flatMap((a) => ENTITIES[a] ?? []) };
    PLANS.set(pattern, planned);
  }
  return planned;
}

/** What most patterns find in an email, shared rather than made anew for each. */
const NONE_LOCATED: readonly Located[] = Object.freeze([]);

/** Spans of a pattern or an entity in a field, in text order, computed once per field however many rules ask. */
const FOUND = new WeakMap<Field, { c: Map<string, readonly Located[]>; i: Map<string, readonly Located[]> }>();

function find(field: Field, pattern: string, caseSensitive = false): readonly Located[] {
  let caches = FOUND.get(field);
  if (!caches) {
    caches = { c: new Map(), i: new Map() };
    FOUND.set(field, caches);
  }
  const cache = caseSensitive ? caches.c : caches.i;
  let spans = cache.get(pattern);
  if (!spans) {
    const { words, entities } = plan(pattern);
    const found = entities.flatMap((e) => e(field));
    if (words) found.push(...matchPattern(field, words, caseSensitive));
    if (entities.length > 0) found.sort((a, b) => a.start - b.start || a.end - b.end);
    let reach = 0;
    spans =
      found.length === 0
        ? NONE_LOCATED
        : found.map((s) => {
            const we = wordIndex(field, s.end);
            reach = Math.max(reach, we);
            return { ...s, ws: wordIndex(field, s.start), we, reach };
          });
    cache.set(pattern, spans);
  }
  return spans;
}

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

function keysOf(pattern: string): PatternKeys | null {
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

/**
 * The offsets, in text order, of the words a match of `pattern` may start at, when they are few
 * enough that trying the expression at each is cheaper than scanning the text; null otherwise. A
 * long newsletter holds most word beginnings somewhere, but each rule's first words only a few times.
 */
const NOWHERE: readonly number[] = Object.freeze([]);

function candidateStarts(field: Field, pattern: string): ArrayLike<number> | null {
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
function matchAt(text: string, sticky: RegExp, candidates: ArrayLike<number>): Array<{ index: number; length: number }> {
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

/**
 * Does for one rule, ahead of the first email, the analysis its first use would: the keys of its
 * patterns and their regular expressions, 100–300 ms of a service's first email otherwise. The
 * expressions are not run: V8 compiles one to machine code on its first runs, and compiling all
 * of them, most of which rarely run, kept ~15 MB more in a running service.
 */
export function prepareRule(rule: Rule): void {
  for (const pattern of [rule.find, rule.near, rule.not]) {
    if (!pattern) continue;
    const { words } = plan(pattern);
    if (!words) continue;
    const caseSensitive = pattern === rule.find && (rule.caseSensitive ?? false);
    keysOf(words);
    compilePattern(words, caseSensitive);
  }
}

function matchPattern(field: Field, pattern: string, caseSensitive: boolean): Span[] {
  if (!mayMatch(field, pattern)) return [];
  const { regex, compound } = compilePattern(pattern, caseSensitive);
  // matchAll starts where the shared expression's lastIndex stands: a caller's exec may have moved it.
  regex.lastIndex = 0;
  const spans: Span[] = [];
  const entities = groupEntities(pattern);
  const text = caseSensitive ? field.folded : field.lower;
  // Word beginnings are those of the lower-cased text, without entity marks.
  const candidates = caseSensitive || entities.length > 0 ? null : candidateStarts(field, pattern);
  if (candidates) {
    for (const m of matchAt(text, stickyOf(regex), candidates)) spans.push(widened(field, m.index, m.index + m.length, compound));
    return spans;
  }
  for (const m of (entities.length > 0 ? masked(field, text, entities) : text).matchAll(regex)) spans.push(widened(field, m.index, m.index + m[0].length, compound));
  return spans;
}

/** The same expression anchored where lastIndex stands, for trying it at chosen offsets. */
const STICKY = new WeakMap<RegExp, RegExp>();
function stickyOf(regex: RegExp): RegExp {
  let sticky = STICKY.get(regex);
  if (!sticky) {
    sticky = new RegExp(regex.source, 'uy');
    STICKY.set(regex, sticky);
  }
  return sticky;
}

/** "Zahlungsmahnung" was found from "mahnung": report the whole word. */
function widened(field: Field, start: number, end: number, compound: boolean): Span {
  let from = start;
  if (compound) while (from > 0 && /\p{L}/u.test(field.text[from - 1]!)) from--;
  return { start: from, end };
}

/**
 * The first of `partners` (in text order) within `within` words of `span`, found by binary search so
 * a pasted log with thousands of amounts and thousands of "charged" stays linear, not quadratic.
 */
function nearest(partners: readonly Located[], span: Located, within: number, accept: (p: Located) => boolean = () => true): Located | undefined {
  let lo = 0;
  let hi = partners.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (partners[mid]!.reach < span.ws - within) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < partners.length && partners[i]!.ws <= span.we + within; i++) {
    const p = partners[i]!;
    const gap = p.we <= span.ws ? span.ws - p.we : p.ws >= span.we ? p.ws - span.we : 0;
    if (gap <= within && accept(p)) return p;
  }
  return undefined;
}

// Questions about using the product. Question words that also mean "as" or "or" once accents are
// folded ("wie folgt", "come indicato", "ou à défaut", "como siempre") count only with a verb.
// biome-ignore format: vocabulary reads best as a list
const QUESTION = compilePattern([
  'how (?:do|can|could|should|would|to|does)', 'where (?:do|can|could|should|is|are|does)', 'is (?:it|there a way) (?:possible )?to',
  'wie (?:kann|können|könnte|ändere|ändert|mache|lege|stelle|erstelle|füge|trage|richte|hinterlege|markiere|bekomme|funktioniert)', 'wo (?:kann|können|finde|ändere|stelle|hinterlege|trage)', 'kann man', 'lässt sich',
  'come (?:posso|possiamo|faccio|si fa|si può|devo|modific~|cambi~|impost~|aggiung~|inserisc~|segn~|emett~)', 'dove (?:posso|si|trovo|cambio|imposto)', 'si può', 'è possibile',
  'comment (?:(?:lui|leur) )?(?:puis|peut|faire|modifier|changer|ajouter|on|je|est-ce|créer|émettre|marquer|paramétrer)', 'peut-on', 'est-il possible',
  '¿ ?(?:cómo|dónde)',
  // What the product can do: "Can Mailroom add late interest to my clients' invoices?"
  '(?:can|could|does|will) mailroom', 'kann mailroom', '(?:può|puo) mailroom', 'mailroom (?:peut|può|puo|puede)', '(?:puede|podría) mailroom', '(?:cómo|dónde) (?:puedo|hago|se puede|se hace|podemos|cambio|modifico|añado|emito|marco|configuro)', 'se puede', 'es posible',
].join('|')).regex;
// The customer's own clients ("mein Kunde", "a client"); not a bare "Cliente", which is how suppliers address Mailroom.
const CLIENTS = compilePattern(
  "(?:a|the|my|our|to|for|of) (?:clients?|customers?)|(?:an|ein|der|den|dem|des|mein|unser|für|von)~ (?:kunden?|mandant(?:en)?)|(?:un|il|mio|nostro|al|del|dal|per il|ai|dei|i|miei|nostri) client[ei]|(?:un|le|mon|notre|au|du|d'un|les|mes|nos|aux|des) clients?|(?:un|el|mi|nuestro|al|del|los|mis|nuestros) clientes?",
).regex;

/** Whether the sentence around a span is about the customer's clients or, for 'how-to', asks how to use the product. */
function isExcepted(field: Field, span: Span, unless: 'how-to' | 'clients'): boolean {
  const text = field.lower;
  let from = span.start;
  while (from > 0 && span.start - from < 160 && !/[.!?\n]/.test(text[from - 1]!)) from--;
  let to = span.end;
  while (to < text.length && to - span.end < 160 && !/[.!?\n]/.test(text[to]!)) to++;
  const sentence = text.slice(from, to + 1);
  CLIENTS.lastIndex = 0;
  QUESTION.lastIndex = 0;
  return CLIENTS.test(sentence) || (unless === 'how-to' && QUESTION.test(sentence));
}

/** Terms are reported short; a long alternation match should not fill a reason text. */
const MAX_TERM_CHARS = 40;

function quote(field: Field, span: Span): string {
  const oneLine = (span.label ?? field.text.slice(span.start, span.end)).replace(/\s+/g, ' ').trim();
  return oneLine.length > MAX_TERM_CHARS ? `${oneLine.slice(0, MAX_TERM_CHARS - 1)}…` : oneLine;
}

/** Distinct terms one rule reports per field; reasons name at most five anyway. */
const MAX_TERMS_PER_RULE = 4;

/** Every hit of one rule in one field, each distinct term once. */
export function applyRule(rule: Rule, field: Field): Hit[] {
  const spans = find(field, rule.find, rule.caseSensitive);
  // Most rules find nothing in an email: nothing more is made for them.
  if (spans.length === 0) return [];
  const hits: Hit[] = [];
  const seen = new Set<string>();
  const inBody = (s: Span) => !rule.bodyOnly || s.start < field.signatureAt;
  for (const span of spans) {
    if (!inBody(span)) continue;
    if (rule.not && nearest(find(field, rule.not), span, rule.notWithin ?? 2)) continue;
    const partner = rule.near ? nearest(find(field, rule.near), span, rule.within ?? 8, inBody) : undefined;
    if (rule.near && !partner) continue;
    // The sentence test is the dearest, so it runs last.
    if (rule.unless && isExcepted(field, span, rule.unless)) continue;
    let term = rule.label ?? quote(field, span);
    if (partner && !rule.label) term = partner.start < span.start ? `${quote(field, partner)} … ${term}` : `${term} … ${quote(field, partner)}`;
    const key = term.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    hits.push({ term, start: span.start, end: span.end, weak: rule.weak ?? null });
    if (hits.length >= MAX_TERMS_PER_RULE) break;
  }
  return hits;
}
