import { firstHistoryMarker, stripQuotedHistory } from './strip-quotes.js';
import { stripSignature } from './strip-signature.js';

// The first prefix decides: "Fwd: …" is a forward, "Re: Fwd: …" a reply to one.
// I: (Italian Outlook), WG: (German), TR: (French), RV:/Enc: (Spanish/Portuguese).
const FORWARD_SUBJECT = /^\s*(\[[^\]]{1,30}\]\s*)?(fwd?|fw|wg|tr|rv|i|inoltro|enc)\s*:/i;

export function isForwardSubject(subject: string): boolean {
  return FORWARD_SUBJECT.test(subject);
}

/**
 * The newest message of a thread: quoted history, signature and mobile footers removed.
 * A forward keeps its forwarded content, which is what the sender wants handled.
 * Never empty when the text was not: when stripping would remove everything (content that is all
 * quoted, a message that starts with an Outlook header block), the text is kept.
 */
export function extractNewestMessage(fullText: string, context: { subject?: string } = {}): string {
  const text = fullText.trim();
  if (!text) return '';
  if (isForwardSubject(context.subject ?? '') || firstHistoryMarker(text) === 'forward') return text;
  const withoutHistory = stripQuotedHistory(text);
  const newest = stripSignature(withoutHistory);
  if (newest) return newest;
  if (withoutHistory) return withoutHistory;
  return text;
}
