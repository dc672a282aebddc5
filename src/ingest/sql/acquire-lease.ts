import { sql } from 'kysely';
import type { DbOrTx } from '../../db/database.js';

/**
 * Takes the mailbox's lease for `holder`, or renews it when `holder` already has it. Succeeds only
 * when nobody holds it, the holder is us, or the holder's lease has expired (a dead or stuck
 * process). Expiry is judged by the database clock, so the processes' clocks never have to agree.
 * Returns the holder after the statement: `holder` when we have it, the other process otherwise.
 */
export async function acquireLease(db: DbOrTx, params: { mailbox: string; holder: string; ttlMs: number }): Promise<{ held: boolean; holder: string | null }> {
  const { rows } = await sql<{ holder: string }>`
    insert into ingest_leases (mailbox, holder, expires_at, acquired_at, renewed_at)
    values (${params.mailbox}, ${params.holder}, now() + ${params.ttlMs} * interval '1 millisecond', now(), now())
    on conflict (mailbox) do update
      set holder = excluded.holder,
          expires_at = excluded.expires_at,
          acquired_at = case when ingest_leases.holder = excluded.holder then ingest_leases.acquired_at else now() end,
          renewed_at = now()
      where ingest_leases.holder = excluded.holder or ingest_leases.expires_at < now()
    returning holder`.execute(db);
  if (rows.length > 0) return { held: true, holder: params.holder };
  const current = await db.selectFrom('ingest_leases').select('holder').where('mailbox', '=', params.mailbox).executeTakeFirst();
  return { held: false, holder: current?.holder ?? null };
}
