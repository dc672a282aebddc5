import type { Db } from '../../db/database.js';

/**
 * Failure bookkeeping on the subscription row. Each statement only writes when something changes,
 * so a healthy, busy endpoint never makes concurrent workers queue on its row lock.
 */
export async function markSubscriptionSucceeded(db: Db, subscriptionId: string, now: Date): Promise<void> {
  await db
    .updateTable('webhook_subscriptions')
    .set({ failing_since: null, updated_at: now })
    .where('id', '=', subscriptionId)
    .where('failing_since', 'is not', null)
    .execute();
}

/** Notes a failure; returns true when this failure disabled the subscription (failing too long). */
export async function markSubscriptionFailed(
  db: Db,
  params: { subscriptionId: string; failedAt: Date; now: Date; disableAfterMs: number; lastError: string },
): Promise<boolean> {
  await db
    .updateTable('webhook_subscriptions')
    .set({ failing_since: params.failedAt, updated_at: params.now })
    .where('id', '=', params.subscriptionId)
    .where('failing_since', 'is', null)
    .execute();
  const row = await db.selectFrom('webhook_subscriptions').select(['enabled', 'failing_since']).where('id', '=', params.subscriptionId).executeTakeFirst();
  if (!row?.enabled || !row.failing_since) return false;
  const failingSince = new Date(row.failing_since);
  if (params.now.getTime() - failingSince.getTime() < params.disableAfterMs) return false;
  const days = Math.round((params.disableAfterMs / 86_400_000) * 10) / 10;
  const disabled = await db
    .updateTable('webhook_subscriptions')
    .set({
      enabled: false,
      disabled_at: params.now,
      updated_at: params.now,
      disabled_reason: `every delivery attempt failed for ${days} days (since ${failingSince.toISOString()}); last error: ${params.lastError.slice(0, 200)}`,
    })
    .where('id', '=', params.subscriptionId)
    .where('enabled', '=', true)
    // A success recorded meanwhile cleared failing_since: then the endpoint is not dead.
    .where('failing_since', '=', failingSince)
    .executeTakeFirst();
  return Number(disabled.numUpdatedRows) === 1;
}

/** A receiver answering 410 Gone says it will never want these events again (Standard Webhooks). */
export async function disableSubscriptionGone(db: Db, subscriptionId: string, now: Date): Promise<void> {
  await db
    .updateTable('webhook_subscriptions')
    .set({ enabled: false, disabled_at: now, updated_at: now, disabled_reason: `the endpoint answered 410 Gone on ${now.toISOString()}` })
    .where('id', '=', subscriptionId)
    .where('enabled', '=', true)
    .execute();
}
