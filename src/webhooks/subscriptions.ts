import { sql } from 'kysely';
import type { Db } from '../db/index.js';
import type { SecretBox } from '../db/secret-box.js';
import { newId } from '../util/ids.js';
import type { WebhookAgents } from './post-webhook.js';
import { describeFailure, generateWebhookSecret, sendSigned, signingSecrets } from './send-signed.js';

import { checkWebhookUrl, displayWebhookUrl, type UrlPolicy } from './ssrf-guard.js';

/** How long the old secret keeps signing after `rotate-secret` (Svix's default). */
export const ROTATION_OVERLAP_MS = 24 * 60 * 60 * 1000;

/** The event types a subscription may choose; `ping` goes to anyone tested. */
export const EVENT_TYPES = ['ticket.suggested', 'ticket.retracted'] as const;
export type EventType = (typeof EVENT_TYPES)[number];
/** What a subscription receives when it names nothing: what every subscription received before the filter existed. */
export const DEFAULT_EVENT_TYPES: readonly EventType[] = ['ticket.suggested'];

/** `ticket.suggested,ticket.retracted` → the list; throws with what is allowed on an unknown type. */
export function parseEventTypes(value: string | readonly string[]): EventType[] {
  const items = (typeof value === 'string' ? value.split(',') : [...value]).map((t) => t.trim()).filter((t) => t !== '');
  if (items.length === 0) throw new Error(`expected at least one event type of ${EVENT_TYPES.join(', ')}`);
  for (const item of items) if (!EVENT_TYPES.includes(item as EventType)) throw new Error(`unknown event type "${item}"; expected ${EVENT_TYPES.join(', ')}`);
  return [...new Set(items as EventType[])];
}

/** SQL condition: the subscription's comma-separated event_types contains `type`. */
export function choosesEvent(type: EventType) {
  return sql<boolean>`(',' || event_types || ',') like ${`%,${type},%`}`;
}

/** A subscription as `subscriptions list` shows it: never any secret. */
export interface SubscriptionView {
  id: string;
  url: string;
  description: string;
  /** Receives subject, summary and body_text with personal data replaced by placeholders. */
  redact: boolean;
  status: 'enabled' | 'disabled';
  disabled_reason: string | null;
  disabled_at: Date | null;
  failing_since: Date | null;
  /** Until when the previous secret still signs, during a rotation. */
  previous_secret_until: Date | null;
  event_types: EventType[];
  pending: number;
  delivered: number;
  failed: number;
  created_at: Date;
}

export class UnknownSubscriptionError extends Error {
  constructor(id: string) {
    super(`no subscription ${id}; \`mailroom subscriptions list\` shows the ids`);
    this.name = 'UnknownSubscriptionError';
  }
}

/**
 * Adds a subscription after the SSRF guard accepted its URL (throws WebhookUrlRefusedError, or an
 * Error when the host does not resolve). Returns the secret in clear: the only time it is shown.
 */
export async function addSubscription(
  db: Db,
  params: { url: string; description?: string; redact?: boolean; eventTypes?: readonly EventType[]; urlPolicy: UrlPolicy; secretBox: SecretBox; now: Date },
): Promise<{ id: string; url: string; secret: string; event_types: EventType[] }> {
  const eventTypes = parseEventTypes(params.eventTypes ?? DEFAULT_EVENT_TYPES);
  const checked = await checkWebhookUrl(params.url, params.urlPolicy);
  const id = newId('sub', params.now);
  const secret = generateWebhookSecret();
  await db
    .insertInto('webhook_subscriptions')
    .values({
      id,
      url: checked.url.href,
      description: params.description ?? '',
      redact: params.redact ?? false,
      event_types: eventTypes.join(','),
      secret_encrypted: params.secretBox.encrypt(secret, id),
      disabled_reason: null,
      disabled_at: null,
      previous_secret_encrypted: null,
      previous_secret_expires_at: null,
      failing_since: null,
      created_at: params.now,
      updated_at: params.now,
    })
    .execute();
  return { id, url: checked.url.href, secret, event_types: eventTypes };
}

export async function listSubscriptions(db: Db, now: Date): Promise<SubscriptionView[]> {
  const rows = await db
    .selectFrom('webhook_subscriptions as s')
    .select([
      's.id',
      's.url',
      's.description',
      's.redact',
      's.enabled',
      's.disabled_reason',
      's.disabled_at',
      's.failing_since',
      's.previous_secret_expires_at',
      's.event_types',
      's.created_at',
      sql<number>`(select count(*)::int from webhook_deliveries d where d.subscription_id = s.id and d.status = 'pending')`.as('pending'),
      sql<number>`(select count(*)::int from webhook_deliveries d where d.subscription_id = s.id and d.status = 'delivered')`.as('delivered'),
      sql<number>`(select count(*)::int from webhook_deliveries d where d.subscription_id = s.id and d.status = 'failed')`.as('failed'),
    ])
    .orderBy('s.created_at')
    .orderBy('s.id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    url: displayWebhookUrl(r.url),
    description: r.description,
    redact: r.redact,
    status: r.enabled ? 'enabled' : 'disabled',
    disabled_reason: r.disabled_reason,
    disabled_at: r.disabled_at,
    failing_since: r.failing_since,
    previous_secret_until: r.previous_secret_expires_at && r.previous_secret_expires_at.getTime() > now.getTime() ? r.previous_secret_expires_at : null,
    event_types: r.event_types.split(',') as EventType[],
    pending: r.pending,
    delivered: r.delivered,
    failed: r.failed,
    created_at: r.created_at,
  }));
}

