import type { ResolvedDeliveryContext } from './delivery-context.js';
import { nextAttemptDelay, parseRetryAfter } from './retry-schedule.js';
import { describeFailure, sendSigned } from './send-signed.js';
import { signingSecrets } from './signing-secrets.js';
import type { ClaimedDelivery } from './sql/claim-due-deliveries.js';
import { recordAttempt } from './sql/record-attempt.js';
import { disableSubscriptionGone, markSubscriptionFailed, markSubscriptionSucceeded } from './sql/subscription-health.js';
import { defaultMetrics } from '../ops/metrics.js';

export type DeliveryOutcome = 'delivered' | 'retry' | 'failed';

/**
 * Sends one claimed delivery and records what happened. Three branches after the answer, as Svix
 * splits them: delivered (2xx); schedule the next attempt; or give up — schedule used up, or 410 —
 * leaving a dead letter that `deliveries replay` can send again with the same webhook-id.
 *
 * A crash between the POST and the record leaves the row claimed; once the lease runs out another
 * process sends it again with the same webhook-id (at least once, deduplicable by the receiver).
 */
export async function deliverClaimed(ctx: ResolvedDeliveryContext, claimed: ClaimedDelivery): Promise<DeliveryOutcome> {
  const startedAt = ctx.clock.now();
  const result = await sendSigned({
    url: claimed.url,
    id: claimed.event_id,
    body: claimed.body,
    secrets: () => signingSecrets(ctx.secretBox, claimed, startedAt),
    now: () => ctx.clock.now(),
    urlPolicy: ctx.urlPolicy,
    timeoutMs: ctx.timeoutMs,
    agents: ctx.agents,
  });
  const now = ctx.clock.now();
  const error = describeFailure(result);
  const gone = result.statusCode === 410;
  let outcome: DeliveryOutcome;
  let nextAttemptAt: Date | null = null;
  if (error === null) {
    outcome = 'delivered';
  } else if (gone) {
    outcome = 'failed';
  } else {
    const delay = nextAttemptDelay({
      schedule: ctx.schedule,
      attemptsMade: claimed.attempts,
      statusCode: result.statusCode,
      retryAfterMs: parseRetryAfter(result.headers['retry-after'], now),
      random: ctx.random,
    });
    outcome = delay === null ? 'failed' : 'retry';
    if (delay !== null) nextAttemptAt = new Date(now.getTime() + delay);
  }

  const log = { delivery_id: claimed.id, webhook_id: claimed.event_id, subscription_id: claimed.subscription_id, attempt: claimed.attempts, status_code: result.statusCode, latency_ms: result.latencyMs };
  try {
    const stillOurs = await recordAttempt(ctx.db, {
      deliveryId: claimed.id,
      subscriptionId: claimed.subscription_id,
      workerId: ctx.workerId,
      attempt: claimed.attempts,
      startedAt,
      now,
      statusCode: result.statusCode,
      latencyMs: result.latencyMs,
      error,
      responseHead: result.statusCode === null ? null : result.bodyHead,
      outcome: outcome === 'delivered' ? { status: 'delivered' } : outcome === 'retry' ? { status: 'pending', nextAttemptAt: nextAttemptAt! } : { status: 'failed' },
    });
    if (!stillOurs) ctx.logger.warn(log, 'webhook attempt recorded, but another worker had reclaimed the delivery (lease expired); its state was left to that worker');
    if (outcome === 'delivered') {
      await markSubscriptionSucceeded(ctx.db, claimed.subscription_id, now);
    } else if (gone) {
      await disableSubscriptionGone(ctx.db, claimed.subscription_id, now);
      ctx.logger.warn(log, 'webhook endpoint answered 410 Gone: subscription disabled; `mailroom subscriptions enable` turns it back on');
    } else {
      const disabled = await markSubscriptionFailed(ctx.db, { subscriptionId: claimed.subscription_id, failedAt: startedAt, now, disableAfterMs: ctx.disableAfterMs, lastError: error ?? '' });
      if (disabled) ctx.logger.warn(log, 'webhook subscription disabled: every attempt failed for too long; fix the receiver, then `mailroom subscriptions enable`');
    }
  } catch (recordError) {
    // The delivery was deleted meanwhile (subscription removed) or the database is away: the
    // lease runs out and the row, if it still exists, is sent again.
    ctx.logger.error({ ...log, err: recordError }, 'could not record a webhook attempt');
  }
  defaultMetrics().deliveryAttempts.inc({ subscription_id: claimed.subscription_id, result: outcome });
  if (outcome === 'delivered') ctx.logger.info(log, 'webhook delivered');
  else ctx.logger.warn({ ...log, error, next_attempt_at: nextAttemptAt?.toISOString() ?? null }, outcome === 'retry' ? 'webhook attempt failed; will retry' : 'webhook delivery failed for good (dead letter; `mailroom deliveries replay` resends it)');
  return outcome;
}
