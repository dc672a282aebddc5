import type { PrefilterHit } from '../decide/decision.js';
import type { ParsedEmail } from '../parse/parsed-email.js';
import { headerValues, quoteForReason, splitAddress } from './headers.js';

/**
 * Newsletters, mailing lists and bulk senders (RFC 2919 List-Id, RFC 2369/8058 List-Unsubscribe,
 * the de-facto Precedence header).
 *
 * One exception: when the support address itself is a list (a Google Group or Mailman list that
 * relays customer mail to the team), every customer message carries that list's List-Id and
 * `Precedence: list`. Mail whose list is one of our own addresses is not bulk.
 */
export function detectBulk(email: ParsedEmail, ownAddresses: readonly string[]): PrefilterHit | null {
  const found = bulkEvidence(email, ownAddresses);
  if (found === null) return null;
  return {
    kind: 'bulk',
    action: 'ignore',
    reason: { code: 'prefilter_bulk', text: `${found}: no personal answer expected` },
  };
}

/** Words describing why the message looks like bulk mail, or null. */
export function bulkEvidence(email: ParsedEmail, ownAddresses: readonly string[]): string | null {
  if (isOwnList(email, ownAddresses)) return null;
  const listId = headerValues(email, 'list-id')[0];
  if (listId !== undefined) return `Mailing list or newsletter (List-Id: ${quoteForReason(listId, 50)})`;
  if (headerValues(email, 'list-unsubscribe').length > 0) return 'Newsletter or bulk mail (it has a List-Unsubscribe header)';
  const precedence = headerValues(email, 'precedence').find((v) => /^(?:bulk|list|junk)$/i.test(v));
  if (precedence !== undefined) return `Bulk mail (Precedence: ${precedence.toLowerCase()})`;
  return null;
}

/** List-Id `<support.mailroom.example>` or List-Post `<mailto:support@mailroom.example>` naming one of our addresses. */
function isOwnList(email: ParsedEmail, ownAddresses: readonly string[]): boolean {
  if (ownAddresses.length === 0) return false;
  const own = ownAddresses.map((a) => a.trim().toLowerCase());
  // RFC 2919 list ids for an address list are conventionally the address with "@" replaced by ".".
  const ownListIds = new Set(own.flatMap((a) => {
    const parts = splitAddress(a);
    return parts ? [`${parts.local}.${parts.domain}`] : [];
  }));
  for (const value of headerValues(email, 'list-id')) {
    const id = /<([^>]+)>/.exec(value)?.[1]?.trim().toLowerCase() ?? value.trim().toLowerCase();
    if (ownListIds.has(id)) return true;
  }
  for (const value of headerValues(email, 'list-post')) {
    const mailto = /<mailto:([^>?]+)/i.exec(value)?.[1]?.trim().toLowerCase();
    if (mailto !== undefined && own.includes(mailto)) return true;
  }
  return false;
}
