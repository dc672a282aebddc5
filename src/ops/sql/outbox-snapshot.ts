import { sql } from 'kysely';
import type { DbOrTx } from '../../db/database.js';
import type { DeliveryStatus } from '../../db/tables/webhooks.js';

export interface OutboxRow {
  subscription_id: string;
  status: DeliveryStatus;
  count: number;
  /** Earliest next_attempt_at among this group's pending rows that are already due; null when none is. */
  oldest_due: Date | null;
}

/**
 * Deliveries per subscription and status, and how late the most overdue one is, in one pass for a
 * /metrics scrape. Uses webhook_deliveries_due_idx for the pending part; the delivered/failed
 * counts scan the table, which is fine at scrape intervals for the volumes a mailbox produces.
 */
export async function outboxSnapshot(db: DbOrTx, now: Date): Promise<OutboxRow[]> {
  const { rows } = await sql<OutboxRow>`
    select subscription_id, status, count(*)::int as count,
           min(next_attempt_at) filter (where status = 'pending' and next_attempt_at <= ${now}) as oldest_due
    from webhook_deliveries
    group by subscription_id, status`.execute(db);
  return rows;
}
