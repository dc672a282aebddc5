import type { EmailAddress, ParsedEmail } from '../../src/parse/parsed-email.js';

export interface EmailSketch {
  from?: string | EmailAddress | null;
  fromName?: string;
  replyTo?: string | null;
  subject?: string;
  headers?: Record<string, string>;
  contentType?: string;
  reportType?: string | null;
  text?: string;
  hiddenText?: string;
  /** Content types of the attachments, e.g. `message/rfc822` for a returned message. */
  attachments?: string[];
}

function address(value: string | EmailAddress, name = ''): EmailAddress {
  return typeof value === 'string' ? { address: value.toLowerCase(), name } : value;
}

/** A ParsedEmail built by hand, as the parse stage would hand it over, for tests that need no .eml file. */
export function makeEmail(sketch: EmailSketch = {}): ParsedEmail {
  const text = sketch.text ?? 'Hello, I cannot log in since this morning.';
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(sketch.headers ?? {})) headers[name.toLowerCase()] = value;
  const from = sketch.from === undefined ? 'maria@azienda.example' : sketch.from;
  return {
    messageId: '<test@example.test>',
    inReplyTo: null,
    references: [],
    from: from === null ? null : address(from, sketch.fromName ?? ''),
    replyTo: sketch.replyTo ? address(sketch.replyTo) : null,
    to: [{ address: 'support@mailroom.example', name: '' }],
    cc: [],
    subject: sketch.subject ?? 'Login problem',
    date: new Date('2026-11-23T09:13:58Z'),
    headers,
    contentType: sketch.contentType ?? 'text/plain',
    reportType: sketch.reportType ?? null,
    attachments: (sketch.attachments ?? []).map((content_type) => ({ filename: '', content_type, size: 100 })),
    fullText: text,
    hiddenText: sketch.hiddenText ?? '',
    newestText: text,
    cleanText: text,
    rawChars: text.length,
    cleanChars: text.length,
    truncated: false,
  };
}
