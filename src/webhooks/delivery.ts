import { sql } from 'kysely';
import type { Config } from '../config/index.js';
import type { Db, Tx } from '../db/index.js';
import { type SecretBox, secretBoxFromConfig } from '../db/secret-box.js';
import { type Claim, ClaimLostError, type ClaimOptions, claim, createRunner, newWorkerId, type QueueHandler, type Runner, updateClaimed } from '../queue/index.js';
import { type Clock, systemClock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { createMetrics, type Metrics } from '../util/metrics.js';
import { jitter, retryAfterMs } from '../util/wait.js';
import { createWebhookAgents, type PostResult, type WebhookAgents } from './post-webhook.js';
import { describeFailure, sendSigned, signingSecrets } from './send-signed.js';
import type { ResolveHost, UrlPolicy } from './ssrf-guard.js';

/** What delivery needs; everything after `logger` is injectable for tests. */
export interface DeliveryContext {
  db: Db;
  config: Pick<Config, 'webhooks' | 'database'>;
  logger: Logger;
  clock?: Clock;
  metrics?: Metrics;
  /** Host name resolution for the SSRF guard (tests inject one instead of touching /etc/hosts). */
  resolveHost?: ResolveHost;
  /** Defaults to the box from `webhooks.secret_key` or the key file. */
  secretBox?: SecretBox;
  /** Jitter source, 0..1. */
  random?: () => number;
  /** Names this process in claims and the attempt log. */
  workerId?: string;
  /** A claim older than this is presumed dead (crashed process) and claimed again (default: the queue's). */
  leaseMs?: number;
  /** In-flight deliveries per healthy subscription (a failing one gets one). */
  perSubscription?: number;
}

/** A claimed delivery with what sending it needs. */
export interface ClaimedDelivery {
  id: string;
  event_id: string;
  subscription_id: string;
  /** Attempts including this one (raised by the claim). */
  attempts: number;
  locked_by: string | null;
  body: string;
  url: string;
  secret_encrypted: string;
  previous_secret_encrypted: string | null;
  previous_secret_expires_at: Date | null;
}

export type DeliveryOutcome = 'delivered' | 'retry' | 'failed';

/**
 * The webhook deliveries queue. Keeps at most `webhooks.concurrency` POSTs in flight per process;
 * any number of processes may share the outbox. Per-subscription isolation: each enabled
 * subscription has at most `perSubscription` deliveries in flight across all processes (live
 * claims count against it), and ONE while it is failing, so a dead endpoint holds one slot, not
 * the pool, and a big backlog for one receiver cannot starve another.
 */
export function deliveryHandler(context: DeliveryContext): QueueHandler<ClaimedDelivery, DeliveryOutcome> & { close(): void } {
  const w = context.config.webhooks;
  const ctx = {
    ...context,
    clock: context.clock ?? systemClock,
    metrics: context.metrics ?? createMetrics({ defaultMetrics: false }),
    secretBox: context.secretBox ?? secretBoxFromConfig(context.config),
    random: context.random ?? Math.random,
    workerId: context.workerId ?? newWorkerId(),
    // Half the pool per healthy receiver: two busy receivers share fairly, and one slow-but-alive
    // receiver can never hold every slot.
    perSubscription: context.perSubscription ?? Math.max(1, Math.floor(w.concurrency / 2)),
    urlPolicy: {
      allowHttp: w.allow_http,
      allowPrivateNetworks: w.allow_private_networks,
      ...(context.resolveHost ? { resolveHost: context.resolveHost } : {}),
    } as UrlPolicy,
    agents: createWebhookAgents(),
  };
  return {
    table: 'webhook_deliveries',
    concurrency: w.concurrency,
    pollMs: w.poll_interval,
    claim: (options) => claimDeliveries(ctx.db, { ...options, ...(ctx.leaseMs !== undefined ? { staleAfterMs: ctx.leaseMs } : {}) }, ctx.perSubscription),
    handle: (row, fence) => deliver(ctx, row, fence),
    describe: (row) => ({ delivery_id: row.id, webhook_id: row.event_id, subscription_id: row.subscription_id }),
    close: () => ctx.agents.destroy(),
  };
}

type Resolved = Required<Omit<DeliveryContext, 'resolveHost' | 'leaseMs'>> & Pick<DeliveryContext, 'leaseMs'> & { urlPolicy: UrlPolicy; agents: WebhookAgents };

/** The long-running sender for `mailroom run`. */
export function startDeliveryWorker(context: DeliveryContext): Runner<DeliveryOutcome> {
  const handler = deliveryHandler(context);
  const runner = runnerFor(context, handler);
  runner.start();
  return {
    ...runner,
    async stop(deadlineMs) {
      await runner.stop(deadlineMs);
      handler.close();
    },
  };
}

/**
 * One pass over what is due right now, for `mailroom triage` to send its events before exiting.
 * Each delivery is tried at most once; failures are scheduled as usual for `mailroom run`.
 */
export async function deliverDueNow(context: DeliveryContext, options: { onlyIds?: readonly string[] } = {}): Promise<{ delivered: number; failed: number }> {
  const handler = deliveryHandler(context);
  const only = options.onlyIds;
  const restricted = only ? { ...handler, claim: (o: ClaimOptions) => handler.claim!({ ...o, only }) } : handler;
  try {
    const outcomes = await runnerFor(context, restricted).drainOnce();
    const delivered = outcomes.filter((o) => o === 'delivered').length;
    return { delivered, failed: outcomes.length - delivered };
  } finally {
    handler.close();
  }
}

function runnerFor(context: DeliveryContext, handler: QueueHandler<ClaimedDelivery, DeliveryOutcome>): Runner<DeliveryOutcome> {
  const workerId = context.workerId ?? newWorkerId();
  return createRunner({ db: context.db, workerId, clock: context.clock ?? systemClock, logger: context.logger, ...(context.random ? { random: context.random } : {}) }, handler);
}

/**
 * Sends one claimed delivery and records what happened. Three branches after the answer, as Svix
 * splits them: delivered (2xx); schedule the next attempt; or give up — schedule used up, or 410 —
 * leaving a dead letter that `deliveries replay` can send again with the same webhook-id.
 * A crash between the POST and the record leaves the row claimed; once the claim goes stale it is
 * sent again with the same webhook-id (at least once, deduplicable by the receiver).
 */
async function deliver(ctx: Resolved, claimed: ClaimedDelivery, fence: Claim): Promise<DeliveryOutcome> {
  const startedAt = ctx.clock.now();
  const result = await sendSigned({
    url: claimed.url,
    id: claimed.event_id,
    body: claimed.body,
    secrets: () => signingSecrets(ctx.secretBox, claimed, startedAt),
    now: () => ctx.clock.now(),
    urlPolicy: ctx.urlPolicy,
    timeoutMs: ctx.config.webhooks.timeout,
    agents: ctx.agents,
  });
  const now = ctx.clock.now();
  const error = describeFailure(result);
  const delay = error === null || result.statusCode === 410 ? null : nextAttemptDelay(ctx, claimed.attempts, result, now);
  const outcome: DeliveryOutcome = error === null ? 'delivered' : delay === null ? 'failed' : 'retry';
  const log = {
    delivery_id: claimed.id,
    webhook_id: claimed.event_id,
    subscription_id: claimed.subscription_id,
    attempt: claimed.attempts,
    status_code: result.statusCode,
    latency_ms: result.latencyMs,
  };
  await recordAttempt(ctx, fence, claimed.subscription_id, { startedAt, now, result, error, outcome, nextAttemptAt: delay === null ? null : new Date(now.getTime() + delay) }, log);
  ctx.metrics.deliveryAttempts.inc({ subscription_id: claimed.subscription_id, result: outcome });
  if (outcome === 'delivered') ctx.logger.info(log, 'webhook delivered');
  else
    ctx.logger.warn(
      { ...log, error, next_attempt_at: delay === null ? null : new Date(now.getTime() + delay).toISOString() },
      outcome === 'retry' ? 'webhook attempt failed; will retry' : 'webhook delivery failed for good (dead letter; `mailroom deliveries replay` resends it)',
    );
  return outcome;
}

/**
 * When to try again. The schedule is data (`webhooks.schedule`, Svix's by default: at once, 5 s,
 * 5 min, 30 min, 2 h, 5 h, 10 h, 10 h): entry k is the wait before attempt k+1, jittered ±20 %.
 * Null when the schedule is used up (the delivery becomes a dead letter). Retry-After on 429/503
 * is the receiver telling us when it can take more: wait at least that long, but never longer than
 * the longest step (a hostile or buggy header must not park a delivery for a year).
 */
export function nextAttemptDelay(ctx: { config: Pick<Config, 'webhooks'>; random: () => number }, attemptsMade: number, result: Pick<PostResult, 'statusCode' | 'headers'>, now: Date): number | null {
  const schedule = ctx.config.webhooks.schedule;
  if (attemptsMade >= schedule.length) return null;
  let wait = jitter(schedule[attemptsMade]!, ctx.random);
  const header = result.headers['retry-after'];
  const asked = retryAfterMs(Array.isArray(header) ? header[0] : header, now.getTime());
  if ((result.statusCode === 429 || result.statusCode === 503) && asked !== null) wait = Math.max(wait, Math.min(asked, Math.max(...schedule)));
  return wait;
}

interface Attempt {
  startedAt: Date;
  now: Date;
  result: PostResult;
  error: string | null;
  outcome: DeliveryOutcome;
  nextAttemptAt: Date | null;
}

/**
 * Writes the attempt row (always, even when this process lost its claim) and the delivery's new
 * state (only while the claim is ours: a process that outlived its claim must not overwrite what
 * the reclaiming process recorded), then the subscription's health. Commits with
 * `synchronous_commit = off` (see withRelaxedCommit).
 */
async function recordAttempt(ctx: Resolved, fence: Claim, subscriptionId: string, attempt: Attempt, log: Record<string, unknown>): Promise<void> {
  const { result, now } = attempt;
  const claimLost = await withRelaxedCommit(ctx.db, async (trx) => {
    await trx
      .insertInto('webhook_attempts')
      .values({
        delivery_id: fence.id,
        attempt: fence.attempts,
        worker: fence.workerId,
        started_at: attempt.startedAt,
        status_code: result.statusCode,
        latency_ms: result.latencyMs,
        error: attempt.error,
        response_head: result.statusCode === null ? null : result.bodyHead,
      })
      .execute();
    const state = attempt.nextAttemptAt
      ? { status: 'pending' as const, next_attempt_at: attempt.nextAttemptAt, delivered_at: null }
      : {
          status: attempt.outcome === 'delivered' ? ('delivered' as const) : ('failed' as const),
          next_attempt_at: now,
          delivered_at: attempt.outcome === 'delivered' ? now : null,
        };
    const recorded = {
      ...state,
      last_status_code: result.statusCode,
      last_error: attempt.error,
      last_attempt_at: attempt.startedAt,
      locked_by: null,
      locked_at: null,
    };
    try {
      await updateClaimed(trx, fence as Claim<'webhook_deliveries'>, recorded, now);
      return false;
    } catch (error) {
      if (error instanceof ClaimLostError) return true;
      throw error;
    }
  });
  if (claimLost) ctx.logger.warn(log, 'webhook attempt recorded, but another worker had reclaimed the delivery (its claim went stale); its state was left to that worker');
  await recordHealth(ctx, subscriptionId, attempt, log);
}

async function recordHealth(ctx: Resolved, subscriptionId: string, attempt: Attempt, log: Record<string, unknown>): Promise<void> {
  if (attempt.outcome === 'delivered') return markSubscriptionSucceeded(ctx.db, subscriptionId, attempt.now);
  if (attempt.result.statusCode === 410) {
    await disableSubscriptionGone(ctx.db, subscriptionId, attempt.now);
    ctx.logger.warn(log, 'webhook endpoint answered 410 Gone: subscription disabled; `mailroom subscriptions enable` turns it back on');
    return;
  }
  const disabled = await markSubscriptionFailed(ctx.db, {
    subscriptionId,
    failedAt: attempt.startedAt,
    now: attempt.now,
    disableAfterMs: ctx.config.webhooks.disable_after,
    lastError: attempt.error ?? '',
  });
  if (disabled) ctx.logger.warn(log, 'webhook subscription disabled: every attempt failed for too long; fix the receiver, then `mailroom subscriptions enable`');
}

/**
 * Failure bookkeeping on the subscription row. Each statement only writes when something changes,
 * so a healthy, busy endpoint never makes concurrent workers queue on its row lock.
 */
export async function markSubscriptionSucceeded(db: Db, subscriptionId: string, now: Date): Promise<void> {
  await db.updateTable('webhook_subscriptions').set({ failing_since: null, updated_at: now }).where('id', '=', subscriptionId).where('failing_since', 'is not', null).execute();
}

/** Notes a failure; returns true when this failure disabled the subscription (failing too long). */
export async function markSubscriptionFailed(db: Db, params: { subscriptionId: string; failedAt: Date; now: Date; disableAfterMs: number; lastError: string }): Promise<boolean> {
  await db.updateTable('webhook_subscriptions').set({ failing_since: params.failedAt, updated_at: params.now }).where('id', '=', params.subscriptionId).where('failing_since', 'is', null).execute();
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

/**
 * Claims due deliveries with per-subscription isolation, and loads what sending needs, in one
 * transaction committed with `synchronous_commit = off`.
 *
 * Alternatives rejected: (1) a plain `ORDER BY next_attempt_at LIMIT n FOR UPDATE SKIP LOCKED`
 * fills every slot with the dead endpoint's backlog; (2) a window function (`row_number() OVER
 * (PARTITION BY subscription_id)`) cannot be combined with FOR UPDATE and scans every due row; the
 * LATERAL per subscription walks the (subscription_id, next_attempt_at) index and stops after a few
 * rows. The in-flight count is read without locks, so two processes claiming at the same instant
 * can exceed the per-subscription cap by one batch: the cap is a fairness bound, not a safety one.
 */
async function claimDeliveries(db: Db, options: ClaimOptions, perSubscription: number): Promise<ClaimedDelivery[]> {
  return withRelaxedCommit(db, async (trx) => {
    const rows = await claim<{ id: string; attempts: number; locked_by: string | null }>(trx, 'webhook_deliveries', {
      ...options,
      columns: ['id'],
      candidates: ({ now, staleBefore, restrict }) => sql`
        WITH busy AS (
          SELECT subscription_id, count(*)::int AS n FROM webhook_deliveries
          WHERE status = 'pending' AND locked_at IS NOT NULL AND locked_at > ${staleBefore}
          GROUP BY subscription_id
        )
        SELECT c.id FROM webhook_subscriptions s
        LEFT JOIN busy b ON b.subscription_id = s.id
        CROSS JOIN LATERAL (
          SELECT d.id FROM webhook_deliveries d
          WHERE d.subscription_id = s.id AND d.status = 'pending' AND d.next_attempt_at <= ${now}
            AND (d.locked_at IS NULL OR d.locked_at <= ${staleBefore}) ${restrict('d')}
          ORDER BY d.next_attempt_at, d.id
          LIMIT greatest((CASE WHEN s.failing_since IS NULL THEN ${perSubscription}::int ELSE 1 END) - coalesce(b.n, 0), 0)
        ) c
        WHERE s.enabled`,
    });
    if (rows.length === 0) return [];
    const loaded = await trx
      .selectFrom('webhook_deliveries as d')
      .innerJoin('webhook_events as e', 'e.id', 'd.event_id')
      .innerJoin('webhook_subscriptions as s', 's.id', 'd.subscription_id')
      .select(['d.id', 'd.event_id', 'd.subscription_id', 'd.attempts', 'd.locked_by', 's.url', 's.secret_encrypted', 's.previous_secret_encrypted', 's.previous_secret_expires_at'])
      // A subscription with `redact` gets the event's redacted body when it has one (webhook_events.redacted_body).
      .select(sql<string>`CASE WHEN s.redact AND e.redacted_body IS NOT NULL THEN e.redacted_body ELSE e.body END`.as('body'))
      .where(
        'd.id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('d.next_attempt_at')
      .orderBy('d.id')
      .execute();
    return loaded.map((row) => ({
      ...row,
      previous_secret_expires_at: row.previous_secret_expires_at === null ? null : new Date(row.previous_secret_expires_at),
    }));
  });
}

/**
 * Runs `fn` in a transaction that commits without waiting for the WAL flush. Only the claim and
 * the attempt record use it: each delivery costs two commits, and waiting for the flush on both
 * was the largest cost per delivery (bench on the build machine: 104–157/s with, 139–284/s
 * without). What a database-server crash can lose is the last fraction of a second of these
 * commits — the same as a worker crash between send and record: the event goes out again with the
 * same webhook-id. It never loses an event: the event and its outbox rows are written by the
 * decision transaction, which keeps full durability.
 */
async function withRelaxedCommit<T>(db: Db, fn: (trx: Tx) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`SET LOCAL synchronous_commit = off`.execute(trx);
    return fn(trx);
  });
}
