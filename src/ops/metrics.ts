import { performance } from 'node:perf_hooks';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Db } from '../db/database.js';
import { systemClock, type Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { messageStatusCounts } from './sql/message-status-counts.js';
import { outboxSnapshot, type OutboxRow } from './sql/outbox-snapshot.js';

/**
 * What Mailroom exposes on /metrics. Counters and the histogram are bumped by the stages as things
 * happen (per process); the outbox and backlog gauges are read from the database at scrape time,
 * so every process of a shared database reports the same, true numbers.
 *
 * Each registry is its own `Registry`, never prom-client's global one: a second registry (a test,
 * a second server in one process) then cannot fail with "metric already registered".
 */
export interface MetricsRegistry {
  readonly registry: Registry;
  /** Messages stored by ingestion (IMAP or files), per mailbox. */
  readonly messagesIngested: Counter<'mailbox'>;
  /** Decisions recorded, per action (ticket, draft, review, ignore). */
  readonly decisions: Counter<'action'>;
  /** Time from request to validated classification, seconds; outcome ok | failed | unavailable. */
  readonly classifierLatency: Histogram<'classifier' | 'outcome'>;
  /** Model tokens spent, kind prompt | completion. */
  readonly classifierTokens: Counter<'model' | 'kind'>;
  /** Retries by stage: classifier (model call), pipeline (message released for later), delivery, ingest. */
  readonly retries: Counter<'stage'>;
  /** Webhook attempts per subscription and result: delivered | retry | failed (dead letter). */
  readonly deliveryAttempts: Counter<'subscription_id' | 'result'>;
  /** IMAP connections re-established after a drop, per mailbox. */
  readonly imapReconnects: Counter<'mailbox'>;
  /** Reads the database-backed gauges from `db` at scrape time (call once, when the database is open). */
  observeDatabase(db: Db, options?: { clock?: Clock; logger?: Logger }): void;
  /** The exposition text, for /metrics. */
  render(): Promise<string>;
  readonly contentType: string;
}

const SNAPSHOT_REUSE_MS = 1000;
const LATENCY_BUCKETS_SECONDS = [0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120];

export function createMetrics(options: { defaultMetrics?: boolean } = {}): MetricsRegistry {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const messagesIngested = new Counter({ name: 'mailroom_messages_ingested_total', help: 'Messages stored by ingestion, per mailbox.', labelNames: ['mailbox'] as const, registers });
  const decisions = new Counter({ name: 'mailroom_decisions_total', help: 'Decisions recorded, per action.', labelNames: ['action'] as const, registers });
  const classifierLatency = new Histogram({
    name: 'mailroom_classifier_latency_seconds',
    help: 'Time to a classification (including retries), per classifier and outcome.',
    labelNames: ['classifier', 'outcome'] as const,
    buckets: LATENCY_BUCKETS_SECONDS,
    registers,
  });
  const classifierTokens = new Counter({ name: 'mailroom_classifier_tokens_total', help: 'Model tokens spent, per model and kind (prompt, completion).', labelNames: ['model', 'kind'] as const, registers });
  const retries = new Counter({ name: 'mailroom_retries_total', help: 'Retries, per stage (classifier, pipeline, delivery, ingest).', labelNames: ['stage'] as const, registers });
  const deliveryAttempts = new Counter({ name: 'mailroom_webhook_attempts_total', help: 'Webhook attempts, per subscription and result (delivered, retry, failed).', labelNames: ['subscription_id', 'result'] as const, registers });
  const imapReconnects = new Counter({ name: 'mailroom_imap_reconnects_total', help: 'IMAP sessions that failed or dropped and are being reconnected, per mailbox.', labelNames: ['mailbox'] as const, registers });

  // Scrape-time gauges. prom-client calls every collect() of a scrape concurrently, so they share
  // one snapshot per scrape instead of each running the queries again. `render` starts a fresh one;
  // a direct registry.metrics() call reuses a snapshot for at most a second.
  let source: { db: Db; clock: Clock; logger?: Logger } | null = null;
  let snapshot: { promise: Promise<DatabaseSnapshot | null>; at: number } | null = null;
  const readSnapshot = (): Promise<DatabaseSnapshot | null> => {
    if (!source) return Promise.resolve(null);
    if (!snapshot || performance.now() - snapshot.at > SNAPSHOT_REUSE_MS) snapshot = { promise: loadSnapshot(source), at: performance.now() };
    return snapshot.promise;
  };

  const databaseUp = new Gauge({
    name: 'mailroom_metrics_database_up',
    help: '1 when the database-backed gauges could be read at this scrape, 0 when not.',
    registers,
    async collect() {
      if (!source) return this.set(0);
      this.set((await readSnapshot()) ? 1 : 0);
    },
  });
  void databaseUp;
  new Gauge({
    name: 'mailroom_outbox_depth',
    help: 'Webhook deliveries waiting to be sent (pending, due or scheduled for a retry).',
    registers,
    async collect() {
      const snap = await readSnapshot();
      if (snap) this.set(snap.outboxDepth);
    },
  });
  new Gauge({
    name: 'mailroom_outbox_oldest_due_age_seconds',
    help: 'How long the most overdue pending delivery has been due; 0 when nothing is overdue.',
    registers,
    async collect() {
      const snap = await readSnapshot();
      if (snap) this.set(snap.oldestDueAgeSeconds);
    },
  });
  new Gauge({
    name: 'mailroom_webhook_deliveries',
    help: 'Webhook deliveries in the database, per subscription and status (pending, delivered, failed).',
    labelNames: ['subscription_id', 'status'] as const,
    registers,
    async collect() {
      const snap = await readSnapshot();
      if (!snap) return;
      this.reset();
      for (const row of snap.deliveries) this.set({ subscription_id: row.subscription_id, status: row.status }, row.count);
    },
  });
  new Gauge({
    name: 'mailroom_messages',
    help: 'Stored messages per status; pending is the backlog waiting for classification and a decision.',
    labelNames: ['status'] as const,
    registers,
    async collect() {
      const snap = await readSnapshot();
      if (!snap) return;
      this.reset();
      for (const status of ['pending', 'decided', 'failed'] as const) this.set({ status }, snap.messages[status] ?? 0);
    },
  });

  return {
    registry,
    messagesIngested,
    decisions,
    classifierLatency,
    classifierTokens,
    retries,
    deliveryAttempts,
    imapReconnects,
    observeDatabase(db, opts = {}) {
      source = { db, clock: opts.clock ?? systemClock, ...(opts.logger ? { logger: opts.logger } : {}) };
    },
    render() {
      snapshot = null;
      return registry.metrics();
    },
    contentType: registry.contentType,
  };
}

interface DatabaseSnapshot {
  outboxDepth: number;
  oldestDueAgeSeconds: number;
  deliveries: OutboxRow[];
  messages: Partial<Record<'pending' | 'decided' | 'failed', number>>;
}

async function loadSnapshot(source: { db: Db; clock: Clock; logger?: Logger }): Promise<DatabaseSnapshot | null> {
  const now = source.clock.now();
  try {
    const [deliveries, messages] = await Promise.all([outboxSnapshot(source.db, now), messageStatusCounts(source.db)]);
    let depth = 0;
    let oldest: number | null = null;
    for (const row of deliveries) {
      if (row.status !== 'pending') continue;
      depth += row.count;
      if (row.oldest_due !== null) {
        const due = new Date(row.oldest_due).getTime();
        oldest = oldest === null ? due : Math.min(oldest, due);
      }
    }
    return {
      outboxDepth: depth,
      oldestDueAgeSeconds: oldest === null ? 0 : Math.max(0, (now.getTime() - oldest) / 1000),
      deliveries,
      messages: Object.fromEntries(messages.map((m) => [m.status, m.count])),
    };
  } catch (error) {
    source.logger?.warn({ err: error }, 'metrics: could not read the outbox and backlog from the database; those gauges are missing from this scrape');
    return null;
  }
}

/** Records one classification: latency, tokens, outcome. For the pipeline to call after each attempt. */
export function recordClassification(
  metrics: MetricsRegistry,
  result: { classifier: string; model?: string | null; latencyMs: number; outcome: 'ok' | 'failed' | 'unavailable'; promptTokens?: number | null; completionTokens?: number | null },
): void {
  metrics.classifierLatency.observe({ classifier: result.classifier, outcome: result.outcome }, result.latencyMs / 1000);
  const model = result.model ?? 'unknown';
  if (result.promptTokens) metrics.classifierTokens.inc({ model, kind: 'prompt' }, result.promptTokens);
  if (result.completionTokens) metrics.classifierTokens.inc({ model, kind: 'completion' }, result.completionTokens);
}

let processMetrics: MetricsRegistry | null = null;

/**
 * The process-wide registry the stages bump when they are not handed one. Made on first use, so
 * importing this module (once or several times) registers nothing anywhere.
 */
export function defaultMetrics(): MetricsRegistry {
  processMetrics ??= createMetrics();
  return processMetrics;
}
