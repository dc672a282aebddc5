import { sql, type Selectable } from 'kysely';
import type { DbOrTx } from '../../db/database.js';
import type { DraftsTable } from '../../db/tables/drafts.js';

export type ClaimedDraft = Selectable<DraftsTable>;

/**
 * A claim older than this belongs to a process that died mid-draft; another worker may take it.
 * One draft can spend minutes in model retries (classifier.timeout × max_retries plus backoff)
 * before it gives up, so the lease is generous. A taken-over draft that the first worker did
 * APPEND after all is found by its header and not appended again.
 */
export const DRAFT_STALE_CLAIM_MS = 10 * 60 * 1000;

/**
 * Claims up to `limit` due drafts in one statement, like the pipeline's message claim: the inner
 * SELECT … FOR UPDATE SKIP LOCKED lets workers in several processes pass each other's rows, the
 * UPDATE stamps the claim and counts the attempt. `excludeIds` keeps a one-pass run from taking a
 * draft it already tried.
 */
export async function claimDueDrafts(
  db: DbOrTx,
  params: { workerId: string; now: Date; limit: number; excludeIds?: readonly string[] },
): Promise<ClaimedDraft[]> {
  if (params.limit <= 0) return [];
  const staleBefore = new Date(params.now.getTime() - DRAFT_STALE_CLAIM_MS);
  const exclude = params.excludeIds && params.excludeIds.length > 0 ? sql`AND NOT (id = ANY(${[...params.excludeIds]}::text[]))` : sql``;
  const { rows } = await sql<ClaimedDraft>`
    UPDATE drafts SET locked_by = ${params.workerId}, locked_at = ${params.now}, attempts = attempts + 1, updated_at = ${params.now}
    WHERE id IN (
      SELECT id FROM drafts
      WHERE status = 'pending' AND next_attempt_at <= ${params.now}
        AND (locked_at IS NULL OR locked_at < ${staleBefore}) ${exclude}
      ORDER BY next_attempt_at, id
      LIMIT ${params.limit}
      FOR UPDATE SKIP LOCKED
    )
    RETURNING *`.execute(db);
  return rows;
}
