import type { FastifyInstance, FastifyReply } from 'fastify';
import {
  addSubscription,
  EVENT_TYPES,
  type EventType,
  listSubscriptions,
  pingSubscription,
  removeSubscription,
  rotateSubscriptionSecret,
  type SubscriptionView,
  setSubscriptionEnabled,
  UnknownSubscriptionError,
  WebhookUrlRefusedError,
} from '../../webhooks/index.js';
import { type ApiDeps, sendError } from '../api-context.js';
import { dateTime, errorSchema, idParams, iso, nullableInteger, nullableString, subscriptionSchema } from '../schemas.js';

const params = idParams('subscription', 'sub_01J…');
const createdSchema = {
  type: 'object',
  description: 'The new subscription with its signing secret: shown this once, store it in the receiver now.',
  properties: { id: { type: 'string' }, url: { type: 'string' }, secret: { type: 'string' }, event_types: { type: 'array', items: { type: 'string' } } },
  required: ['id', 'url', 'secret'],
} as const;

function subscriptionView(s: SubscriptionView) {
  return {
    ...s,
    disabled_at: iso(s.disabled_at),
    failing_since: iso(s.failing_since),
    previous_secret_until: iso(s.previous_secret_until),
    created_at: iso(s.created_at),
  };
}

async function emptyBodyAsObject(request: { body: unknown }): Promise<void> {
  request.body ??= {};
}

/** Unknown id → 404; everything else is the caller's error handler's business. */
async function orNotFound<T>(reply: FastifyReply, work: () => Promise<T>): Promise<T | FastifyReply> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof UnknownSubscriptionError) return sendError(reply, 404, error.message.replace('`mailroom subscriptions list`', 'GET /v1/subscriptions'));
    throw error;
  }
}

