import { sql } from 'kysely';
import type { DbOrTx } from '../../db/database.js';
import type { MessagesTable } from '../../db/tables/core.js';
import type { Selectable } from 'kysely';

export type ClaimedMessage = Selectable<MessagesTable>;

/**
 * A claim older than this belongs to a process that died mid-work; another worker may take it.
 * Generous on purpose: one classification may spend minutes in retries before it gives up.
 */
export const STALE_CLAIM_MS = 10 * 60 * 1000;

/**
 * Claims up to `limit` due messages for `workerId` in one statement (graphile-worker's shape):
 * the inner SELECT … FOR UPDATE SKIP LOCKED lets concurrent workers in several processes pass each
 * other's rows instead of waiting; the outer UPDATE marks the claim and counts the attempt.
 * Rejected: holding a transaction open for the whole LLM call (minutes of open transactions and
 * a connection per message in flight).
 */
export async function claimDueMessages(db: DbOrTx, workerId: string, limit: number, now: Date): Promise<ClaimedMessage[]> {
  const staleBefore = new Date(now.getTime() - STALE_CLAIM_MS);
  const { rows } = await sql<ClaimedMessage>`
    UPDATE messages SET locked_by = ${workerId}, locked_at = ${now}, attempts = attempts + 1, updated_at = ${now}
    WHERE id IN (
      SELECT id FROM messages
      WHERE status = 'pending' AND next_attempt_at <= ${now}
        AND (locked_at IS NULL OR locked_at < ${staleBefore})
      ORDER BY next_attempt_at, id
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    )
    RETURNING *`.execute(db);
  return rows;
}

/** Claims one message by id (triage processes the file it just stored), if it is pending and free. */
export async function claimMessage(db: DbOrTx, id: string, workerId: string, now: Date): Promise<ClaimedMessage | null> {
  const staleBefore = new Date(now.getTime() - STALE_CLAIM_MS);
  const { rows } = await sql<ClaimedMessage>`
    UPDATE messages SET locked_by = ${workerId}, locked_at = ${now}, attempts = attempts + 1, updated_at = ${now}
    WHERE id = ${id} AND status = 'pending' AND (locked_at IS NULL OR locked_at < ${staleBefore})
    RETURNING *`.execute(db);
  return rows[0] ?? null;
}
