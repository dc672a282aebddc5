import type { PrefilterHit } from '../decide/decision.js';
import type { ParsedEmail } from '../parse/parsed-email.js';
import { splitAddress } from './headers.js';

/**
 * Local parts that say "nobody reads answers": noreply, no-reply, no_reply, do-not-reply,
 * donotreply, dont-reply, noresponse…, alone or as one dot/dash/plus-separated piece
 * (`notifications-noreply`, `noreply+abc`). `reply` or `noreen` alone are not matched.
 */
const NO_REPLY_LOCAL = /(?:^|[._+-])(?:no[._-]?reply|no[._-]?replies|do[._-]?not[._-]?reply|dont[._-]?reply|do[._-]?not[._-]?respond|no[._-]?response|noreplay)(?:$|[._+-])/i;

export function isNoReplyAddress(address: string | null | undefined): boolean {
  if (!address) return false;
  const parts = splitAddress(address);
  return parts !== null && NO_REPLY_LOCAL.test(parts.local);
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
