import type { FastifyInstance } from 'fastify';
import { parseSince } from '../../config/index.js';
import type { DeliveryStatus } from '../../db/index.js';
import { listAttempts, listDeliveries, replayDelivery } from '../../webhooks/index.js';
import { type ApiDeps, sendError } from '../api-context.js';
import { dateTime, deliverySchema, deliveryStatusSchema, errorSchema, idParams, iso, nullableInteger, nullableString } from '../schemas.js';
import { deliveryView } from './emails.js';

const params = idParams('delivery', 'dlv_01J…');

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

  app.get<{ Querystring: { status?: DeliveryStatus; subscription_id?: string; since?: string; limit: number } }>(
    '/v1/deliveries',
    {
      config: { auth: 'bearer', summary: 'Deliveries, newest first.', tag },
      schema: {
        querystring: {
          type: 'object',
          properties: {
            status: { ...deliveryStatusSchema, description: 'Only this status; failed are the dead letters.' },
            subscription_id: { type: 'string', maxLength: 100 },
            since: { type: 'string', maxLength: 40, description: 'A duration ago (1d) or a date.' },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
          },
          additionalProperties: false,
        },
        response: { 200: { type: 'object', properties: { data: { type: 'array', items: deliverySchema } }, required: ['data'] } },
      },
    },
    async (request, reply) => {
      const q = request.query;
      let since: Date | undefined;
      if (q.since) {
        const parsed = parseSince(q.since, deps.clock.now());
        if (!parsed) return sendError(reply, 400, `since: expected a duration like 1d or a date like 2026-11-01T00:00:00Z, got "${q.since}"`);
        since = parsed;
      }
      const rows = await listDeliveries(deps.db, {
        ...(q.status ? { status: q.status } : {}),
        ...(q.subscription_id ? { subscriptionId: q.subscription_id } : {}),
        ...(since ? { since } : {}),
        limit: q.limit,
      });
      return { data: rows.map((r) => deliveryView({ ...r })) };
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
