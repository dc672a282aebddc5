import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../api-context.js';
import { listWaitingMessages, WAITING_STATUSES, type WaitingStatus } from '../queries.js';
import { dateTime, nullableDateTime, nullableString } from '../schemas.js';

const MAX_LIMIT = 1000;

const waitingItem = {
  type: 'object',
  properties: {
    email_id: { type: 'string' },
    mailbox: { type: 'string' },
    from: nullableString,
    subject: nullableString,
    received_at: dateTime,
    status: {
      type: 'string',
      enum: [...WAITING_STATUSES],
      description: 'pending: waits for its next attempt; processing: a worker is deciding it now; failed: kept with its error.',
    },
    attempts: { type: 'integer' },
    next_attempt_at: { ...nullableDateTime, description: 'When a pending message is tried next.' },
    waiting_for: { ...nullableString, description: '"model" while the AI model is unreachable: such mail is retried as soon as the model answers again.' },
    reason: { type: 'string', description: 'Why it is not decided yet, in words.' },
  },
  required: ['email_id', 'mailbox', 'received_at', 'status', 'attempts', 'reason'],
} as const;

/** GET /v1/messages: mail not decided yet and why, oldest first. Read-only. */
export function registerMessageRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get<{ Querystring: { status?: WaitingStatus; limit: number } }>(
    '/v1/messages',
    {
      config: { auth: 'bearer', summary: 'Mail not decided yet (pending, processing, failed) and the reason each waits, oldest first.', tag: 'emails' },
      schema: {
        querystring: {
          type: 'object',
          properties: {
            status: { type: 'string', enum: [...WAITING_STATUSES], description: 'Only this status.' },
            limit: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: 100, description: 'At most this many.' },
          },
          additionalProperties: false,
        },
        response: { 200: { type: 'object', properties: { data: { type: 'array', items: waitingItem } }, required: ['data'] } },
      },
    },
    async (request) => ({ data: await listWaitingMessages(deps.db, { status: request.query.status, limit: request.query.limit, now: deps.clock.now() }) }),
  );
}
