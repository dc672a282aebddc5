import { capLength } from './cap-length.js';

/**
 * What the parse stage hands to the rest of the flow. Everything downstream (pre-filters,
 * detectors, the classifier prompt, the decision, the event) reads this shape, never mailparser's.
 */
export interface EmailAddress {
  /** Lower-cased address, e.g. `maria@azienda.com`. Empty string when the header was unusable. */
  address: string;
  name: string;
}

export interface AttachmentInfo {
  filename: string;
  content_type: string;
  size: number;
}

export interface ParsedEmail {
  /** Message-ID header including angle brackets, or null when the message has none. */
  messageId: string | null;
  inReplyTo: string | null;
  /** The References chain, oldest first, each with angle brackets. */
  references: string[];
  from: EmailAddress | null;
  replyTo: EmailAddress | null;
  to: EmailAddress[];
  cc: EmailAddress[];
  subject: string;
  /** Date header, or null when absent or unparseable. */
  date: Date | null;
  /** Header names lower-cased; repeated headers joined with "\n". Raw decoded values. */
  headers: Record<string, string>;
  /** Top-level Content-Type, lower-cased without parameters, e.g. `multipart/report`. */
  contentType: string;
  /** Report type parameter of multipart/report (e.g. `delivery-status`), lower-cased, or null. */
  reportType: string | null;
  attachments: AttachmentInfo[];
  /**
   * Visible text of the message (HTML turned into text when there is HTML), with hidden elements
   * and zero-width/bidi characters removed but quotes and signatures kept. rawChars is its length.
   */
  fullText: string;
  /**
   * Text hidden from a human reader (display:none, font-size:0, white-on-white, HTML comments,
   * zero-width characters…). The model never sees it; the payment/legal detectors do, so hidden
   * words can raise a flag but never lower one.
   */
  hiddenText: string;
  /** The newest message only: quotes, signatures and footers removed; not length-capped. */
  newestText: string;
  /** newestText with the length cap applied (head and tail kept, a marker between): what the model sees. */
  cleanText: string;
  rawChars: number;
  cleanChars: number;
  /** True when the length cap cut the middle out of cleanText. */
  truncated: boolean;
}

/**
 * Bumped whenever the parse or cleaning rules change what a ParsedEmail holds: a stored parse of
 * another version is ignored and the raw message parsed again, so old rows never carry stale text.
 */
export const STORED_EMAIL_VERSION = 2;

interface StoredEmail extends Omit<ParsedEmail, 'date'> {
  version: number;
  /** The length cap cleanText was made with. */
  cleanLimit: number;
  date: string | null;
}

/** The parse result as JSON for messages.parsed (parsed once at ingest, read by every later stage). */
export function toStoredEmail(email: ParsedEmail, cleanLimit: number): StoredEmail {
  return { ...email, version: STORED_EMAIL_VERSION, cleanLimit, date: email.date ? email.date.toISOString() : null };
}

/**
 * What messages.parsed holds for a message the parser refused: the reason, decided on later as such.
 * `retry` marks a parse that only ran out of time, which the decision stage parses once more.
 */
export function toStoredFailure(reason: string, options: { retry?: boolean } = {}): { version: number; unparseable: string; retry?: true } {
  return { version: STORED_EMAIL_VERSION, unparseable: reason, ...(options.retry ? { retry: true as const } : {}) };
}

/** The reason stored for a message the parser refused, and whether another parse may succeed; null for a parsed message. */
export function storedFailure(value: unknown): { reason: string; retry: boolean } | null {
  const stored = (typeof value === 'string' ? JSON.parse(value) : value) as { unparseable?: unknown; retry?: unknown } | null;
  return stored && typeof stored.unparseable === 'string' ? { reason: stored.unparseable, retry: stored.retry === true } : null;
}

/**
 * The ParsedEmail back from messages.parsed, with cleanText capped at `maxCleanChars`; null when
 * nothing usable is stored (no parse, or one of another version) and the raw message must be parsed.
 */
export function fromStoredEmail(value: unknown, maxCleanChars: number): ParsedEmail | null {
  const stored = (typeof value === 'string' ? JSON.parse(value) : value) as StoredEmail | null;
  if (!stored || stored.version !== STORED_EMAIL_VERSION || 'unparseable' in stored) return null;
  const { version, cleanLimit, date, ...rest } = stored;
  void version;
  const email: ParsedEmail = { ...rest, date: date === null ? null : new Date(date) };
  if (cleanLimit === maxCleanChars) return email;
  const capped = capLength(email.newestText, maxCleanChars);
  return { ...email, cleanText: capped.text, cleanChars: capped.text.length, truncated: capped.truncated };
}
