import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import { withRelaxedCommit } from './relaxed-commit.js';

export interface ClaimedDelivery {
  id: string;
  event_id: string;
  subscription_id: string;
  /** Attempts including this one (raised by the claim). */
  attempts: number;
  body: string;
  url: string;
  secret_encrypted: string;
  previous_secret_encrypted: string | null;
  previous_secret_expires_at: Date | null;
}

/**
 * Claims up to `limit` due deliveries for `workerId`, graphile-worker style: lock with
 * `FOR UPDATE SKIP LOCKED`, raise `attempts`, stamp `locked_by/locked_at`, commit (this statement is
 * its own transaction), and only then send. Several processes run this concurrently and never get
 * the same row; a process that dies after claiming leaves a row that becomes claimable again once
 * `locked_at` is older than the lease (`staleBefore`).
 *
 * Per-subscription isolation: each enabled subscription contributes at most `perSubscription` rows
 * in flight across all processes (rows whose lease is live count against it), and only ONE while it
 * is failing (`failing_since` set). A dead endpoint therefore holds one slot, not the whole pool,
 * and a big backlog for one receiver cannot starve another.
 *
 * Alternatives rejected: (1) a plain `ORDER BY next_attempt_at LIMIT n FOR UPDATE SKIP LOCKED` fills
 * every slot with the dead endpoint's backlog; (2) a window function (`row_number() OVER (PARTITION
 * BY subscription_id)`) cannot be combined with FOR UPDATE and scans every due row; the LATERAL per
 * subscription walks the (subscription_id, next_attempt_at) index and stops after a few rows.
 *
 * Durability: the claim commits with `synchronous_commit = off` (see relaxed-commit.ts).
 *
 * The in-flight count is read without locks, so two processes claiming at the same instant can
 * exceed the per-subscription cap by one batch; the cap is a fairness bound, not a safety one.
 */
export async function claimDueDeliveries(
  db: Db,
  params: { workerId: string; now: Date; staleBefore: Date; limit: number; perSubscription: number; excludeIds?: readonly string[]; onlyIds?: readonly string[] },
): Promise<ClaimedDelivery[]> {
  if (params.limit <= 0) return [];
  const exclude = params.excludeIds && params.excludeIds.length > 0 ? sql`AND NOT (d.id = ANY(${[...params.excludeIds]}::text[]))` : sql``;
  const only = params.onlyIds ? sql`AND d.id = ANY(${[...params.onlyIds]}::text[])` : sql``;
  const result = await withRelaxedCommit(db, (trx) => sql<ClaimedDelivery>`
    WITH busy AS (
      SELECT subscription_id, count(*)::int AS n
      FROM webhook_deliveries
      WHERE status = 'pending' AND locked_at IS NOT NULL AND locked_at > ${params.staleBefore}
      GROUP BY subscription_id
    ),
    candidates AS (
      SELECT c.id
      FROM webhook_subscriptions s
      LEFT JOIN busy b ON b.subscription_id = s.id
      CROSS JOIN LATERAL (
        SELECT d.id FROM webhook_deliveries d
        WHERE d.subscription_id = s.id AND d.status = 'pending' AND d.next_attempt_at <= ${params.now}
          AND (d.locked_at IS NULL OR d.locked_at <= ${params.staleBefore}) ${exclude} ${only}
        ORDER BY d.next_attempt_at, d.id
        LIMIT greatest((CASE WHEN s.failing_since IS NULL THEN ${params.perSubscription}::int ELSE 1 END) - coalesce(b.n, 0), 0)
      ) c
      WHERE s.enabled
    ),
    picked AS (
      SELECT d.id FROM webhook_deliveries d
      -- ANY(ARRAY(...)) runs the candidate search once, then fetches by primary key; a plain
      -- IN (subquery) let the planner re-run the LATERAL search for every pending row (O(backlog)).
      WHERE d.id = ANY(ARRAY(SELECT id FROM candidates))
        -- Re-checked on the locked row version: a row another process claimed and committed
        -- after our snapshot fails this and is passed over.
        AND d.status = 'pending' AND (d.locked_at IS NULL OR d.locked_at <= ${params.staleBefore})
      ORDER BY d.next_attempt_at, d.id
      LIMIT ${params.limit}::int
      FOR UPDATE SKIP LOCKED
    )
    UPDATE webhook_deliveries d
    SET attempts = d.attempts + 1, locked_by = ${params.workerId}, locked_at = ${params.now}, updated_at = ${params.now}
    FROM picked, webhook_events e, webhook_subscriptions s
    WHERE d.id = picked.id AND e.id = d.event_id AND s.id = d.subscription_id
    RETURNING d.id, d.event_id, d.subscription_id, d.attempts, e.body, s.url,
      s.secret_encrypted, s.previous_secret_encrypted, s.previous_secret_expires_at`.execute(trx));
  return result.rows.map((row) => ({ ...row, previous_secret_expires_at: toDate(row.previous_secret_expires_at) }));
}

function toDate(value: Date | string | null): Date | null {
  return value === null ? null : value instanceof Date ? value : new Date(value);
}
