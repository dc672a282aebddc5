import type { ParsedEmail } from '../../src/parse/index.js';

/** A parsed email with the fields redaction reads; everything else empty. */
export function makeParsedEmail(parts: { from?: string; subject?: string; text: string }): ParsedEmail {
  const m = /^(.*?)\s*<([^>]+)>$/.exec(parts.from ?? 'Someone <someone@example.com>');
  return {
    messageId: '<m1@example.com>',
    inReplyTo: null,
    references: [],
    from: { name: m?.[1] ?? '', address: m?.[2] ?? 'someone@example.com' },
    replyTo: null,
    to: [],
    cc: [],
    subject: parts.subject ?? '',
    date: null,
    headers: {},
    contentType: 'text/plain',
    reportType: null,
    attachments: [],
    fullText: parts.text,
    hiddenText: '',
    newestText: parts.text,
    cleanText: parts.text,
    rawChars: parts.text.length,
    cleanChars: parts.text.length,
    truncated: false,
  };
}
