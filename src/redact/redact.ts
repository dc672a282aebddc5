import type { ParsedEmail } from '../parse/index.js';
import { detectPii, type PiiMatch } from './detect.js';
import { PII_KINDS, type PiiCounts, type PiiKind, PLACEHOLDER, placeholderFor } from './kinds.js';
import { personName, withoutTitles } from './names.js';

/** One replaced value: what the model saw instead of it. The mapping of an email is a list of these. */
export interface PiiEntry {
  placeholder: string;
  kind: PiiKind;
  value: string;
}

/** Same value, same placeholder: e-mail addresses compare case-insensitively, numbers without their spaces and dashes. */
function keyOf(kind: PiiKind, value: string): string {
  const v = value.toLowerCase();
  return `${kind}:${kind === 'email' || kind === 'address' || kind === 'dob' || kind === 'name' ? v.replace(/\s+/g, ' ') : v.replace(/[\s./()-]/g, '')}`;
}

/**
 * Replaces personal data with numbered placeholders across the texts of one email, so that the
 * same value gets the same placeholder wherever it appears (subject, sender, body).
 */
export class Redactor {
  readonly #kinds: ReadonlySet<PiiKind>;
  readonly #entries = new Map<string, PiiEntry>();
  readonly #counters = new Map<PiiKind, number>();

