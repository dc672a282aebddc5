import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/**
 * The counters every stage bumps as things happen (per process). One is made per process by the
 * composition root (`mailroom run`) and handed to the stages in their contexts; the HTTP API
 * renders it on /metrics, with the database-backed gauges ops/metrics.ts adds at scrape time.
 * Each is its own Registry, never prom-client's global one, so a test or a second server in one
 * process never fails with "metric already registered".
 */
export interface Metrics {
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
  /** The exposition text, for /metrics. */
  render(): Promise<string>;
  readonly contentType: string;
}

const LATENCY_BUCKETS_SECONDS = [0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120];

/** `defaultMetrics: false` leaves out prom-client's process metrics (CPU, memory, event loop). */
export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    messagesIngested: new Counter({
      name: 'mailroom_messages_ingested_total',
      help: 'Messages stored by ingestion, per mailbox.',
      labelNames: ['mailbox'] as const,
      registers,
    }),
    decisions: new Counter({ name: 'mailroom_decisions_total', help: 'Decisions recorded, per action.', labelNames: ['action'] as const, registers }),
    classifierLatency: new Histogram({
      name: 'mailroom_classifier_latency_seconds',
      help: 'Time to a classification (including retries), per classifier and outcome.',
      labelNames: ['classifier', 'outcome'] as const,
      buckets: LATENCY_BUCKETS_SECONDS,
      registers,
    }),
    classifierTokens: new Counter({
      name: 'mailroom_classifier_tokens_total',
      help: 'Model tokens spent, per model and kind (prompt, completion).',
      labelNames: ['model', 'kind'] as const,
      registers,
    }),
    retries: new Counter({
      name: 'mailroom_retries_total',
      help: 'Retries, per stage (classifier, pipeline, delivery, ingest).',
      labelNames: ['stage'] as const,
      registers,
    }),
    deliveryAttempts: new Counter({
      name: 'mailroom_webhook_attempts_total',
      help: 'Webhook attempts, per subscription and result (delivered, retry, failed).',
      labelNames: ['subscription_id', 'result'] as const,
      registers,
    }),
    imapReconnects: new Counter({
      name: 'mailroom_imap_reconnects_total',
      help: 'IMAP sessions that failed or dropped and are being reconnected, per mailbox.',
      labelNames: ['mailbox'] as const,
      registers,
    }),
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}

/** Records one classification: latency, tokens, outcome. */
export function recordClassification(
  metrics: Metrics,
  result: {
    classifier: string;
    model?: string | null;
    latencyMs: number;
    outcome: 'ok' | 'failed' | 'unavailable';
    promptTokens?: number | null;
    completionTokens?: number | null;
  },
): void {
  metrics.classifierLatency.observe({ classifier: result.classifier, outcome: result.outcome }, result.latencyMs / 1000);
  const model = result.model ?? 'unknown';
  if (result.promptTokens) metrics.classifierTokens.inc({ model, kind: 'prompt' }, result.promptTokens);
  if (result.completionTokens) metrics.classifierTokens.inc({ model, kind: 'completion' }, result.completionTokens);
}
