import { firstHistoryMarker, stripQuotedHistory } from './strip-quotes.js';

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

/**
 * Removes the signature and mobile-client footers from the end of the newest message.
 * Runs after quote stripping, so what follows a footer is the rest of a quote nobody recognised.
 */

// RFC 3676 says "-- " (dash dash space); many clients trim the space.
const SIGNATURE_DELIMITER = /^-- ?$/;

// Whole-line footers that clients append, in en/it/de/fr/es.
const MOBILE_FOOTERS: readonly RegExp[] = [
  /^sent (from|with) (my )?\S.{0,50}$/i,
  /^get outlook for (ios|android)\b.{0,30}$/i,
  /^inviato (da|dal|dalla|dallo|tramite|con) .{1,50}$/i,
  /^scarica outlook per (ios|android)\b.{0,30}$/i,
  /^von meine[mr]? .{1,50} gesendet\.?$/i,
  /^gesendet (von|vom|mit|über) .{1,50}$/i,
  /^outlook für (ios|android) beziehen\b.{0,30}$/i,
  /^envoy[ée] (de|depuis|à partir de|a partir de|avec|par) .{1,50}$/i,
  /^(t[ée]l[ée]charger|obtenir) outlook pour (ios|android)\b.{0,30}$/i,
  /^enviado (desde|con|de|por) .{1,50}$/i,
  /^(obtener|descargar) outlook para (ios|android)\b.{0,30}$/i,
];

export function isMobileFooter(line: string): boolean {
  const text = line.trim();
  if (text.length === 0 || text.length > 80) return false;
  return MOBILE_FOOTERS.some((pattern) => pattern.test(text));
}

export function stripSignature(text: string): string {
  const lines = text.split('\n');
  let end = lines.length;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (SIGNATURE_DELIMITER.test(line) || isMobileFooter(line)) {
      end = i;
      break;
    }
  }
  return lines.slice(0, end).join('\n').trim();
}