  /** `known`: a mapping made before (the one stored with the email), whose values keep their placeholders. */
  constructor(kinds: ReadonlySet<PiiKind> = new Set(PII_KINDS), known: readonly PiiEntry[] = []) {
    this.#kinds = kinds;
    for (const entry of known) {
      this.#entries.set(keyOf(entry.kind, entry.value), entry);
      const n = Number(/_(\d+)\]$/.exec(entry.placeholder)?.[1] ?? 0);
      this.#counters.set(entry.kind, Math.max(this.#counters.get(entry.kind) ?? 0, n));
    }
  }

  /** The placeholder for a value (a new number for a value not seen before in this email). */
  placeholder(kind: PiiKind, value: string): string {
    const key = keyOf(kind, value);
    const known = this.#entries.get(key);
    if (known) return known.placeholder;
    const n = (this.#counters.get(kind) ?? 0) + 1;
    this.#counters.set(kind, n);
    const entry = { placeholder: placeholderFor(kind, n), kind, value };
    this.#entries.set(key, entry);
    return entry.placeholder;
  }

  /**
   * The text with every value of the redacted kinds replaced. Placeholder-looking text the sender
   * wrote is defused, so it can never be filled. `knownNames`: the sender's display name.
   */
  text(text: string, knownNames: readonly string[] = []): string {
    const defused = defuse(text);
    return this.replace(defused, detectPii(defused, knownNames));
  }

  /** `text` with matches found already (on the defused text: defusing keeps every length). */
  replace(defused: string, matches: readonly PiiMatch[]): string {
    let out = '';
    let last = 0;
    for (const m of matches) {
      if (!this.#kinds.has(m.kind)) continue;
      out += defused.slice(last, m.start) + this.placeholder(m.kind, m.value);
      last = m.end;
    }
    return out + defused.slice(last);
  }

  entries(): PiiEntry[] {
    return [...this.#entries.values()];
  }
}

/** Sender-written text that looks like a placeholder becomes "(EMAIL_1)": the same length, never filled. */
function defuse(text: string): string {
  return text.replace(PLACEHOLDER, (token) => token.replace('[', '(').replace(']', ')'));
}

/** Distinct values per kind in some texts (all kinds; for the record and the policy). */
export function countPii(texts: readonly string[]): PiiCounts {
  return countMatches(texts.map((text) => detectPii(text)));
}

function countMatches(found: readonly (readonly PiiMatch[])[]): PiiCounts {
  const seen = new Map<string, PiiKind>();
  for (const matches of found) for (const m of matches) seen.set(keyOf(m.kind, m.value), m.kind);
  const counts: PiiCounts = {};
  for (const kind of seen.values()) counts[kind] = (counts[kind] ?? 0) + 1;
  return counts;
}

export function kindsOf(counts: PiiCounts): PiiKind[] {
  return PII_KINDS.filter((kind) => (counts[kind] ?? 0) > 0);
}

/** What Mailroom knows about the personal data of one email, before the model sees it. */
export interface EmailPii {
  /** Distinct values per kind in the subject and the text the model is shown, redacted or not. */
  found: PiiCounts;
  /** The email as the model is shown it, with placeholders; null when redaction is off. */
  view: ParsedEmail | null;
  /** Placeholder and value of everything the view replaced (empty without redaction). */
  mapping: PiiEntry[];
}

/**
 * Finds the personal data of an email and, when `redact` names kinds, the view the model gets:
 * the subject, the sender's address and the text (cleaned and newest) with placeholders. The
 * sender's own address is always replaced when e-mail addresses are (it is in every prompt), and
 * so is each of the mailbox's addresses the text mentions. The original email is not changed: the
 * detectors and the decision keep working on it.
 */
export function examineEmail(email: ParsedEmail, options: { redact: ReadonlySet<PiiKind> | null }): EmailPii {
  // Each text is searched once: the same matches count and redact.
  const subject = defuse(email.subject);
  const text = defuse(email.cleanText);
  const known = senderNames(email);
  const inSubject = detectPii(subject, known);
  const inText = detectPii(text, known);
  const found = countMatches([inSubject, inText]);
  if (!options.redact || options.redact.size === 0) return { found, view: null, mapping: [] };
  const redactor = new Redactor(options.redact);
  const from = redactedSender(email, options.redact, redactor);
  const cleanText = redactor.replace(text, inText);
  // The view's newest text is its capped text: the prompts read only that, and the rest of a long
  // email is not worth searching for a model that never sees it.
  const view: ParsedEmail = { ...email, from, subject: redactor.replace(subject, inSubject), cleanText, newestText: cleanText, fullText: '', hiddenText: '' };
  return { found, view, mapping: redactor.entries() };
}

/** The sender's display name when it is a person's: every prompt shows it, and the text repeats it in greetings and signatures. */
export function senderNames(email: Pick<ParsedEmail, 'from'>): string[] {
  const name = withoutTitles(email.from?.name ?? '');
  return name !== '' && /\s/.test(name) && personName(name) ? [name] : [];
}

/** The sender as the model sees it: the address (kind `email`) and a person's display name (kind `name`) as placeholders. */
function redactedSender(email: ParsedEmail, kinds: ReadonlySet<PiiKind>, redactor: Redactor): ParsedEmail['from'] {
  if (!email.from) return email.from;
  let from = email.from;
  // The name first: it is usually the first thing the text repeats ("Giulia Bianchi" in the signature is [NAME_1]).
  const [name] = senderNames(email);
  if (kinds.has('name') && name) from = { ...from, name: redactor.placeholder('name', name) };
  if (kinds.has('email') && from.address) from = { ...from, address: redactor.placeholder('email', from.address) };
  return from;
}

/** Subject and text of an email with every kind redacted: the fields of a `--redact` subscription's event. */
export function redactedFields(email: Pick<ParsedEmail, 'subject' | 'newestText'>): { subject: string; body_text: string } {
  const redactor = new Redactor();
  return { subject: redactor.text(email.subject), body_text: redactor.text(email.newestText) };
}

/**
 * Puts the values back into what the model wrote. A placeholder the mapping does not know (the
 * model invented or misnumbered it) is removed, never filled with something else.
 */
export function restorePlaceholders(text: string, mapping: readonly PiiEntry[]): { text: string; invented: string[] } {
  const values = new Map(mapping.map((e) => [e.placeholder, e.value]));
  const invented: string[] = [];
  const restored = text.replace(PLACEHOLDER, (token) => {
    const value = values.get(token);
    if (value !== undefined) return value;
    invented.push(token);
    return '';
  });
  return { text: invented.length > 0 ? restored.replace(/[ \t]{2,}/g, ' ').replace(/ +([,.;:!?])/g, '$1') : restored, invented };
}

/** Redacts a text with a known mapping (the one stored with the email): each value becomes its placeholder again. */
export function applyMapping(text: string, mapping: readonly PiiEntry[]): string {
  return replaceValues(
    text.replace(PLACEHOLDER, (token) => token.replace('[', '(').replace(']', ')')),
    mapping,
  );
}

function replaceValues(text: string, mapping: readonly PiiEntry[]): string {
  let out = text;
  for (const entry of [...mapping].sort((a, b) => b.value.length - a.value.length)) out = out.split(entry.value).join(entry.placeholder);
  return out;
}

/**
 * The view of an email for a second model call (the reply draft), consistent with the first: the
 * values of the stored mapping keep their placeholders, found by the detectors or, when they no
 * longer find one, by its exact text; anything new gets the next number. `mapping` is then what
 * every placeholder in the view stands for.
 */
export function redactWithMapping(email: ParsedEmail, kinds: ReadonlySet<PiiKind>, stored: readonly PiiEntry[]): { view: ParsedEmail; mapping: PiiEntry[] } {
  const redactor = new Redactor(kinds, stored);
  const known = senderNames(email);
  const from = redactedSender(email, kinds, redactor);
  const text = (value: string) => replaceValues(redactor.text(value, known), stored);
  const cleanText = text(email.cleanText);
  const view: ParsedEmail = { ...email, from, subject: text(email.subject), cleanText, newestText: cleanText, fullText: '', hiddenText: '' };
  return { view, mapping: redactor.entries() };
}

/** Something that encrypts at rest, bound to what the data belongs to (the webhook secrets' box). */
export interface Sealer {
  seal(plaintext: string, boundTo: string): string;
  open(stored: string, boundTo: string): string;
}

/** The associated data a mapping is bound to: a sealed mapping copied onto another email does not open. */
const boundTo = (emailId: string) => `pii-mapping:${emailId}`;

export function sealMapping(box: Sealer, emailId: string, mapping: readonly PiiEntry[]): string {
  return box.seal(JSON.stringify(mapping.map((e) => [e.placeholder, e.kind, e.value])), boundTo(emailId));
}

/** The mapping back; throws when it does not decrypt (another key, altered) or is not a mapping. */
export function openMapping(box: Sealer, emailId: string, sealed: string): PiiEntry[] {
  const rows: unknown = JSON.parse(box.open(sealed, boundTo(emailId)));
  if (!Array.isArray(rows)) throw new Error('the stored mapping is not a list');
  return rows.map((row: unknown) => {
    if (!Array.isArray(row) || row.length !== 3 || !row.every((x) => typeof x === 'string')) throw new Error('the stored mapping has an entry of the wrong shape');
    const [placeholder, kind, value] = row as [string, PiiKind, string];
    return { placeholder, kind, value };
  });
}
