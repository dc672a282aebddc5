import { sql } from 'kysely';
import type { Db } from '../../db/database.js';

/**
 * Books one automatic send to `recipient` if fewer than `maxPerDay` were started to that address
 * in the last 24 hours, by setting send_started_at on the draft. The count and the booking happen
 * in one transaction under an advisory lock on the recipient, so two workers (or processes)
 * answering the same address at once cannot both slip under the limit. Started sends count even
 * when their outcome is unknown: the limit exists so two auto-responders cannot loop, and it
 * errs on the side of sending less. Returns false when over the limit or the claim was lost.
 */
export async function reserveSend(
  db: Db,
  params: { id: string; workerId: string; recipient: string; maxPerDay: number; now: Date },
): Promise<{ reserved: boolean; sentToday: number }> {
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`mailroom-send:${params.recipient}`}, 0))`.execute(trx);
    const since = new Date(params.now.getTime() - 24 * 60 * 60 * 1000);
    const row = await trx
      .selectFrom('drafts')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('recipient', '=', params.recipient)
      .where('send_started_at', '>', since)
      .executeTakeFirstOrThrow();
    const sentToday = Number(row.n);
    if (sentToday >= params.maxPerDay) return { reserved: false, sentToday };
    const booked = await trx
      .updateTable('drafts')
      .set({ send_started_at: params.now, recipient: params.recipient, updated_at: params.now })
      .where('id', '=', params.id)
      .where('locked_by', '=', params.workerId)
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return { reserved: booked.numUpdatedRows > 0n, sentToday };
  });
}
