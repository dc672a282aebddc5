import { sql } from 'kysely';
import type { DbOrTx } from '../../db/database.js';
import type { MessageStatus } from '../../db/tables/core.js';

/** Stored messages per status (pending is the pipeline's backlog), for a /metrics scrape. */
export async function messageStatusCounts(db: DbOrTx): Promise<Array<{ status: MessageStatus; count: number }>> {
  const { rows } = await sql<{ status: MessageStatus; count: number }>`
    select status, count(*)::int as count from messages group by status`.execute(db);
  return rows;
}
