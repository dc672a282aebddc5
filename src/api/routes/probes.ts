import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../api-context.js';
import { dateTime, nullableInteger, nullableString } from '../schemas.js';

const readySchema = {
  type: 'object',
  description: 'Whether this process can do its work. `error` fields are filled only for requests with a valid bearer token.',
  properties: {
    ready: { type: 'boolean' },
    database: { type: 'object', properties: { ok: { type: 'boolean' }, error: nullableString }, required: ['ok'] },
    mailboxes: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          ok: { type: 'boolean' },
          state: {
            type: 'string',
            description:
              'starting, standby (another process watches it), waiting (for a login slot or for the server to take logins again), connecting, connected, reconnecting, releasing (handing over to another process after its sweep), stopped',
          },
          since: dateTime,
          folder: { type: 'string', description: 'the folder watched, as the server names it (mailboxes[].folder resolved in the personal namespace: Support → INBOX.Support)' },
          idle: {
            type: 'string',
            enum: ['push', 'poll'],
            description: 'push: IDLE announces new mail; poll: IDLE is broken by a NOOP every ingest.idle_poll (the server did not announce mail a sweep found, or ingest.lazy_idle: always)',
          },
          trying_for_seconds: nullableInteger,
          error: nullableString,
        },
        required: ['name', 'ok', 'state', 'since'],
      },
    },
    ingest: {
      type: ['object', 'null'],
      description: 'How many mailboxes this process watches, how many other processes watch, and why the rest wait (`note`).',
      properties: {
        mailboxes: { type: 'integer' },
        connected: { type: 'integer' },
        standby: { type: 'integer' },
        waiting: { type: 'integer' },
        connecting: { type: 'integer' },
        share: {
          type: 'object',
          properties: { processes: { type: 'integer' }, target: { type: 'integer' }, held: { type: 'integer' }, handingOver: { type: 'integer' }, cycles: { type: 'integer' } },
        },
        logins: {
          type: 'object',
          properties: {
            concurrency: { type: 'integer' },
            inFlight: { type: 'integer' },
            queued: { type: 'integer' },
            servers: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  server: { type: 'string' },
                  inFlight: { type: 'integer' },
                  queued: { type: 'integer' },
                  backoffMs: nullableInteger,
                  refusals: { type: 'integer' },
                  lastRefusal: nullableString,
                },
              },
            },
          },
        },
        note: nullableString,
      },
    },
    llm: {
      type: 'object',
      properties: {
        ok: { type: 'boolean' },
        kind: { type: 'string', enum: ['openai', 'rules'] },
        checked_at: { type: ['string', 'null'], format: 'date-time' },
        error: nullableString,
      },
      required: ['ok', 'kind'],
    },
  },
  required: ['ready', 'database', 'mailboxes', 'llm'],
} as const;

/** Probes and documents: /health, /ready, /metrics, /openapi.json. */
export function registerProbeRoutes(app: FastifyInstance, deps: ApiDeps, openApi: () => Record<string, unknown>): void {
  app.get(
    '/health',
    {
      config: { auth: 'none', summary: 'The process is up and serving HTTP (liveness).', tag: 'operations' },
      schema: { response: { 200: { type: 'object', properties: { status: { type: 'string', enum: ['ok'] } }, required: ['status'] } } },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/ready',
    {
      config: { auth: 'none', summary: 'Database reachable, each mailbox connected (or for how long it has been trying), LLM reachable.', tag: 'operations' },
      schema: { response: { 200: readySchema, 503: { ...readySchema, description: 'Not ready: see which part.' } } },
    },
    async (request, reply) => {
      const report = await deps.readiness();
      const detailed = deps.tokens.check(request.headers.authorization);
      const shown = detailed
        ? report
        : {
            ...report,
            database: { ...report.database, error: null },
            mailboxes: report.mailboxes.map((m) => ({ ...m, error: null })),
            // Counts for everyone; server names and their answers only with a token.
            ingest: report.ingest && { ...report.ingest, note: null, logins: { ...report.ingest.logins, servers: [] } },
            llm: { ...report.llm, error: null },
          };
      return reply.code(report.ready ? 200 : 503).send(shown);
    },
  );

  app.get(
    '/metrics',
    {
      config: {
        auth: 'bearer-if-configured',
        summary: 'Prometheus metrics (open when api.tokens is empty, bearer token otherwise).',
        produces: 'text/plain; version=0.0.4',
        tag: 'operations',
      },
      schema: { response: { 200: { type: 'string', description: 'Prometheus text exposition format.' } } },
    },
    async (_request, reply) => {
      const text = await deps.metrics.render();
      return reply.type(deps.metrics.contentType).send(text);
    },
  );

  app.get(
    '/openapi.json',
    {
      config: { auth: 'none', summary: 'This document.', tag: 'operations' },
      schema: { response: { 200: { type: 'object', additionalProperties: true, description: 'OpenAPI 3.1 document.' } } },
    },
    async () => openApi(),
  );
}
