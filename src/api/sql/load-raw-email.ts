import type { Db } from '../../db/database.js';

/** The original bytes of one email; `raw` is null when the message was over the size limit. */
export async function loadRawEmail(db: Db, id: string): Promise<{ raw: Buffer | null; size_bytes: string } | null> {
  const row = await db.selectFrom('messages').select(['raw', 'size_bytes']).where('id', '=', id).executeTakeFirst();
  return row ? { raw: row.raw === null ? null : Buffer.from(row.raw), size_bytes: String(row.size_bytes) } : null;
}
