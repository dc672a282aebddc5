import { trimTrailingBlanks } from '../parse/normalize-text.js';

/** Longest reply body kept from the model; a support reply is a few paragraphs. */
export const MAX_REPLY_CHARS = 6000;

// Header names in the languages Mailroom answers in, as they show up when a model imitates an
// email ("Oggetto:", "Betreff:", "Para:"). Only a leading block of such lines is removed.
const HEADER_LINE =
  /^(?:subject|to|from|cc|bcc|reply-to|sender|date|message-id|in-reply-to|references|return-path|content-type|content-transfer-encoding|mime-version|auto-submitted|x-[a-z0-9-]+|oggetto|da|a|data|betreff|von|an|datum|objet|de|à|asunto|para|fecha)\s*:/iu;

// Address headers anywhere in the text: a line like "Bcc: someone@example.com" has no business
// in a reply body, and dropping it keeps anyone from reading the draft as addressed elsewhere.
const ADDRESS_HEADER_LINE = /^\s*(?:to|cc|bcc|reply-to|from|sender)\s*:.*@/iu;

/**
 * Turns what the model wrote into the plain body text of a reply. Whatever the model writes ends up
 * only here, as the text of the body part: recipients, subject and every header are set by
 * compose-reply.ts from the original message and configuration, never from this text.
 */
export function sanitizeReplyText(text: string): string {
  let body = text.replace(/\r\n?/g, '\n');
  // Control characters other than newline and tab (and the Unicode line/paragraph separators,
  // which some clients render as breaks) are never part of a reply.
  body = body.replace(/[\u0000-\u0008\u000b-\u001f\u007f\u2028\u2029]/g, '');
  body = unfence(body.trim());
  const lines = body.split('\n');
  // A leading block of header lines (the model imitating an email) and the blank line after it.
  let start = 0;
  while (start < lines.length && HEADER_LINE.test(lines[start]!.trim())) start++;
  if (start > 0) while (start < lines.length && lines[start]!.trim() === '') start++;
  const kept = lines.slice(start).filter((line) => !ADDRESS_HEADER_LINE.test(line));
  body = kept
    .map(trimTrailingBlanks)
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  if (body.length > MAX_REPLY_CHARS) {
    const cut = body.lastIndexOf('\n', MAX_REPLY_CHARS);
    body = body.slice(0, cut > MAX_REPLY_CHARS / 2 ? cut : MAX_REPLY_CHARS).trimEnd();
  }
  return body;
}

/** A whole answer wrapped in a ``` fence (chatty local models do this) loses the fence. */
function unfence(text: string): string {
  const fenced = /^```[a-z]*\n([\s\S]*?)\n```$/i.exec(text);
  return fenced ? fenced[1]!.trim() : text;
}
