import { createHash, timingSafeEqual } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { FastifyReply } from 'fastify';
import type { Config } from '../config/index.js';
import type { Db } from '../db/index.js';
import type { ReadinessReport } from '../ops/index.js';
import { type Clock, systemClock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { Metrics } from '../util/metrics.js';
import { type ResolveHost, type SecretBox, secretBoxFromConfig, type UrlPolicy } from '../webhooks/index.js';

/** What the HTTP API is built from; everything after `metrics` is optional and injectable for tests. */
export interface ApiContext {
  db: Db;
  config: Config;
  logger: Logger;
  clock?: Clock;
  /** `createReadiness(...)` from src/ops/readiness.ts, wired by `mailroom run`. */
  readiness: () => Promise<ReadinessReport> | ReadinessReport;
  metrics: Metrics;
  /** Encrypts subscription secrets; the box from `webhooks.secret_key` or the key file when omitted. */
  secretBox?: SecretBox;
  /** DNS for the SSRF guard (tests answer without touching /etc/hosts). */
  resolveHost?: ResolveHost;
  /** Called after a delivery was put back in the outbox, so the worker sends it now (deliveryWorker.wake). */
  wakeDeliveries?: () => void;
  /** Key file for raw-link signing when neither api.link_secret nor webhooks.secret_key is set. */
  keyFile?: string;
}

/** The context with defaults applied, as route modules see it. */
export interface ApiDeps {
  db: Db;
  config: Config;
  logger: Logger;
  clock: Clock;
  readiness: ApiContext['readiness'];
  metrics: Metrics;
  tokens: ReturnType<typeof createTokenCheck>;
  secretBox(): SecretBox;
  urlPolicy: UrlPolicy;
  wakeDeliveries: () => void;
  keyFile: string | undefined;
}

export function resolveApiDeps(ctx: ApiContext): ApiDeps {
  let box = ctx.secretBox ?? null;
  return {
    db: ctx.db,
    config: ctx.config,
    logger: ctx.logger,
    clock: ctx.clock ?? systemClock,
    readiness: ctx.readiness,
    metrics: ctx.metrics,
    tokens: createTokenCheck(ctx.config.api.tokens),
    // Made on first use: reading (or creating) the key file is not needed to serve decisions.
    secretBox: () => (box ??= secretBoxFromConfig(ctx.config)),
    urlPolicy: {
      allowHttp: ctx.config.webhooks.allow_http,
      allowPrivateNetworks: ctx.config.webhooks.allow_private_networks,
      ...(ctx.resolveHost ? { resolveHost: ctx.resolveHost } : {}),
    },
    wakeDeliveries: ctx.wakeDeliveries ?? (() => {}),
    keyFile: ctx.keyFile,
  };
}

/**
 * Bearer tokens from `api.tokens`. Each candidate is hashed first, so the comparison is between
 * two 32-byte digests: timingSafeEqual needs equal lengths, and comparing digests keeps a token's
 * length from showing in the timing. Every configured token is compared, match or not.
 */
export function createTokenCheck(tokens: readonly { name: string; token: string }[]): {
  configured: boolean;
  check(header: string | undefined): boolean;
  /** The name of the token the header carries (who made a correction), or null when it is none of them. */
  nameOf(header: string | undefined): string | null;
} {
  const digests = tokens.map(({ name, token }) => ({ name, digest: createHash('sha256').update(token, 'utf8').digest() }));
  const nameOf = (header: string | undefined): string | null => {
    const token = bearerToken(header);
    if (token === null) return null;
    const given = createHash('sha256').update(token, 'utf8').digest();
    let matched: string | null = null;
    for (const { name, digest } of digests) if (timingSafeEqual(given, digest) && matched === null) matched = name;
    return matched;
  };
  return { configured: digests.length > 0, check: (header) => nameOf(header) !== null, nameOf };
}

function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer[ \t]+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}

/**
 * Who may call a route: `none` (probes, the OpenAPI document), `bearer` (always needs a token;
 * refused outright when none is configured, so a forgotten setting never opens the API),
 * `bearer-if-configured` (/metrics: open on a listener without tokens, closed once tokens exist),
 * `link-or-bearer` (the raw email: a signed link token or a bearer token).
 */
export type RouteAuth = 'none' | 'bearer' | 'bearer-if-configured' | 'link-or-bearer';

// Route options Mailroom reads back: in the auth hook and when generating /openapi.json.
declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: RouteAuth;
    /** One line for the OpenAPI document. */
    summary?: string;
    /** Media type of the 200 answer when it is not JSON. */
    produces?: string;
    tag?: string;
    /** The body may be left out (every field in it is optional). */
    optionalBody?: boolean;
    /** A console page (HTML): signed in by session cookie, reads only through the API; not in /openapi.json. */
    console?: boolean;
  }
}

/** Sends the API's error shape: `{statusCode, error, message}`; `message` says what to do. */
export function sendError(reply: FastifyReply, statusCode: number, message: string, code?: string): FastifyReply {
  return reply.code(statusCode).send({ statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message, ...(code ? { code } : {}) });
}
