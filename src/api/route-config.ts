import type { RouteAuth } from './auth.js';

// Route options Mailroom reads back: in the auth hook and when generating /openapi.json.
declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: RouteAuth;
    /** One line for the OpenAPI document. */
    summary?: string;
    /** Media type of the 200 answer when it is not JSON. */
    produces?: string;
    tag?: string;
  }
}

export {};
