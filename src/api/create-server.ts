import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, LogController } from 'fastify';
import { ConfigError } from '../config/index.js';
import { type ApiContext, resolveApiDeps, sendError } from './api-context.js';
import { registerConsole } from './console/index.js';
import { type CollectedRoute, collectRoute, openApiDocument } from './openapi.js';
import { registerCorrectionRoutes } from './routes/corrections.js';
import { registerDecisionRoutes } from './routes/decisions.js';
import { registerDeliveryRoutes } from './routes/deliveries.js';
import { registerEmailRoutes } from './routes/emails.js';
import { registerMessageRoutes } from './routes/messages.js';
import { registerProbeRoutes } from './routes/probes.js';
import { registerStatsRoutes } from './routes/stats.js';
import { registerSubscriptionRoutes } from './routes/subscriptions.js';
import { errorSchema } from './schemas.js';

export type { ApiContext } from './api-context.js';

const NO_TOKENS_MESSAGE =
  'the API has no tokens configured, so /v1 is closed: add api.tokens to the configuration (each at least 16 random characters, e.g. "${MAILROOM_API_TOKEN}") and send Authorization: Bearer <token>';

/**
 * The HTTP API `mailroom run` serves. Read-only toward decisions: the routes read the audit log and
 * manage who receives events, nothing here changes what was decided.
 *
 * Every route declares its auth in `config.auth` and its JSON Schemas; an onRoute hook adds the
 * shared error answers to each schema and collects the routes for /openapi.json.
 */
export function createApiServer(ctx: ApiContext): FastifyInstance {
  const deps = resolveApiDeps(ctx);
  const logger = ctx.logger.child({ component: 'api' });
  // Request logging is ours (below): fastify's own logs every URL, and a raw link's token is in its URL.
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 64 * 1024,
    // Unknown fields are refused rather than silently dropped: a typo in a filter must not widen a query.
    ajv: { customOptions: { removeAdditional: false } },
  });
  const routes: CollectedRoute[] = [];

  app.addHook('onRoute', (options) => {
    // Console pages are HTML for people, signed in by session; they are not part of the API's contract.
    if (options.config?.console) return;
    const auth = options.config?.auth ?? 'bearer';
    options.schema ??= {};
    const schema = options.schema as { response?: Record<string, unknown>; params?: unknown; querystring?: unknown; body?: unknown };
    schema.response ??= {};
    const response = schema.response;
    const hasInput = Boolean(schema.params || schema.querystring || schema.body);
    if (hasInput) response[400] ??= { ...errorSchema, description: 'The request does not match the schema.' };
    if (auth !== 'none') response[401] ??= { ...errorSchema, description: 'Missing or wrong bearer token, or no api.tokens configured.' };
    if (auth === 'link-or-bearer') response[403] ??= { ...errorSchema, description: 'The link token is expired or not valid for this email.' };
    if (schema.params) response[404] ??= { ...errorSchema, description: 'No such object.' };
    response[500] ??= { ...errorSchema, description: 'Unexpected failure; the log has the details.' };
    routes.push(...collectRoute(options));
  });

  app.addHook('onRequest', async (request, reply) => {
    const auth = request.routeOptions.config?.auth ?? 'bearer';
    // An unknown path is a 404 for everyone: the 401 would suggest the path exists.
    if (request.is404 || auth === 'none' || auth === 'link-or-bearer') return;
    if (!deps.tokens.configured) {
      if (auth === 'bearer-if-configured') return;
      reply.header('www-authenticate', 'Bearer');
      return sendError(reply, 401, NO_TOKENS_MESSAGE, 'API_TOKENS_NOT_CONFIGURED');
    }
    if (!deps.tokens.check(request.headers.authorization)) {
      reply.header('www-authenticate', 'Bearer');
      const message = request.headers.authorization ? 'the bearer token is not one of api.tokens' : 'send Authorization: Bearer <one of api.tokens>';
      return sendError(reply, 401, message, 'UNAUTHORIZED');
    }
  });

  // PostgreSQL text cannot hold a NUL character: refused here with a clear answer instead of an
  // error from the database.
  app.addHook('preValidation', async (request, reply) => {
    const where = nulCharacterIn({ path: request.params, query: request.query, body: request.body });
    if (where) return sendError(reply, 400, `${where} contains a NUL character (%00), which no Mailroom value can hold; remove it`, 'BAD_REQUEST');
  });

  app.addHook('onResponse', async (request, reply) => {
    // The path without the query string: a raw link's token must not reach the log.
    const path = request.url.split('?', 1)[0];
    const line = { method: request.method, path, status: reply.statusCode, ms: Math.round(reply.elapsedTime) };
    // A 503 from /ready is its answer, not a failure: readiness logs each change of state once.
    if (reply.statusCode >= 500 && path !== '/ready') logger.warn(line, 'api request failed');
    else logger.debug(line, 'api request');
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.validation) return sendError(reply, 400, error.message, 'BAD_REQUEST');
    if (error.statusCode && error.statusCode < 500) return sendError(reply, error.statusCode, error.message, error.code);
    // SQLSTATE class 22 (data exception: out of range, bad date, bad text) comes from a value the
    // request carried that the route's own checks let through: the request is at fault, not the server.
    if (typeof error.code === 'string' && /^22[0-9A-Z]{3}$/.test(error.code)) {
      logger.warn({ err: error, method: request.method, path: request.url.split('?', 1)[0] }, 'api request refused by the database');
      return sendError(reply, 400, 'a value in the request is out of range or malformed; check the ids, dates and cursor you sent', 'BAD_REQUEST');
    }
    logger.error({ err: error, method: request.method, path: request.url.split('?', 1)[0] }, 'api request failed');
    return sendError(reply, 500, `internal error (request ${request.id}); the Mailroom log has the details`);
  });

  const info = { title: 'Mailroom API', version: '1', description: 'Health, metrics, the decision audit log, emails, webhook subscriptions and deliveries.' };
  registerProbeRoutes(app, deps, () => openApiDocument(routes, info));
  registerDecisionRoutes(app, deps);
  registerEmailRoutes(app, deps);
  registerMessageRoutes(app, deps);
  registerCorrectionRoutes(app, deps);
  registerSubscriptionRoutes(app, deps);
  registerDeliveryRoutes(app, deps);
  registerStatsRoutes(app, deps);
  if (ctx.config.api.console.enabled) registerConsole(app, deps);
  return app;
}

