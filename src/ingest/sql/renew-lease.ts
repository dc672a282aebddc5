import { sql } from 'kysely';
import type { DbOrTx } from '../../db/database.js';

/** Extends the lease if `holder` still has it; false when another process took it over. */
export async function renewLease(db: DbOrTx, params: { mailbox: string; holder: string; ttlMs: number }): Promise<boolean> {
  const result = await sql`
    update ingest_leases
       set expires_at = now() + ${params.ttlMs} * interval '1 millisecond', renewed_at = now()
     where mailbox = ${params.mailbox} and holder = ${params.holder}`.execute(db);
  return Number(result.numAffectedRows ?? 0n) > 0;
}
