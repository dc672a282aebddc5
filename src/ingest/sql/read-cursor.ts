import type { DbOrTx } from '../../db/database.js';
import type { Cursor } from '../cursor.js';

export async function readCursor(db: DbOrTx, mailbox: string): Promise<Cursor | null> {
  const row = await db.selectFrom('ingest_cursors').selectAll().where('mailbox', '=', mailbox).executeTakeFirst();
  if (!row) return null;
  return {
    mailbox: row.mailbox,
    folder: row.folder,
    uidvalidity: Number(row.uidvalidity),
    lastUid: Number(row.last_uid),
    catchupUid: Number(row.catchup_uid),
    since: new Date(row.since),
    rescan: row.rescan,
  };
}
