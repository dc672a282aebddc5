import { sql } from 'kysely';
import type { DbOrTx } from '../../db/database.js';

/**
 * Moves the cursor to `uid` (never backwards) — only while `holder` still holds the mailbox's
 * lease and the UIDVALIDITY is still the one the UID belongs to. Called in the transaction that
 * stores the message, so a lost lease rolls the store back too (fencing: a process that was
 * paused past its lease cannot write behind the new holder's back).
 * Returns false when the lease or the UIDVALIDITY no longer match.
 */
export async function advanceCursor(db: DbOrTx, params: { mailbox: string; uidvalidity: number; uid: number; holder: string }): Promise<boolean> {
  const result = await sql`
    update ingest_cursors
       set last_uid = greatest(last_uid, ${params.uid}), updated_at = now()
     where mailbox = ${params.mailbox}
       and uidvalidity = ${params.uidvalidity}
       and exists (select 1 from ingest_leases l where l.mailbox = ${params.mailbox} and l.holder = ${params.holder})`.execute(db);
  return Number(result.numAffectedRows ?? 0n) > 0;
}
