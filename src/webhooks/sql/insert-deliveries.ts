import type { DbOrTx } from '../../db/database.js';
import { newId } from '../new-id.js';

/**
 * One outbox row per enabled subscription, due at `dueAt`. The unique (event, subscription) pair
 * makes a repeated call a no-op. Returns how many rows were new.
 */
export async function insertDeliveriesForEnabledSubscriptions(db: DbOrTx, eventId: string, now: Date, dueAt: Date = now): Promise<number> {
  const subscriptions = await db.selectFrom('webhook_subscriptions').select('id').where('enabled', '=', true).orderBy('id').execute();
  if (subscriptions.length === 0) return 0;
  const inserted = await db
    .insertInto('webhook_deliveries')
    .values(
      subscriptions.map((s) => ({
        id: newId('dlv', now),
        event_id: eventId,
        subscription_id: s.id,
        next_attempt_at: dueAt,
        created_at: now,
        updated_at: now,
      })),
    )
    .onConflict((oc) => oc.columns(['event_id', 'subscription_id']).doNothing())
    .returning('id')
    .execute();
  return inserted.length;
}
