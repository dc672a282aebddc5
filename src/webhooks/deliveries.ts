import { sql } from 'kysely';
import type { Db, DeliveryStatus } from '../db/index.js';
import { displayWebhookUrl } from './ssrf-guard.js';

export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['pending', 'delivered', 'failed'];

export interface DeliveryView {
  id: string;
  /** The webhook-id receivers see. */
  webhook_id: string;
  event_type: string;
  email_id: string | null;
  subscription_id: string;
  url: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Date | null;
  last_attempt_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  /** How long the last attempt waited for its answer; null before the first attempt. */
  last_latency_ms: number | null;
  delivered_at: Date | null;
  created_at: Date;
  /** created_at as PostgreSQL's microsecond text, the page key with id. */
  cursor_time: string;
}

/** The last row of a page, by the sort key (created_at, id). */
export interface DeliveryPageKey {
  /** `YYYY-MM-DDTHH:MM:SS.ffffffZ` */
  time: string;
  id: string;
}

export async function listDeliveries(
  db: Db,
  filter: {
    status?: DeliveryStatus;
    subscriptionId?: string;
    /** Every delivery of every event about this email. */
    emailId?: string;
    since?: Date;
    until?: Date;
    eventType?: string;
    /** Newest first only: rows strictly older than this key. */
    before?: DeliveryPageKey;
    ids?: readonly string[];
    /** null: no limit. */
    limit?: number | null;
    order?: 'newest' | 'oldest';
  } = {},
): Promise<DeliveryView[]> {
  const direction = filter.order === 'oldest' ? 'asc' : 'desc';
  let query = db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhook_events as e', 'e.id', 'd.event_id')
    .innerJoin('webhook_subscriptions as s', 's.id', 'd.subscription_id')
    .select([
      'd.id',
      'd.event_id',
      'e.type',
      'e.email_id',
      'd.subscription_id',
      's.url',
      'd.status',
      'd.attempts',
      'd.next_attempt_at',
      'd.last_attempt_at',
      'd.last_status_code',
      'd.last_error',
      'd.delivered_at',
      'd.created_at',
      sql<number | null>`(select a.latency_ms from webhook_attempts a where a.delivery_id = d.id order by a.id desc limit 1)`.as('last_latency_ms'),
      sql<string>`to_char(d.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('cursor_time'),
    ])
    .orderBy('d.created_at', direction)
    .orderBy('d.id', direction);
  if (filter.limit !== null) query = query.limit(filter.limit ?? 100);
  if (filter.status) query = query.where('d.status', '=', filter.status);
  if (filter.subscriptionId) query = query.where('d.subscription_id', '=', filter.subscriptionId);
  if (filter.emailId) query = query.where('e.email_id', '=', filter.emailId);
  if (filter.since) query = query.where('d.created_at', '>=', filter.since);
  if (filter.until) query = query.where('d.created_at', '<', filter.until);
  if (filter.eventType) query = query.where('e.type', '=', filter.eventType);
  if (filter.before) query = query.where(sql<boolean>`(d.created_at, d.id) < (${filter.before.time}::timestamptz, ${filter.before.id})`);
  if (filter.ids) query = filter.ids.length > 0 ? query.where('d.id', 'in', [...filter.ids]) : query.where(sql<boolean>`false`);
  const rows = await query.execute();
  return rows.map((r) => ({
    id: r.id,
    webhook_id: r.event_id,
    event_type: r.type,
    email_id: r.email_id,
    subscription_id: r.subscription_id,
    url: displayWebhookUrl(r.url),
    status: r.status,
    attempts: r.attempts,
    next_attempt_at: r.status === 'pending' ? r.next_attempt_at : null,
    last_attempt_at: r.last_attempt_at,
    last_status_code: r.last_status_code,
    last_error: r.last_error,
    last_latency_ms: r.last_latency_ms,
    delivered_at: r.delivered_at,
    created_at: r.created_at,
    cursor_time: r.cursor_time,
  }));
}

export interface AttemptView {
  attempt: number;
  started_at: Date;
  status_code: number | null;
  latency_ms: number;
  error: string | null;
  response_head: string | null;
  worker: string;
}

export async function listAttempts(db: Db, deliveryId: string): Promise<AttemptView[]> {
  return db
    .selectFrom('webhook_attempts')
    .select(['attempt', 'started_at', 'status_code', 'latency_ms', 'error', 'response_head', 'worker'])
    .where('delivery_id', '=', deliveryId)
    .orderBy('id')
    .execute();
}

export type ReplayRefusal = 'not-found' | 'in-flight' | 'subscription-disabled';

/**
 * Puts a delivery back in the outbox, due now, with a fresh schedule. The event row is untouched,
 * so the resend carries the same webhook-id and the same body bytes.
 */
export async function replayDelivery(db: Db, id: string, now: Date): Promise<{ ok: true } | { ok: false; reason: ReplayRefusal }> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('webhook_deliveries as d')
      .innerJoin('webhook_subscriptions as s', 's.id', 'd.subscription_id')
      .select(['d.status', 'd.locked_at', 's.enabled'])
      .where('d.id', '=', id)
      .forUpdate('d')
      .executeTakeFirst();
    if (!row) return { ok: false, reason: 'not-found' } as const;
    if (!row.enabled) return { ok: false, reason: 'subscription-disabled' } as const;
    if (row.status === 'pending' && row.locked_at !== null) return { ok: false, reason: 'in-flight' } as const;
    await requeue(trx, [id], now);
    return { ok: true } as const;
  });
}

/** Replays every dead letter created since `since` whose subscription is enabled. */
export async function replayFailedSince(db: Db, params: { since: Date; now: Date; subscriptionId?: string }): Promise<{ ids: string[]; skippedDisabled: number }> {
  return db.transaction().execute(async (trx) => {
    let query = trx
      .selectFrom('webhook_deliveries as d')
      .innerJoin('webhook_subscriptions as s', 's.id', 'd.subscription_id')
      .select(['d.id', 's.enabled'])
      .where('d.status', '=', 'failed')
      .where('d.created_at', '>=', params.since)
      .forUpdate('d');
    if (params.subscriptionId) query = query.where('d.subscription_id', '=', params.subscriptionId);
    const rows = await query.execute();
    const ids = rows.filter((r) => r.enabled).map((r) => r.id);
    await requeue(trx, ids, params.now);
    return { ids, skippedDisabled: rows.length - ids.length };
  });
}

async function requeue(db: Pick<Db, 'updateTable'>, ids: string[], now: Date): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable('webhook_deliveries')
    .set({ status: 'pending', attempts: 0, next_attempt_at: now, locked_by: null, locked_at: null, delivered_at: null, updated_at: now })
    .where('id', 'in', ids)
    .execute();
}
