import type { PrefilterHit } from '../contract/index.js';
import type { ParsedEmail } from '../parse/index.js';
import { headerValues, quoteForReason, splitAddress } from './headers.js';

/** Local parts that only mail servers send from (RFC 5321 postmaster, sendmail's MAILER-DAEMON). */
const SYSTEM_LOCAL_PARTS = new Set(['mailer-daemon', 'mailer_daemon', 'mailerdaemon', 'postmaster', 'post_master']);

/** Display names mail servers put on their delivery reports when the address says little. */
const SYSTEM_NAME = /^(?:mail delivery (?:sub)?system|mail administrator|mailer[- ]daemon|postmaster)$/i;

/**
 * Subjects of delivery reports from the common servers (Postfix, Exim, sendmail, qmail, Exchange,
 * Gmail, Domino) in en/it/de/fr/es. Anchored at the start: "Fwd: Undelivered Mail…" is a person
 * forwarding a bounce to support, which someone should read. Exchange's localized forms carry a
 * colon ("Unzustellbar: …"); without it "Nicht zustellbar" may be a customer's lost parcel.
 */
// biome-ignore format: a list of patterns reads best packed
const DSN_SUBJECT = anchored([
  'undelivered mail returned to sender', 'delivery status notification', 'mail delivery failed', 'undeliverable(?:\\s*:| mail| message)', 'returned mail\\s*:',
  'failure notice', 'mail system error', 'warning: could not send message', 'delivery notification: delivery has failed', 'unzustellbar\\s*:',
  'nicht zustellbar\\s*:', 'non recapitabile\\s*:', 'non remis\\s*:', 'non distribuable\\s*:', 'no se puede entregar\\s*:',
]);

/**
 * Subjects that are delivery reports only when the message also came with the empty return path
 * delivery reports must use (RFC 5321 section 4.5.5): "Delivery failed" alone may be about a parcel.
 */
// biome-ignore format: a list of patterns reads best packed
const WEAK_DSN_SUBJECT = anchored([
  'delivery (?:has )?failed', 'delivery failure', 'mail delivery (?:system|failure)', 'non[- ]?deliver(?:y|able)',
  'message (?:not delivered|delivery failure)', 'mancato recapito', 'impossibile recapitare', '(?:ü|ue)bermittlungsfehler', 'zustellung fehlgeschlagen',
  '(?:é|e)chec de (?:la )?(?:remise|distribution)', 'mensaje no entregado', 'error de entrega',
]);

function anchored(phrases: string[]): RegExp {
  // A phrase ending in ":" needs no word boundary after it ("Unzustellbar:Ihre Anfrage").
  return new RegExp(`^(?:${phrases.join('|')})(?:(?<=:)|(?![\\p{L}\\p{N}]))`, 'iu');
}

/** Return-Path: <> — the null reverse path of delivery reports and most auto-replies. */
function hasNullReturnPath(email: ParsedEmail): boolean {
  return headerValues(email, 'return-path').some((value) => /^<\s*>$/.test(value));
}

/**
 * Delivery reports and other reports machines send back about mail we sent: nobody to answer.
 * Checks the strongest evidence first so the reason names it.
 */
export function detectBounce(email: ParsedEmail): PrefilterHit | null {
  const found = bounceEvidence(email);
  if (found === null) return null;
  return {
    kind: 'bounce',
    action: 'ignore',
    reason: { code: 'prefilter_bounce', text: `${found}: nobody to answer` },
  };
}

/** Words describing why the message looks like a bounce, or null. */
export function bounceEvidence(email: ParsedEmail): string | null {
  if (email.contentType === 'multipart/report') {
    const type = email.reportType ?? 'unknown';
    if (type === 'delivery-status') return 'Delivery failure report (multipart/report; report-type=delivery-status)';
    if (type === 'feedback-report') return 'Abuse feedback report from a mail provider (multipart/report; report-type=feedback-report)';
    // disposition-notification (read receipts) belongs to the auto-reply pre-filter.
    if (type !== 'disposition-notification') return `Machine-generated report (multipart/report; report-type=${quoteForReason(type, 40)})`;
  }
  const from = email.from;
  const parts = from ? splitAddress(from.address) : null;
  if (parts && SYSTEM_LOCAL_PARTS.has(parts.local)) {
    return `Delivery report from the mail server address ${from?.address}`;
  }
  if (from && SYSTEM_NAME.test(from.name.trim())) {
    return `Delivery report from "${quoteForReason(from.name, 40)}"`;
  }
  const failed = headerValues(email, 'x-failed-recipients');
  if (failed.length > 0) return `Delivery failure report (X-Failed-Recipients: ${quoteForReason(failed[0] ?? '', 40)})`;
  const subject = email.subject.trim();
  if (DSN_SUBJECT.test(subject)) return `Delivery failure report (subject "${quoteForReason(subject)}")`;
  if (WEAK_DSN_SUBJECT.test(subject) && hasNullReturnPath(email)) {
    return `Delivery failure report (subject "${quoteForReason(subject)}", empty Return-Path)`;
  }
  return null;
}
