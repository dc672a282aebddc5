import type { FastifyError, FastifyInstance } from 'fastify';
import type { ApiDeps } from '../api-context.js';
import { createConsole } from './console-app.js';
import { registerDecisionPages } from './decision-pages.js';
import { registerDeliveryPages } from './delivery-pages.js';
import { html } from './html.js';
import { registerOverviewPage } from './overview-page.js';
import { registerSubscriptionPages } from './subscription-pages.js';

export { ASSETS } from './assets.js';

/**
 * The web console at `/`, on the API's own listener: sign-in with an API token, then pages that
 * read and change everything through the API's routes (called in-process with the session's
 * token), so the console can do nothing the token could not do with curl.
 */
export function registerConsole(root: FastifyInstance, deps: ApiDeps): void {
  const { console: options } = deps.config.api;
  root.register((app, _options, done) => {
    const { ctx, router } = createConsole(root, app, deps, { sessionTtlMs: options.session_ttl, idleTimeoutMs: options.idle_timeout });
    registerOverviewPage(router, ctx);
    registerDecisionPages(router, ctx);
    registerDeliveryPages(router, ctx);
    registerSubscriptionPages(router, ctx);
    app.setErrorHandler((error: FastifyError, request, reply) => {
      if (error.statusCode && error.statusCode < 500) return ctx.page(reply, null, { title: 'Bad request', status: error.statusCode, body: html`<h1>Bad request</h1><p>${error.message}</p>` });
      deps.logger.error({ err: error, method: request.method, path: request.url.split('?', 1)[0] }, 'console page failed');
      return ctx.page(reply, null, {
        title: 'Error',
        status: 500,
        body: html`<h1>Something went wrong</h1><p>The page could not be shown (request ${request.id}); the Mailroom log has the details.</p><p><a href="/">Overview</a></p>`,
      });
    });
    done();
  });
}
