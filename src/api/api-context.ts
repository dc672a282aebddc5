import type { Config } from '../config/schema.js';
import type { Db } from '../db/database.js';
import type { MetricsRegistry } from '../ops/metrics.js';
import type { ReadinessReport } from '../ops/readiness.js';
import { systemClock, type Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { secretBoxFromConfig, type SecretBox } from '../webhooks/secret-box.js';
import type { ResolveHost, UrlPolicy } from '../webhooks/ssrf-guard.js';
import { createTokenCheck } from './auth.js';

/** What the HTTP API is built from; everything after `metrics` is optional and injectable for tests. */
export interface ApiContext {
  db: Db;
  config: Config;
  logger: Logger;
  clock?: Clock;
  /** `createReadiness(...)` from src/ops/readiness.ts, wired by `mailroom run`. */
  readiness: () => Promise<ReadinessReport> | ReadinessReport;
  metrics: MetricsRegistry;
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
  metrics: MetricsRegistry;
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