/** Removes a subscription with its deliveries and their attempt log. */
export async function removeSubscription(db: Db, id: string): Promise<void> {
  const result = await db.deleteFrom('webhook_subscriptions').where('id', '=', id).executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw new UnknownSubscriptionError(id);
}

/**
 * Enabling clears the failure history, so an endpoint that was just fixed is not disabled again by
 * the old failures; its pending deliveries go out at their scheduled times.
 */
/** `reason` is shown beside a disabled subscription; by default it says the CLI did it. */
export async function setSubscriptionEnabled(db: Db, id: string, enabled: boolean, now: Date, reason = 'disabled with `mailroom subscriptions disable`'): Promise<void> {
  const result = await db
    .updateTable('webhook_subscriptions')
    .set(enabled ? { enabled: true, disabled_reason: null, disabled_at: null, failing_since: null, updated_at: now } : { enabled: false, disabled_reason: reason, disabled_at: now, updated_at: now })
    .where('id', '=', id)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) throw new UnknownSubscriptionError(id);
}

/**
 * A new secret signs from now on; the old one keeps signing beside it for `overlapMs`, so the
 * receiver can switch without dropping events. A second rotation inside the overlap drops the
 * oldest secret (only one previous secret is kept).
 */
export async function rotateSubscriptionSecret(db: Db, params: { id: string; secretBox: SecretBox; now: Date; overlapMs?: number }): Promise<{ secret: string; previousValidUntil: Date }> {
  const previousValidUntil = new Date(params.now.getTime() + (params.overlapMs ?? ROTATION_OVERLAP_MS));
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('webhook_subscriptions').select(['secret_encrypted']).where('id', '=', params.id).forUpdate().executeTakeFirst();
    if (!row) throw new UnknownSubscriptionError(params.id);
    const secret = generateWebhookSecret();
    await trx
      .updateTable('webhook_subscriptions')
      .set({
        secret_encrypted: params.secretBox.encrypt(secret, params.id),
        previous_secret_encrypted: row.secret_encrypted,
        previous_secret_expires_at: previousValidUntil,
        updated_at: params.now,
      })
      .where('id', '=', params.id)
      .execute();
    return { secret, previousValidUntil };
  });
}

export interface PingResult {
  webhookId: string;
  statusCode: number | null;
  latencyMs: number;
  /** First line of the response body (from the first 1 KiB). */
  firstLine: string;
  /** Null when the receiver answered 2xx. */
  error: string | null;
}

/**
 * Sends a signed `ping` straight away (not through the outbox, not recorded): for checking that a
 * receiver is reachable and verifies signatures. Works on disabled subscriptions too, so a fixed
 * endpoint can be tested before `enable`.
 */
export async function pingSubscription(db: Db, params: { id: string; secretBox: SecretBox; urlPolicy: UrlPolicy; timeoutMs: number; now: () => Date; agents?: WebhookAgents }): Promise<PingResult> {
  const row = await db
    .selectFrom('webhook_subscriptions')
    .select(['id', 'url', 'secret_encrypted', 'previous_secret_encrypted', 'previous_secret_expires_at'])
    .where('id', '=', params.id)
    .executeTakeFirst();
  if (!row) throw new UnknownSubscriptionError(params.id);
  const sentAt = params.now();
  const webhookId = newId('msg', sentAt);
  const body = JSON.stringify({
    type: 'ping',
    timestamp: sentAt.toISOString(),
    data: { subscription_id: row.id, message: 'Test event from `mailroom subscriptions test`; no action needed.' },
  });
  const result = await sendSigned({
    url: row.url,
    id: webhookId,
    body,
    secrets: () => signingSecrets(params.secretBox, { subscription_id: row.id, ...row }, sentAt),
    now: params.now,
    urlPolicy: params.urlPolicy,
    timeoutMs: params.timeoutMs,
    ...(params.agents ? { agents: params.agents } : {}),
  });
  return {
    webhookId,
    statusCode: result.statusCode,
    latencyMs: result.latencyMs,
    firstLine: result.bodyHead.split(/\r?\n/, 1)[0] ?? '',
    error: describeFailure(result),
  };
}
