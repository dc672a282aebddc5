import type { PrefilterHit } from '../decide/decision.js';
import type { ParsedEmail } from '../parse/parsed-email.js';

/** True when `address` is one of the mailbox's own addresses (case-insensitive). */
export function isOwnAddress(address: string | null | undefined, ownAddresses: readonly string[]): boolean {
  if (!address) return false;
  const wanted = address.trim().toLowerCase();
  return ownAddresses.some((own) => own.trim().toLowerCase() === wanted);
}

/**
 * Loop guard: mail that claims to come from this mailbox is our own draft, a forward or a copy.
 * Answering it could make Mailroom talk to itself.
 */
export function detectOwnAddress(email: ParsedEmail, ownAddresses: readonly string[]): PrefilterHit | null {
  const from = email.from?.address ?? '';
  if (!isOwnAddress(from, ownAddresses)) return null;
  return {
    kind: 'own_address',
    action: 'ignore',
    reason: {
      code: 'prefilter_own_address',
      text: `Sent from this mailbox's own address ${from}: ignored so Mailroom never answers itself`,
    },
  };
}
