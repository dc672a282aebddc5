import type { DbOrTx } from '../../db/database.js';
import type { MessagesTable } from '../../db/tables/core.js';
import type { Insertable } from 'kysely';

/**
 * Inserts a message unless the same bytes are already stored for that mailbox. Returns the id of
 * the row that holds them either way, and whether it is new. ON CONFLICT keeps two processes (or a
 * re-scan after UIDVALIDITY changed) from storing one email twice.
 */
export async function insertMessage(db: DbOrTx, row: Insertable<MessagesTable>): Promise<{ id: string; created: boolean }> {
  const inserted = await db
    .insertInto('messages')
    .values(row)
    .onConflict((oc) => oc.columns(['mailbox', 'sha256']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return { id: inserted.id, created: true };
  const existing = await db
    .selectFrom('messages')
    .select('id')
    .where('mailbox', '=', row.mailbox)
    .where('sha256', '=', row.sha256)
    .executeTakeFirstOrThrow();
  return { id: existing.id, created: false };
}
