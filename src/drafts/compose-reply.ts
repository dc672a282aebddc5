import MailComposer from 'nodemailer/lib/mail-composer';
import type { EmailAddress, ParsedEmail } from '../parse/parsed-email.js';
import { attributionLine, type ReplyLanguage } from './attribution-line.js';
import { escapeHtml, quotableText, quoteLines, textToHtml } from './quote-original.js';
import { replySubject } from './reply-subject.js';

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

/** Where a reply goes: Reply-To when the original has one, else From. Null when neither is usable. */
export function replyTarget(original: Pick<ParsedEmail, 'replyTo' | 'from'>): EmailAddress | null {
  const target = original.replyTo?.address ? original.replyTo : original.from;
  return target?.address && target.address.includes('@') ? target : null;
}

/**
 * The reply as RFC 5322 bytes, built by nodemailer's MailComposer. Every header comes from the
 * original message and configuration; the reply text only ever becomes the body.
 */
export async function composeReply(input: ComposeReplyInput): Promise<ComposedReply> {
  const { original } = input;
  const to = replyTarget(original);
  if (!to) throw new Error(`email ${input.emailId} has no usable From or Reply-To address to answer`);
  const subject = replySubject(original.subject);
  const inReplyTo = original.messageId;
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

/**
 * The parent's References (or, without one, its In-Reply-To) followed by the parent's own
 * Message-ID (RFC 5322 §3.6.4), without duplicates, trimmed to the root and the newest ids.
 */
export function threadReferences(original: Pick<ParsedEmail, 'references' | 'inReplyTo' | 'messageId'>): string[] {
  const chain = original.references.length > 0 ? [...original.references] : original.inReplyTo ? [original.inReplyTo] : [];
  if (original.messageId) chain.push(original.messageId);
  const unique = [...new Set(chain.filter((id) => /^<[^<>\s]+>$/.test(id)))];
  if (unique.length <= MAX_REFERENCES) return unique;
  return [unique[0]!, ...unique.slice(unique.length - (MAX_REFERENCES - 1))];
}

/** Name and address without control characters: a display name can never add a header line. */
function plainAddress(address: EmailAddress): { name: string; address: string } {
  const clean = (value: string) => value.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim();
  return { name: clean(address.name), address: clean(address.address) };
}
