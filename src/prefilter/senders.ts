import type { PrefilterHit } from '../contract/index.js';
import type { ParsedEmail } from '../parse/index.js';
import { headerValues, isNoReplyAddress, quoteForReason, splitAddress } from './headers.js';

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

/**
 * Sender addresses nobody reads. When such a message has a Reply-To with a real address (contact
 * forms send from noreply@ with the customer in Reply-To), it is someone to answer, so it passes.
 */
export function detectNoReply(email: ParsedEmail): PrefilterHit | null {
  const from = email.from?.address ?? '';
  if (!isNoReplyAddress(from)) return null;
  const replyTo = email.replyTo?.address ?? '';
  if (replyTo !== '' && replyTo.toLowerCase() !== from.toLowerCase() && !isNoReplyAddress(replyTo)) return null;
  return {
    kind: 'no_reply',
    action: 'ignore',
    reason: { code: 'prefilter_no_reply', text: `Sent from the no-reply address ${from}: an automatic notification, nobody to answer` },
  };
}

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
  const list = discussionList(email);
  if (list !== null) {
    // A person wrote this, to a list the mailbox is on: not a request to the team, so no ticket and
    // no draft, but not silently dropped either.
    return {
      kind: 'bulk',
      action: 'review',
      reason: { code: 'prefilter_list_post', text: `A post to the discussion list ${list}: written by a person, but to the list, not to this mailbox; left for review` },
    };
  }
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

/**
 * The list a person posted to, when the message came through a discussion list — one people write
 * to (RFC 2369 List-Post with an address; Mailman's X-BeenThere; ezmlm's Mailing-List) — rather
 * than a newsletter; null otherwise.
 */
function discussionList(email: ParsedEmail): string | null {
  const post = headerValues(email, 'list-post').find((v) => /<mailto:/i.test(v));
  const relayed = post ?? headerValues(email, 'x-beenthere')[0] ?? headerValues(email, 'mailing-list').find((v) => /\bcontact\b|\brun by\b/i.test(v)) ?? listManagerSender(email);
  if (relayed === undefined || isNoReplyAddress(email.from?.address ?? '')) return null;
  const listId = headerValues(email, 'list-id')[0];
  return quoteForReason(listId ?? relayed.replace(/^<mailto:|>$/gi, ''), 50);
}

/** Majordomo and Mailman resend a post with Sender: owner-LIST@, LIST-owner@, LIST-admin@ or LIST-bounces@, From the person. */
function listManagerSender(email: ParsedEmail): string | undefined {
  const value = headerValues(email, 'sender')[0] ?? '';
  const sender = (/<([^>]+)>/.exec(value)?.[1] ?? value).trim().toLowerCase();
  const parts = splitAddress(sender);
  const from = email.from?.address?.toLowerCase() ?? '';
  if (parts === null || from === '' || sender === from) return undefined;
  return /^owner-|-(?:owner|admin|bounces|request)$/.test(parts.local) ? sender : undefined;
}

/** List-Id `<support.mailroom.example>` or List-Post `<mailto:support@mailroom.example>` naming one of our addresses. */
function isOwnList(email: ParsedEmail, ownAddresses: readonly string[]): boolean {
  if (ownAddresses.length === 0) return false;
  const own = ownAddresses.map((a) => a.trim().toLowerCase());
  // RFC 2919 list ids for an address list are conventionally the address with "@" replaced by ".".
  const ownListIds = new Set(
    own.flatMap((a) => {
      const parts = splitAddress(a);
      return parts ? [`${parts.local}.${parts.domain}`] : [];
    }),
  );
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

const MB = 1024 * 1024;

function formatBytes(bytes: number): string {
  if (bytes >= MB) return `${(bytes / MB).toFixed(1).replace(/\.0$/, '')} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1).replace(/\.0$/, '')} KB`;
  return `${bytes} bytes`;
}

/**
 * Messages over `ingest.max_message_bytes` are not sent to the model (cost, and usually a huge
 * attachment the model cannot see anyway), but they may well be real customer mail: a person
 * looks at them instead of Mailroom ignoring them.
 */
export function detectOversize(sizeBytes: number, maxMessageBytes: number): PrefilterHit | null {
  if (!(sizeBytes > maxMessageBytes)) return null;
  return {
    kind: 'oversize',
    action: 'review',
    reason: {
      code: 'prefilter_oversize',
      text: `Message is ${formatBytes(sizeBytes)}, over the ${formatBytes(maxMessageBytes)} limit (ingest.max_message_bytes): not sent to the AI model, a person should look at it`,
    },
  };
}
