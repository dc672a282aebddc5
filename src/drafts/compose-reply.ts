import MailComposer from 'nodemailer/lib/mail-composer';
import type { EmailAddress, ParsedEmail } from '../parse/index.js';

/** The header that ties a draft to the email it answers; the idempotency key of the APPEND. */
export const EMAIL_ID_HEADER = 'X-Mailroom-Email-Id';

/** References keeps the thread root and this many of the newest ids (RFC 5322 §3.6.4 allows trimming). */
const MAX_REFERENCES = 30;

export interface ComposeReplyInput {
  /** The email being answered. */
  original: ParsedEmail;
  emailId: string;
  /** The mailbox's own address: the reply's From. */
  from: EmailAddress;
  /** The body text (model or template), already sanitised. */
  replyText: string;
  language: ReplyLanguage;
  /** Message-ID of the reply itself, with angle brackets. */
  messageId: string;
  date: Date;
  /** Send mode: mark the message as generated (RFC 3834) so other responders stay quiet. */
  autoReply?: boolean;
  /** The addressee when the caller chose it (send mode); default `replyTarget(original)`. */
  to?: EmailAddress;
}

export interface ComposedReply {
  raw: Buffer;
  to: EmailAddress;
  subject: string;
  messageId: string;
  inReplyTo: string | null;
  references: string[];
  /** The plain-text part as written (reply, attribution, quoted original). */
  text: string;
}

/**
 * Where a reply goes: Reply-To when the original has one, else From. Null when neither is usable.
 * `sending` (drafts.mode send, no person in between): Reply-To only when it is on From's own
 * domain or `trustReplyTo` (drafts.send_to_reply_to) says so. Anyone can write any Reply-To, and an
 * automatic answer quoting the original to a third party is backscatter.
 */
export function replyTarget(original: Pick<ParsedEmail, 'replyTo' | 'from'>, options: { sending?: boolean; trustReplyTo?: boolean } = {}): EmailAddress | null {
  const usable = (address: EmailAddress | null | undefined) => (address?.address?.includes('@') ? address : null);
  const replyTo = usable(original.replyTo);
  const from = usable(original.from);
  if (!replyTo) return from;
  if (!options.sending || options.trustReplyTo || (from && sameDomain(replyTo.address, from.address))) return replyTo;
  return from;
}

function sameDomain(a: string, b: string): boolean {
  const domain = (address: string) =>
    address
      .slice(address.lastIndexOf('@') + 1)
      .trim()
      .toLowerCase()
      .replace(/\.$/, '');
  return domain(a) !== '' && domain(a) === domain(b);
}

/**
 * The reply as RFC 5322 bytes, built by nodemailer's MailComposer. Every header comes from the
 * original message and configuration; the reply text only ever becomes the body.
 */
export async function composeReply(input: ComposeReplyInput): Promise<ComposedReply> {
  const { original } = input;
  const to = input.to ?? replyTarget(original);
  if (!to) throw new Error(`email ${input.emailId} has no usable From or Reply-To address to answer`);
  const subject = replySubject(original.subject);
  const inReplyTo = original.messageId && isMessageId(original.messageId) ? original.messageId : null;
  const references = threadReferences(original);

  const attribution = attributionLine(input.language, original.from, original.date);
  const quoted = quotableText(original.fullText);
  const text = `${input.replyText}\n\n${attribution}\n${quoteLines(quoted)}\n`;
  // The original is quoted as escaped text, never as its own HTML: that HTML may carry remote
  // images, scripts or hidden text that would travel with our reply.
  const html =
    '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>\n' +
    `${textToHtml(input.replyText)}\n` +
    `<div>${escapeHtml(attribution)}</div>\n` +
    '<blockquote type="cite" style="margin:0 0 0 .8ex;border-left:1px solid #ccc;padding-left:1ex">\n' +
    `${escapeHtml(quoted).replace(/\n/g, '<br>\n')}\n` +
    '</blockquote>\n</body></html>\n';

  const headers: Record<string, string> = { [EMAIL_ID_HEADER]: input.emailId };
  if (input.autoReply) {
    headers['Auto-Submitted'] = 'auto-replied';
    // Exchange and Outlook honour this one, not Auto-Submitted: no out-of-office back to us.
    headers['X-Auto-Response-Suppress'] = 'All';
  }

  const composer = new MailComposer({
    from: plainAddress(input.from),
    to: plainAddress(to),
    subject,
    messageId: input.messageId,
    date: input.date,
    ...(inReplyTo ? { inReplyTo } : {}),
    ...(references.length > 0 ? { references } : {}),
    text,
    html,
    headers,
    textEncoding: 'quoted-printable',
  });
  const raw = await composer.compile().build();
  return { raw, to, subject, messageId: input.messageId, inReplyTo, references, text };
}

