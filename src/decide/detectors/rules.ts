import { ENTITIES, type Span } from './entities.js';
import { candidateStarts, keysOf, matchAt, mayMatch, stickyOf } from './match-starts.js';
import { type Field, foldAccents, wordIndex } from './normalize.js';
import { alternatives, SPELLINGS, WORD_START } from './notation.js';

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
