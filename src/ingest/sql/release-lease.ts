import type { DbOrTx } from '../../db/database.js';

/** Gives the lease up so a standby process can take the mailbox at once (graceful stop). */
export async function releaseLease(db: DbOrTx, params: { mailbox: string; holder: string }): Promise<void> {
  await db.deleteFrom('ingest_leases').where('mailbox', '=', params.mailbox).where('holder', '=', params.holder).execute();
}
