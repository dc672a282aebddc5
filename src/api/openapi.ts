import { STATUS_CODES } from 'node:http';
import type { FastifySchema, RouteOptions } from 'fastify';
import { webhooksOpenApi } from '../webhooks/index.js';
import type { RouteAuth } from './api-context.js';

/** A route as the onRoute hook saw it; enough to describe it. */
export interface CollectedRoute {
  method: string;
  url: string;
  schema: FastifySchema | undefined;
  auth: RouteAuth;
  summary: string | undefined;
  produces: string | undefined;
  tag: string | undefined;
  optionalBody: boolean;
}

export function collectRoute(options: RouteOptions): CollectedRoute[] {
  const methods = (Array.isArray(options.method) ? options.method : [options.method]).filter((m) => m !== 'HEAD');
  return methods.map((method) => ({
    method: method.toLowerCase(),
    url: options.url,
    schema: options.schema,
    auth: options.config?.auth ?? 'bearer',
    summary: options.config?.summary,
    produces: options.config?.produces,
    tag: options.config?.tag,
    optionalBody: options.config?.optionalBody === true,
  }));
}

type JsonSchema = Record<string, unknown> & { properties?: Record<string, Record<string, unknown>>; required?: string[]; description?: string };

/** `/v1/emails/:id/raw` → `/v1/emails/{id}/raw` */
function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function parameters(schema: unknown, location: 'path' | 'query'): object[] {
  const s = schema as JsonSchema | undefined;
  if (!s?.properties) return [];
  return Object.entries(s.properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: location,
      required: location === 'path' || (s.required ?? []).includes(name),
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

/**
 * The OpenAPI 3.1 document for the routes registered so far, built from the same JSON Schemas
 * fastify validates and serializes with (3.1 accepts them as they are, `type: [.., "null"]` included).
 */
export function openApiDocument(routes: readonly CollectedRoute[], info: { title: string; version: string; description?: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const schema = (route.schema ?? {}) as Record<string, unknown>;
    const responses: Record<string, unknown> = {};
    for (const [code, response] of Object.entries((schema.response ?? {}) as Record<string, JsonSchema>)) {
      const description = response.description ?? STATUS_CODES[Number(code)] ?? code;
      if (code === '204') {
        responses[code] = { description };
        continue;
      }
      const mediaType = code === '200' || code === '201' || code === '202' ? (route.produces ?? 'application/json') : 'application/json';
      responses[code] = { description, content: { [mediaType]: { schema: response } } };
    }
    const operation: Record<string, unknown> = {
      operationId: `${route.method}${route.url.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      ...(route.summary ? { summary: route.summary } : {}),
      ...(route.tag ? { tags: [route.tag] } : {}),
      parameters: [...parameters(schema.params, 'path'), ...parameters(schema.querystring, 'query')],
      responses,
    };
    if (schema.body) operation.requestBody = { required: !route.optionalBody, content: { 'application/json': { schema: schema.body } } };
    if (route.auth === 'none') operation.security = [];
    else if (route.auth === 'link-or-bearer') operation.security = [{ bearerAuth: [] }, { linkToken: [] }];
    else operation.security = [{ bearerAuth: [] }];
    const path = openApiPath(route.url);
    paths[path] = { ...paths[path], [route.method]: operation };
  }
  return {
    openapi: '3.1.0',
    info,
    paths,
    webhooks: webhooksOpenApi(),
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'One of api.tokens.' },
        linkToken: { type: 'apiKey', in: 'query', name: 'token', description: 'The signed token of a raw_email_url.' },
      },
    },
    security: [{ bearerAuth: [] }],
  };
}
