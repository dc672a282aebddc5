import type { Tx } from '../db/database.js';
import { ulid } from '../util/ulid.js';
import { insertDraft } from './sql/insert-draft.js';

export interface EnqueueDraftInput {
  emailId: string;
  /** Configured mailbox name: where the draft will be stored. */
  mailbox: string;
  /** Payment, legal or VIP mail (Decision.acknowledgeOnly): only the fixed acknowledgement. */
  acknowledgeOnly: boolean;
}

export function newDraftId(now: Date): string {
  return `dft_${ulid(now.getTime())}`;
}

/**
 * Queues the reply draft for an email. Call it INSIDE the transaction that stores a `draft`
 * decision (when drafts.mode is not off): the draft then exists exactly when the decision does,
 * and nothing touches the mailbox before that commit. Safe to call twice for one email. Call the
 * draft worker's `wake()` after the commit to write it without waiting for the next poll.
 * Returns the draft id, or null when the email already had a draft.
 */
export async function enqueueDraft(trx: Tx, input: EnqueueDraftInput, now: Date): Promise<string | null> {
  return insertDraft(trx, { id: newDraftId(now), emailId: input.emailId, mailbox: input.mailbox, acknowledgeOnly: input.acknowledgeOnly, now });
}
