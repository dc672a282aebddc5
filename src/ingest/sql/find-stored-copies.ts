import type { DbOrTx } from '../../db/database.js';

/**
 * Of the given Message-IDs, those already stored for the mailbox, with their sizes: after a
 * UIDVALIDITY change a message with the same Message-ID and size is the one we already have, and
 * is not downloaded again.
 */
export async function findStoredCopies(db: DbOrTx, mailbox: string, messageIds: string[]): Promise<Array<{ messageId: string; sizeBytes: number }>> {
  if (messageIds.length === 0) return [];
  const rows = await db
    .selectFrom('messages')
    .select(['message_id', 'size_bytes'])
    .where('mailbox', '=', mailbox)
    .where('message_id', 'in', messageIds)
    .execute();
  return rows.map((r) => ({ messageId: r.message_id ?? '', sizeBytes: Number(r.size_bytes) }));
}
