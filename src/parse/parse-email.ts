import { type ParsedMail, type SimpleParserOptions, simpleParser } from 'mailparser';
import { bodyText } from './body-text.js';
import { capLength } from './cap-length.js';
import { assertLooksLikeEmail, leadingBlankLinesEnd, MalformedEmailError, noHeaderBlockError } from './detect-non-email.js';
import { addressList, buildHeaderMap, firstAddress } from './headers.js';
import { extractNewestMessage } from './newest-message.js';
import type { AttachmentInfo, ParsedEmail } from './parsed-email.js';

export interface ParseEmailOptions {
  /** Longest cleanText, in characters (String#length); head and tail are kept. Default 6000. */
  maxCleanChars?: number;
  /** How many times the size-scaled parse deadline (parseDeadlineMs) to wait; a second try waits longer. Default 1. */
  patience?: number;
}

export const DEFAULT_MAX_CLEAN_CHARS = 6000;

const PARSER_OPTIONS: SimpleParserOptions = {
  // We turn HTML into text ourselves, after taking hidden content out.
  skipHtmlToText: true,
  // Keep cid: links: inlining images as data: URLs costs time and memory and is never read.
  keepCidLinks: true,
  skipImageLinks: true,
  // Only size and type of attachments are kept; hashing them is wasted work.
  checksumAlgo: false,
  // textAsHtml stays on: in multipart/mixed it is how plain parts end up in `html` next to HTML parts.
};

function messageId(value: string | undefined): string | null {
  const id = value?.trim();
  if (!id) return null;
  return id.startsWith('<') ? id : `<${id}>`;
}

function referenceList(value: string | string[] | undefined): string[] {
  if (!value) return [];
  const list = Array.isArray(value) ? value : [value];
  return list
    .flatMap((entry) => entry.split(/\s+/))
    .filter(Boolean)
    .map((id) => (id.startsWith('<') ? id : `<${id}>`));
}

// mailparser replaces an unparseable Date with the time of parsing; we want null instead.
function dateHeader(headers: Record<string, string>): Date | null {
  const value = headers.date?.split('\n')[0]?.trim();
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

function topLevelType(mail: ParsedMail): { contentType: string; reportType: string | null } {
  const header = mail.headers.get('content-type');
  const structured = header && typeof header === 'object' && 'value' in header ? header : null;
  const contentType = asText(structured?.value, '').trim().toLowerCase() || 'text/plain';
  const params = structured && 'params' in structured ? (structured.params as Record<string, unknown> | undefined) : undefined;
  const reportType = contentType === 'multipart/report' ? asText(params?.['report-type'], '').toLowerCase() || null : null;
  return { contentType, reportType };
}

// mailparser's typings promise strings, but odd MIME headers (duplicated parameters) give arrays.
function asText(value: unknown, fallback: string): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return fallback;
}

function attachmentInfo(mail: ParsedMail): AttachmentInfo[] {
  return mail.attachments.map((attachment) => ({
    filename: asText(attachment.filename, ''),
    content_type: asText(attachment.contentType, 'application/octet-stream').toLowerCase(),
    size: typeof attachment.size === 'number' ? attachment.size : (attachment.content?.length ?? 0),
  }));
}

/**
 * mailparser 3.14 never settles on some broken MIME (a body-less inline message/rfc822 part, found
 * by the fuzz suite; the family of its issues #190, #224, #263). Without a deadline such a message
 * would hold a mailbox's sweep forever; with one it is stored as failed with the reason.
 */
export function parseDeadlineMs(bytes: number): number {
  // Scales with size: a healthy 25 MB message parses in about a second; a stuck one never ends.
  // The base is generous because the deadline is wall time: with both cores busy elsewhere a 2 KB
  // email once missed a 2 s deadline and would have been kept as failed.
  return 5000 + Math.ceil(bytes / 1000);
}

/**
 * A parse that only ran out of time is tried once more, by the decision stage, waiting this many
 * times longer: a healthy email that missed the deadline on a busy machine is read then, while one
 * the parser never finishes still ends, as a review decision with the reason.
 */
