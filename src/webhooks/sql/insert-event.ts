import type { DbOrTx } from '../../db/database.js';

/**
 * Stores an event body once. A second call for the same id (the pipeline re-running an email)
 * keeps the first bytes, so every attempt signs exactly what the first one did.
 */
export async function insertEvent(db: DbOrTx, event: { id: string; type: string; emailId: string | null; body: string; now: Date }): Promise<void> {
  await db
    .insertInto('webhook_events')
    .values({ id: event.id, type: event.type, email_id: event.emailId, body: event.body, created_at: event.now })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}
