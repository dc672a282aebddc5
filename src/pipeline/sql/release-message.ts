import { textColumn } from '../../db/column-text.js';
import type { DbOrTx } from '../../db/database.js';

/**
 * Gives a claimed message back to the queue for a later attempt (the model was unreachable), with
 * the reason visible to operators. Only the claim holder may do it.
 */
export async function rescheduleMessage(db: DbOrTx, id: string, workerId: string, nextAttemptAt: Date, error: string): Promise<void> {
  await db
    .updateTable('messages')
    .set({ locked_by: null, locked_at: null, next_attempt_at: nextAttemptAt, error: textColumn(error), updated_at: new Date() })
    .where('id', '=', id)
    .where('locked_by', '=', workerId)
    .execute();
}

/** A message that cannot be processed at all (unparseable): kept with its reason, never retried. */
export async function markMessageFailed(db: DbOrTx, id: string, workerId: string, error: string): Promise<void> {
  await db
    .updateTable('messages')
    .set({ status: 'failed', locked_by: null, locked_at: null, error: textColumn(error), updated_at: new Date() })
    .where('id', '=', id)
    .where('locked_by', '=', workerId)
    .execute();
}

/** Releases claims on shutdown so another process can take the messages at once. */
export async function releaseClaims(db: DbOrTx, workerId: string): Promise<void> {
  await db
    .updateTable('messages')
    .set({ locked_by: null, locked_at: null })
    .where('locked_by', '=', workerId)
    .where('status', '=', 'pending')
    .execute();
}