// RFC 5322 msg-id: "<" id-left "@" id-right ">". The left part also takes the dots real mailers
// misplace ("<..x@host>"); nothing else: no spaces, brackets, colons, quotes or a second @.
const ID_TEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+";
const ID_RIGHT = `(?:${ID_TEXT}|\\[[\\x21-\\x5a\\x5e-\\x7e]*\\])`;
const MSG_ID = new RegExp(`^<${ID_TEXT}@${ID_RIGHT}>$`);
const MSG_IDS = new RegExp(`<${ID_TEXT}@${ID_RIGHT}>`, 'g');
/** Longer than any header line may be (RFC 5322 §2.1.1): not an id a mailer made. */
const MAX_MSG_ID_LENGTH = 998;

/** Whether a value is one well-formed Message-ID, safe to put into In-Reply-To and References. */
export function isMessageId(value: string): boolean {
  return value.length <= MAX_MSG_ID_LENGTH && MSG_ID.test(value);
}

/**
 * The well-formed ids of a raw References or In-Reply-To header. Read from the header itself:
 * mailparser splits "<a@b> Bcc: x@evil>" at the spaces and wraps each piece in brackets, which
 * turns junk into id-shaped pieces like "<Bcc:>".
 */
export function messageIdsIn(header: string): string[] {
  return [...header.matchAll(MSG_IDS)].map((match) => match[0]).filter(isMessageId);
}

/**
 * The parent's References (or, without one, its In-Reply-To) followed by the parent's own
 * Message-ID (RFC 5322 §3.6.4), without duplicates, trimmed to the root and the newest ids.
 * An id that is not well-formed is dropped: the values come from the sender and become our headers.
 */
export function threadReferences(original: Pick<ParsedEmail, 'references' | 'inReplyTo' | 'messageId'> & { headers?: Record<string, string> }): string[] {
  const fromHeader = original.headers?.references;
  const references = fromHeader !== undefined ? messageIdsIn(fromHeader) : original.references.filter(isMessageId);
  const parent = original.inReplyTo && isMessageId(original.inReplyTo) ? [original.inReplyTo] : [];
  const chain = references.length > 0 ? references : parent;
  if (original.messageId && isMessageId(original.messageId)) chain.push(original.messageId);
  const unique = [...new Set(chain)];
  if (unique.length <= MAX_REFERENCES) return unique;
  return [unique[0]!, ...unique.slice(unique.length - (MAX_REFERENCES - 1))];
}

/** Name and address without control characters: a display name can never add a header line. */
function plainAddress(address: EmailAddress): { name: string; address: string } {
  const clean = (value: string) => value.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim();
  return { name: clean(address.name), address: clean(address.address) };
}

/** Languages with their own attribution line and acknowledgement template; others use English. */
export const REPLY_LANGUAGES = ['en', 'it', 'de', 'fr', 'es'] as const;
export type ReplyLanguage = (typeof REPLY_LANGUAGES)[number];

/** The classification's language when Mailroom has templates for it, English otherwise. */
export function replyLanguage(language: string | null | undefined): ReplyLanguage {
  const code = (language ?? '').trim().toLowerCase().slice(0, 2);
  return (REPLY_LANGUAGES as readonly string[]).includes(code) ? (code as ReplyLanguage) : 'en';
}

const LOCALES: Record<ReplyLanguage, string> = { en: 'en-GB', it: 'it-IT', de: 'de-DE', fr: 'fr-FR', es: 'es-ES' };

/** Each language's line as its own mail clients write it (Thunderbird, Apple Mail, Gmail). */
const WITH_DATE: Record<ReplyLanguage, (date: string, who: string) => string> = {
  en: (date, who) => `On ${date}, ${who} wrote:`,
  it: (date, who) => `Il giorno ${date} ${who} ha scritto:`,
  de: (date, who) => `Am ${date} schrieb ${who}:`,
  fr: (date, who) => `Le ${date}, ${who} a écrit :`,
  es: (date, who) => `El ${date}, ${who} escribió:`,
};

