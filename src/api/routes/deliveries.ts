import type { FastifyInstance } from 'fastify';
import { parseSince } from '../../config/index.js';
import type { DeliveryStatus } from '../../db/index.js';
import { listAttempts, listDeliveries, replayDelivery, replayFailedSince } from '../../webhooks/index.js';
import { type ApiDeps, sendError } from '../api-context.js';
import { decodeCursor, encodeCursor } from '../queries.js';
import { dateTime, deliverySchema, deliveryStatusSchema, errorSchema, idParams, iso, nullableInteger, nullableString } from '../schemas.js';
import { deliveryView } from './emails.js';

const params = idParams('delivery', 'dlv_01J…');
const DELIVERY_ID = /^[A-Za-z0-9_-]{1,100}$/;

const attemptSchema = {
  type: 'object',
  properties: {
    attempt: { type: 'integer' },
    started_at: dateTime,
    status_code: nullableInteger,
    latency_ms: { type: 'integer' },
    error: nullableString,
    response_head: { ...nullableString, description: 'First 1 KiB of the response body.' },
    worker: { type: 'string' },
  },
  required: ['attempt', 'started_at', 'latency_ms'],
} as const;

const REPLAY_REFUSALS = {
  'not-found': { status: 404, message: (id: string) => `no delivery ${id}; GET /v1/deliveries shows the ids` },
  'in-flight': { status: 409, message: (id: string) => `delivery ${id} is being sent right now; look again in a moment` },
  'subscription-disabled': {
    status: 409,
    message: (id: string) => `the subscription of delivery ${id} is disabled; enable it first (POST /v1/subscriptions/{id}/enable)`,
  },
} as const;

