import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import './route-config.js';
import { resolveApiDeps, type ApiContext } from './api-context.js';
import { sendError } from './http-error.js';
import { collectRoute, openApiDocument, type CollectedRoute } from './openapi.js';
import { errorSchema } from './schemas.js';
import { registerDecisionRoutes } from './routes/decisions.js';
import { registerDeliveryRoutes } from './routes/deliveries.js';
import { registerEmailRoutes } from './routes/emails.js';
import { registerProbeRoutes } from './routes/probes.js';
import { registerSubscriptionRoutes } from './routes/subscriptions.js';

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
    const auth = options.config?.auth ?? 'bearer';
    const schema = (options.schema ??= {});
    const response = ((schema as { response?: Record<string, unknown> }).response ??= {});
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

  app.addHook('onResponse', async (request, reply) => {
    // The path without the query string: a raw link's token must not reach the log.
    const path = request.url.split('?', 1)[0];
    const line = { method: request.method, path, status: reply.statusCode, ms: Math.round(reply.elapsedTime) };
    if (reply.statusCode >= 500) logger.warn(line, 'api request failed');
    else logger.debug(line, 'api request');
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.validation) return sendError(reply, 400, error.message, 'BAD_REQUEST');
    if (error.statusCode && error.statusCode < 500) return sendError(reply, error.statusCode, error.message, error.code);
    logger.error({ err: error, method: request.method, path: request.url.split('?', 1)[0] }, 'api request failed');
    return sendError(reply, 500, `internal error (request ${request.id}); the Mailroom log has the details`);
  });

  const info = { title: 'Mailroom API', version: '1', description: 'Health, metrics, the decision audit log, emails, webhook subscriptions and deliveries.' };
  registerProbeRoutes(app, deps, () => openApiDocument(routes, info));
  registerDecisionRoutes(app, deps);
  registerEmailRoutes(app, deps);
  registerSubscriptionRoutes(app, deps);
  registerDeliveryRoutes(app, deps);
  return app;
}