const WITHOUT_DATE: Record<ReplyLanguage, (who: string) => string> = {
  en: (who) => `${who} wrote:`,
  it: (who) => `${who} ha scritto:`,
  de: (who) => `${who} schrieb:`,
  fr: (who) => `${who} a écrit :`,
  es: (who) => `${who} escribió:`,
};

/**
 * "Il giorno 23 nov 2026, 08:13 UTC Maria Rossi <maria@azienda.com> ha scritto:". The time is
 * shown in UTC with its zone named: the original's own offset is not kept by the parser, and the
 * server's zone says nothing to the reader.
 */
export function attributionLine(language: ReplyLanguage, sender: EmailAddress | null, date: Date | null): string {
  const who = describeSender(sender);
  if (!date) return WITHOUT_DATE[language](who);
  const formatted = new Intl.DateTimeFormat(LOCALES[language], {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: 'UTC',
  }).format(date);
  return WITH_DATE[language](`${formatted} UTC`, who);
}

function describeSender(sender: EmailAddress | null): string {
  const name = oneLine(sender?.name ?? '');
  const address = oneLine(sender?.address ?? '');
  if (name && address && name.toLowerCase() !== address) return `${name} <${address}>`;
  return address || name || '?';
}

function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

/** Longest part of the original quoted below the reply; the whole message stays in the thread. */
export const MAX_QUOTED_CHARS = 20_000;

/** The original's visible text, capped, with a marker where it was cut. */
export function quotableText(fullText: string): string {
  const text = fullText.replace(/\r\n?/g, '\n').replace(/\s+$/, '');
  if (text.length <= MAX_QUOTED_CHARS) return text;
  const cut = text.lastIndexOf('\n', MAX_QUOTED_CHARS);
  return `${text.slice(0, cut > MAX_QUOTED_CHARS / 2 ? cut : MAX_QUOTED_CHARS)}\n[…]`;
}

/** "> " before each line, ">" before lines already quoted and empty ones (RFC 3676 style). */
export function quoteLines(text: string): string {
  return text
    .split('\n')
    .map((line) => (line === '' || line.startsWith('>') ? `>${line}` : `> ${line}`))
    .join('\n');
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Plain text as HTML paragraphs: blank lines separate paragraphs, single newlines become <br>. */
export function textToHtml(text: string): string {
  return text
    .split(/\n{2,}/)
    .filter((paragraph) => paragraph.trim() !== '')
    .map((paragraph) => `<p>${escapeHtml(paragraph).replace(/\n/g, '<br>\n')}</p>`)
    .join('\n');
}

/**
 * Reply prefixes mail clients put in front of a subject, in the languages Mailroom answers in
 * and the ones their Outlook, Gmail and Apple Mail localisations use: Re (en, it, fr, es),
 * R and Rif (it), AW, Antw and Antwort (de), Réf and Réf. (fr, Lotus Notes), RV (es), SV and VS (nordic Outlook),
 * RES (pt). Forward prefixes other than RV stay: "Re: Fwd: …" is what the customer sees in
 * every client too. A counter ("Re[2]:", "Re(3):", "Re^2:") and a space before the colon
 * (French typography, "Re :") are accepted; so is the full-width colon.
 */
const REPLY_PREFIX = /^\s*(?:re|r|rif|r[ée]f\.?|aw|antw|antwort|rv|sv|vs|res)\s*(?:\[\d+\]|\(\d+\)|\^\d+)?\s*[:：]\s*/iu;

/** The subject without any leading run of reply prefixes: "RE: Aw: R: Fattura" → "Fattura". */
export function stripReplyPrefixes(subject: string): string {
  let rest = subject.replace(/\s*[\r\n]+\s*/g, ' ').trim();
  for (;;) {
    const match = REPLY_PREFIX.exec(rest);
    if (!match) return rest;
    rest = rest.slice(match[0].length);
  }
}

/** `Re: <subject>` with exactly one prefix, whatever the original carried. */
export function replySubject(subject: string): string {
  const bare = stripReplyPrefixes(subject);
  return bare === '' ? 'Re:' : `Re: ${bare}`;
}
