import type { DbOrTx } from '../../db/database.js';
import type { Cursor } from '../cursor.js';

/**
 * Creates the mailbox's cursor, or replaces it whole (a new UIDVALIDITY or folder makes every old
 * UID meaningless).
 */
export async function writeCursor(db: DbOrTx, cursor: Cursor): Promise<void> {
  const values = {
    folder: cursor.folder,
    uidvalidity: cursor.uidvalidity,
    last_uid: cursor.lastUid,
    catchup_uid: cursor.catchupUid,
    since: cursor.since,
    rescan: cursor.rescan,
    updated_at: new Date(),
  };
  await db
    .insertInto('ingest_cursors')
    .values({ mailbox: cursor.mailbox, ...values })
    .onConflict((oc) => oc.column('mailbox').doUpdateSet(values))
    .execute();
}
