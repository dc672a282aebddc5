import type { Db } from '../../db/database.js';
import type { DeliveryStatus } from '../../db/tables/webhooks.js';
import { withRelaxedCommit } from './relaxed-commit.js';

export interface AttemptRecord {
  deliveryId: string;
  subscriptionId: string;
  workerId: string;
  /** The delivery's attempts value this claim produced: fences out a stale claimer. */
  attempt: number;
  startedAt: Date;
  now: Date;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  responseHead: string | null;
  outcome: { status: 'delivered' } | { status: 'pending'; nextAttemptAt: Date } | { status: 'failed' };
}

/**
 * Writes one attempt and its consequence in one transaction: the attempt row (always, even when
 * this process lost its claim), and the delivery's new state only if the claim is still ours —
 * a process that outlived its lease must not overwrite what the reclaiming process recorded.
 * Returns false when the claim had been lost. Commits with `synchronous_commit = off` (relaxed-commit.ts).
 */
export async function recordAttempt(db: Db, record: AttemptRecord): Promise<boolean> {
  return withRelaxedCommit(db, async (trx) => {
    await trx
      .insertInto('webhook_attempts')
      .values({
        delivery_id: record.deliveryId,
        attempt: record.attempt,
        worker: record.workerId,
        started_at: record.startedAt,
        status_code: record.statusCode,
        latency_ms: record.latencyMs,
        error: record.error,
        response_head: record.responseHead,
      })
      .execute();
    const status: DeliveryStatus = record.outcome.status;
    const updated = await trx
      .updateTable('webhook_deliveries')
      .set({
        status,
        next_attempt_at: record.outcome.status === 'pending' ? record.outcome.nextAttemptAt : record.now,
        locked_by: null,
        locked_at: null,
        last_status_code: record.statusCode,
        last_error: record.error,
        last_attempt_at: record.startedAt,
        delivered_at: status === 'delivered' ? record.now : null,
        updated_at: record.now,
      })
      .where('id', '=', record.deliveryId)
      .where('locked_by', '=', record.workerId)
      .where('attempts', '=', record.attempt)
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) === 1;
  });
}