/** `path.id`, `query.mailbox`, `body.url`: the first string with a NUL character, or null. */
function nulCharacterIn(value: unknown, where = ''): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? where || 'the request' : null;
  if (value === null || typeof value !== 'object') return null;
  for (const [key, item] of Object.entries(value)) {
    if (key.includes('\u0000')) return `${where ? `${where}.` : ''}a key`;
    const found = nulCharacterIn(item, where ? `${where}.${key}` : key);
    if (found) return found;
  }
  return null;
}

/** `127.0.0.1:8025`, `[::1]:8025`, `0.0.0.0:80`, `:8025` (all interfaces) or `8025` (loopback). */
export function parseListen(listen: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*))?:?(\d{1,5})$/.exec(listen.trim());
  const port = match ? Number(match[3]) : NaN;
  if (!match || !Number.isInteger(port) || port > 65535) {
    throw new ConfigError(`api.listen: expected host:port like 127.0.0.1:8025, got "${listen}"`);
  }
  const explicit = match[1] ?? match[2];
  const host = explicit === undefined ? '127.0.0.1' : explicit === '' ? '0.0.0.0' : explicit;
  return { host, port };
}

export interface RunningApi {
  /** The address actually bound (port 0 in the config picks a free one). */
  url: string;
  /** Stops accepting connections and waits for requests in flight. */
  close(): Promise<void>;
}

/** Builds and starts the API on `api.listen`; for `mailroom run` (when api.enabled). */
export async function startApiServer(ctx: ApiContext): Promise<RunningApi> {
  const { host, port } = parseListen(ctx.config.api.listen);
  const app = createApiServer(ctx);
  try {
    await app.listen({ host, port });
  } catch (error) {
    await app.close().catch(() => {});
    const code = (error as NodeJS.ErrnoException).code;
    const hint = code === 'EADDRINUSE' ? ': the port is in use (another Mailroom?); change api.listen' : code === 'EACCES' ? ': not allowed to bind it (ports below 1024 need privileges)' : '';
    throw new Error(`cannot serve the API on ${ctx.config.api.listen}${hint}: ${(error as Error).message}`, { cause: error });
  }
  const address = app.server.address();
  const bound = typeof address === 'object' && address ? address : { address: host, port };
  const shownHost = bound.address.includes(':') ? `[${bound.address}]` : bound.address;
  if (ctx.config.api.tokens.length === 0) {
    ctx.logger.warn({ listen: ctx.config.api.listen }, 'the API has no tokens (api.tokens): /v1 routes answer 401 until some are configured; /health, /ready and /metrics are open');
  }
  return { url: `http://${shownHost}:${bound.port}`, close: () => app.close() };
}