export const REPARSE_PATIENCE = 4;

async function runMailparser(raw: Buffer, patience: number): Promise<ParsedMail> {
  const deadlineMs = parseDeadlineMs(raw.length) * patience;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new MalformedEmailError('timeout', `the MIME parser did not finish within ${(deadlineMs / 1000).toFixed(1)} s (broken MIME structure, or a machine too busy to finish in time)`)),
      deadlineMs,
    );
  });
  try {
    return await Promise.race([simpleParser(raw, PARSER_OPTIONS), deadline]);
  } catch (error) {
    if (error instanceof MalformedEmailError) throw error;
    const detail = error instanceof Error ? error.message : String(error);
    throw new MalformedEmailError('unparseable', `could not parse the message (${detail}); check that the file is a complete raw message (.eml)`, {
      cause: error,
    });
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Files saved on classic Mac OS end their lines with a bare CR, which mailparser reads as one endless
 * header line: no From, no Subject, no body. Only a file with no LF at all is rewritten.
 */
function withLineFeeds(raw: Buffer): Buffer {
  if (raw.includes(0x0a) || !raw.includes(0x0d)) return raw;
  return Buffer.from(raw.toString('latin1').replaceAll('\r', '\r\n'), 'latin1');
}

/**
 * Parses one raw message and produces everything the rest of the flow reads: addresses,
 * headers, attachment facts, and the text in four stages (full, hidden, newest, capped).
 * Throws MalformedEmailError for input that is not an email; anything with a header is accepted.
 */
export async function parseEmail(raw: Buffer, options: ParseEmailOptions = {}): Promise<ParsedEmail> {
  const maxCleanChars = options.maxCleanChars ?? DEFAULT_MAX_CLEAN_CHARS;
  assertLooksLikeEmail(raw);
  const input = withLineFeeds(raw);
  // Blank lines before the headers would make mailparser read the whole file as a body.
  const start = leadingBlankLinesEnd(input);
  const mail = await runMailparser(start > 0 ? input.subarray(start) : input, options.patience ?? 1);

  const headers = buildHeaderMap(mail.headerLines);
  if (Object.keys(headers).length === 0) {
    throw noHeaderBlockError(raw);
  }
  const subject = asText(mail.subject, '');
  const { fullText, hiddenText } = bodyText({ html: mail.html, text: mail.text });
  const newestText = extractNewestMessage(fullText, { subject });
  const capped = capLength(newestText, maxCleanChars);

  const email = withoutNul({
    messageId: messageId(mail.messageId),
    inReplyTo: messageId(mail.inReplyTo),
    references: referenceList(mail.references),
    from: firstAddress(mail.from),
    replyTo: firstAddress(mail.replyTo),
    to: addressList(mail.to),
    cc: addressList(mail.cc),
    subject,
    date: dateHeader(headers),
    headers,
    ...topLevelType(mail),
    attachments: attachmentInfo(mail),
    fullText,
    hiddenText,
    newestText,
    cleanText: capped.text,
    truncated: capped.truncated,
  });
  // Counted after NUL removal, so the numbers describe the text that is stored and sent.
  return { ...email, rawChars: email.fullText.length, cleanChars: email.cleanText.length };
}

/**
 * Removes U+0000 from every string of a parse result. A NUL means nothing in mail text, and
 * PostgreSQL cannot store it, so it never leaves the parse stage.
 */
export function withoutNul<T>(value: T): T {
  if (typeof value === 'string') return value.replaceAll('\u0000', '') as T;
  if (Array.isArray(value)) return value.map((item: unknown) => withoutNul(item)) as T;
  if (value !== null && typeof value === 'object' && !(value instanceof Date) && !Buffer.isBuffer(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[key] = withoutNul(inner);
    return out as T;
  }
  return value;
}

/**
 * The newest message of a plain-text body, cleaned as a parsed email's is (invisible characters,
 * quoted history, signature): for text that comes without MIME, such as labeled training examples.
 */
export function newestTextOf(subject: string, body: string): string {
  return extractNewestMessage(bodyText({ text: body }).fullText, { subject });
}