/** /v1/subscriptions: who receives ticket.suggested. Calls the same functions as `mailroom subscriptions`. */
export function registerSubscriptionRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const tag = 'subscriptions';

  app.get(
    '/v1/subscriptions',
    {
      config: { auth: 'bearer', summary: 'Every subscription with its delivery counts; never a secret.', tag },
      schema: { response: { 200: { type: 'object', properties: { data: { type: 'array', items: subscriptionSchema } }, required: ['data'] } } },
    },
    async () => ({ data: (await listSubscriptions(deps.db, deps.clock.now())).map(subscriptionView) }),
  );

  app.post<{ Body: { url: string; description?: string; redact?: boolean; event_types?: EventType[] } }>(
    '/v1/subscriptions',
    {
      config: { auth: 'bearer', summary: 'Subscribe a URL (checked against the SSRF rules); answers with the secret, once.', tag },
      schema: {
        body: {
          type: 'object',
          properties: {
            url: { type: 'string', minLength: 1, maxLength: 2000 },
            description: { type: 'string', maxLength: 500 },
            redact: { type: 'boolean', description: 'Send subject, summary and body_text with personal data replaced by placeholders.' },
            event_types: {
              type: 'array',
              items: { type: 'string', enum: [...EVENT_TYPES] },
              minItems: 1,
              uniqueItems: true,
              description: 'The events it receives; default ["ticket.suggested"].',
            },
          },
          required: ['url'],
          additionalProperties: false,
        },
        response: { 201: createdSchema, 422: { ...errorSchema, description: 'The URL is refused by the SSRF rules or does not resolve.' } },
      },
    },
    async (request, reply) => {
      try {
        const created = await addSubscription(deps.db, {
          url: request.body.url,
          ...(request.body.description !== undefined ? { description: request.body.description } : {}),
          ...(request.body.redact !== undefined ? { redact: request.body.redact } : {}),
          ...(request.body.event_types !== undefined ? { eventTypes: request.body.event_types } : {}),
          urlPolicy: deps.urlPolicy,
          secretBox: deps.secretBox(),
          now: deps.clock.now(),
        });
        deps.logger.info({ subscription_id: created.id, url: created.url }, 'subscription added through the API');
        return reply.code(201).send(created);
      } catch (error) {
        if (error instanceof WebhookUrlRefusedError) return sendError(reply, 422, error.message, error.code);
        if (error instanceof Error && error.message.startsWith('cannot resolve')) return sendError(reply, 422, `${error.message}; check the host name`, 'WEBHOOK_URL_UNRESOLVED');
        throw error;
      }
    },
  );

  app.get<{ Params: { id: string } }>(
    '/v1/subscriptions/:id',
    { config: { auth: 'bearer', summary: 'One subscription.', tag }, schema: { params, response: { 200: subscriptionSchema } } },
    async (request, reply) => {
      const found = (await listSubscriptions(deps.db, deps.clock.now())).find((s) => s.id === request.params.id);
      return found ? subscriptionView(found) : sendError(reply, 404, `no subscription ${request.params.id}; GET /v1/subscriptions shows the ids`);
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/v1/subscriptions/:id',
    {
      config: { auth: 'bearer', summary: 'Remove a subscription with its deliveries and their attempt log.', tag },
      schema: { params, response: { 204: { type: 'null', description: 'Removed.' } } },
    },
    async (request, reply) =>
      orNotFound(reply, async () => {
        await removeSubscription(deps.db, request.params.id);
        deps.logger.info({ subscription_id: request.params.id }, 'subscription removed through the API');
        return reply.code(204).send();
      }),
  );

  for (const enabled of [true, false]) {
    app.post<{ Params: { id: string }; Body: { reason?: string } | undefined }>(
      `/v1/subscriptions/:id/${enabled ? 'enable' : 'disable'}`,
      {
        config: {
          auth: 'bearer',
          summary: enabled ? 'Enable: clears the failure history; pending deliveries go out at their scheduled times.' : 'Disable: nothing more is sent until enabled.',
          tag,
          ...(enabled ? {} : { optionalBody: true }),
        },
        // The reason is optional, and so is the body: a bare POST (as before the reason existed) stays valid.
        ...(enabled ? {} : { preValidation: emptyBodyAsObject }),
        schema: {
          params,
          ...(enabled
            ? {}
            : {
                body: {
                  type: 'object',
                  properties: { reason: { type: 'string', minLength: 1, maxLength: 300, description: 'Shown beside the disabled subscription.' } },
                  additionalProperties: false,
                },
              }),
          response: { 200: subscriptionSchema },
        },
      },
      async (request, reply) =>
        orNotFound(reply, async () => {
          const reason = request.body?.reason?.trim();
          await setSubscriptionEnabled(deps.db, request.params.id, enabled, deps.clock.now(), reason ? `disabled through the API: ${reason}` : 'disabled through the API');
          deps.logger.info({ subscription_id: request.params.id }, `subscription ${enabled ? 'enabled' : 'disabled'} through the API`);
          if (enabled) deps.wakeDeliveries();
          const found = (await listSubscriptions(deps.db, deps.clock.now())).find((s) => s.id === request.params.id);
          return found ? subscriptionView(found) : sendError(reply, 404, `no subscription ${request.params.id}`);
        }),
    );
  }

  app.post<{ Params: { id: string } }>(
    '/v1/subscriptions/:id/rotate-secret',
    {
      config: { auth: 'bearer', summary: 'New signing secret (shown once); the old one keeps signing beside it for 24 h.', tag },
      schema: {
        params,
        response: {
          200: {
            type: 'object',
            properties: { id: { type: 'string' }, secret: { type: 'string' }, previous_secret_valid_until: dateTime },
            required: ['id', 'secret', 'previous_secret_valid_until'],
          },
        },
      },
    },
    async (request, reply) =>
      orNotFound(reply, async () => {
        const rotated = await rotateSubscriptionSecret(deps.db, { id: request.params.id, secretBox: deps.secretBox(), now: deps.clock.now() });
        deps.logger.info({ subscription_id: request.params.id }, 'subscription secret rotated through the API');
        return { id: request.params.id, secret: rotated.secret, previous_secret_valid_until: iso(rotated.previousValidUntil) };
      }),
  );

  app.post<{ Params: { id: string } }>(
    '/v1/subscriptions/:id/test',
    {
      config: { auth: 'bearer', summary: 'Send a signed ping now (not through the outbox, not recorded) and report the answer.', tag },
      schema: {
        params,
        response: {
          200: {
            type: 'object',
            properties: {
              ok: { type: 'boolean' },
              webhook_id: { type: 'string' },
              status_code: nullableInteger,
              latency_ms: { type: 'integer' },
              first_line: { type: 'string', description: 'First line of the response body.' },
              error: nullableString,
            },
            required: ['ok', 'webhook_id', 'status_code', 'latency_ms', 'error'],
          },
        },
      },
    },
    async (request, reply) =>
      orNotFound(reply, async () => {
        const result = await pingSubscription(deps.db, {
          id: request.params.id,
          secretBox: deps.secretBox(),
          urlPolicy: deps.urlPolicy,
          timeoutMs: deps.config.webhooks.timeout,
          now: () => deps.clock.now(),
        });
        return {
          ok: result.error === null,
          webhook_id: result.webhookId,
          status_code: result.statusCode,
          latency_ms: result.latencyMs,
          first_line: result.firstLine,
          error: result.error,
        };
      }),
  );
}