/** /v1/deliveries: what was sent where, and replay. Replay resends the same event; it changes no decision. */
export function registerDeliveryRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const tag = 'deliveries';

  app.get<{
    Querystring: { status?: DeliveryStatus; subscription_id?: string; event_type?: string; since?: string; until?: string; limit: number; cursor?: string };
  }>(
    '/v1/deliveries',
    {
      config: { auth: 'bearer', summary: 'Deliveries, newest first; follow next_cursor for older pages.', tag },
      schema: {
        querystring: {
          type: 'object',
          properties: {
            status: { ...deliveryStatusSchema, description: 'Only this status; failed are the dead letters.' },
            subscription_id: { type: 'string', maxLength: 100 },
            event_type: { type: 'string', maxLength: 100, description: 'Only events of this type (ticket.suggested, ping…).' },
            since: { type: 'string', maxLength: 40, description: 'Created since a duration ago (1d) or a date.' },
            until: { type: 'string', maxLength: 40, description: 'Created before a date or a duration ago.' },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
            cursor: { type: 'string', maxLength: 200, description: 'next_cursor of the previous page.' },
          },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: { data: { type: 'array', items: deliverySchema }, next_cursor: { ...nullableString, description: 'Pass as cursor for the next (older) page.' } },
            required: ['data'],
          },
        },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const before = q.cursor ? decodeCursor(q.cursor, DELIVERY_ID) : undefined;
      if (before === null) return sendError(reply, 400, 'cursor is not one this server gave out; start again without cursor');
      const since = q.since ? parseSince(q.since, deps.clock.now()) : undefined;
      if (since === null) return sendError(reply, 400, `since: expected a duration like 1d or a date like 2026-11-01T00:00:00Z, got "${q.since}"`);
      const until = q.until ? parseSince(q.until, deps.clock.now()) : undefined;
      if (until === null) return sendError(reply, 400, `until: expected a date like 2026-11-02 or a duration like 1d, got "${q.until}"`);
      const rows = await listDeliveries(deps.db, {
        ...(q.status ? { status: q.status } : {}),
        ...(q.subscription_id ? { subscriptionId: q.subscription_id } : {}),
        ...(q.event_type ? { eventType: q.event_type } : {}),
        ...(since ? { since } : {}),
        ...(until ? { until } : {}),
        ...(before ? { before } : {}),
        limit: q.limit + 1,
      });
      const page = rows.slice(0, q.limit);
      const last = page[page.length - 1];
      return {
        data: page.map((r) => deliveryView(r)),
        next_cursor: rows.length > q.limit && last ? encodeCursor({ time: last.cursor_time, id: last.id }) : null,
      };
    },
  );

  app.post<{ Body: { since: string; subscription_id?: string } }>(
    '/v1/deliveries/replay-failed',
    {
      config: { auth: 'bearer', summary: 'Replay every failed delivery created since a date (only to enabled subscriptions).', tag },
      schema: {
        body: {
          type: 'object',
          properties: {
            since: { type: 'string', minLength: 1, maxLength: 40, description: 'A date (2026-11-01) or a duration ago (1d); required so an old backlog is not resent by accident.' },
            subscription_id: { type: 'string', maxLength: 100 },
          },
          required: ['since'],
          additionalProperties: false,
        },
        response: {
          202: {
            type: 'object',
            properties: {
              replayed: { type: 'array', items: { type: 'string' }, description: 'The ids put back in the outbox.' },
              skipped_disabled: { type: 'integer', description: 'Failed deliveries left alone because their subscription is disabled.' },
            },
            required: ['replayed', 'skipped_disabled'],
          },
        },
      },
    },
    async (request, reply) => {
      const since = parseSince(request.body.since, deps.clock.now());
      if (!since) return sendError(reply, 400, `since: expected a date like 2026-11-01 or a duration like 1d, got "${request.body.since}"`);
      const result = await replayFailedSince(deps.db, {
        since,
        now: deps.clock.now(),
        ...(request.body.subscription_id ? { subscriptionId: request.body.subscription_id } : {}),
      });
      deps.logger.info({ replayed: result.ids.length, skipped_disabled: result.skippedDisabled, since: since.toISOString() }, 'failed deliveries replayed through the API');
      if (result.ids.length > 0) deps.wakeDeliveries();
      return reply.code(202).send({ replayed: result.ids, skipped_disabled: result.skippedDisabled });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/deliveries/:id',
    {
      config: { auth: 'bearer', summary: 'One delivery with every attempt.', tag },
      schema: {
        params,
        response: { 200: { ...deliverySchema, properties: { ...deliverySchema.properties, attempts_log: { type: 'array', items: attemptSchema } } } },
      },
    },
    async (request, reply) => {
      const [row] = await listDeliveries(deps.db, { ids: [request.params.id] });
      if (!row) return sendError(reply, 404, `no delivery ${request.params.id}; GET /v1/deliveries shows the ids`);
      const attempts = await listAttempts(deps.db, row.id);
      return { ...deliveryView(row), attempts_log: attempts.map((a) => ({ ...a, started_at: iso(a.started_at) })) };
    },
  );

  app.post<{ Params: { id: string } }>(
    '/v1/deliveries/:id/replay',
    {
      config: { auth: 'bearer', summary: 'Send a delivery again now with a fresh retry schedule: same webhook-id, same body.', tag },
      schema: {
        params,
        response: {
          202: { type: 'object', properties: { id: { type: 'string' }, status: { type: 'string', enum: ['pending'] } }, required: ['id', 'status'] },
          409: { ...errorSchema, description: 'Being sent right now, or its subscription is disabled.' },
        },
      },
    },
    async (request, reply) => {
      const result = await replayDelivery(deps.db, request.params.id, deps.clock.now());
      if (!result.ok) {
        const refusal = REPLAY_REFUSALS[result.reason];
        return sendError(reply, refusal.status, refusal.message(request.params.id));
      }
      deps.logger.info({ delivery_id: request.params.id }, 'delivery replayed through the API');
      deps.wakeDeliveries();
      return reply.code(202).send({ id: request.params.id, status: 'pending' as const });
    },
  );
}
