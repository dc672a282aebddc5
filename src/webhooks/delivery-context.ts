import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Config } from '../config/schema.js';
import type { Db } from '../db/database.js';
import { systemClock, type Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { createWebhookAgents, type WebhookAgents } from './post-webhook.js';
import { secretBoxFromConfig, type SecretBox } from './secret-box.js';
import type { ResolveHost, UrlPolicy } from './ssrf-guard.js';

/** What delivery needs; everything after `logger` is injectable for tests. */
export interface DeliveryContext {
  db: Db;
  config: Config;
  logger: Logger;
  clock?: Clock;
  /** Host name resolution for the SSRF guard (tests inject one instead of touching /etc/hosts). */
  resolveHost?: ResolveHost;
  /** Defaults to the box from `webhooks.secret_key` or the key file. */
  secretBox?: SecretBox;
  /** Jitter source, 0..1. */
  random?: () => number;
  /** Names this process in locks and the attempt log. */
  workerId?: string;
  /** A claim older than this is presumed dead (crashed process) and claimed again. */
  leaseMs?: number;
  /** In-flight deliveries per healthy subscription (a failing one gets one). */
  perSubscription?: number;
}

export interface ResolvedDeliveryContext {
  db: Db;
  logger: Logger;
  clock: Clock;
  secretBox: SecretBox;
  random: () => number;
  workerId: string;
  leaseMs: number;
  perSubscription: number;
  concurrency: number;
  pollIntervalMs: number;
  timeoutMs: number;
  schedule: readonly number[];
  disableAfterMs: number;
  urlPolicy: UrlPolicy;
  agents: WebhookAgents;
}

/** Long enough that a live process always records before anyone else may reclaim its row. */
const MIN_LEASE_MS = 5 * 60 * 1000;

export function newWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

export function resolveDeliveryContext(ctx: DeliveryContext): ResolvedDeliveryContext {
  const w = ctx.config.webhooks;
  return {
    db: ctx.db,
    logger: ctx.logger,
    clock: ctx.clock ?? systemClock,
    secretBox: ctx.secretBox ?? secretBoxFromConfig(ctx.config),
    random: ctx.random ?? Math.random,
    workerId: ctx.workerId ?? newWorkerId(),
    leaseMs: ctx.leaseMs ?? Math.max(MIN_LEASE_MS, 3 * w.timeout),
    // Half the pool per healthy receiver: two busy receivers share fairly, and one slow-but-alive
    // receiver can never hold every slot.
    perSubscription: ctx.perSubscription ?? Math.max(1, Math.floor(w.concurrency / 2)),
    concurrency: w.concurrency,
    pollIntervalMs: w.poll_interval,
    timeoutMs: w.timeout,
    schedule: w.schedule,
    disableAfterMs: w.disable_after,
    urlPolicy: { allowHttp: w.allow_http, allowPrivateNetworks: w.allow_private_networks, ...(ctx.resolveHost ? { resolveHost: ctx.resolveHost } : {}) },
    agents: createWebhookAgents(),
  };
}
