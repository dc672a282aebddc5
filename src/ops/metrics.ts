import { sql } from 'kysely';
import { Counter, Gauge, type Registry } from 'prom-client';
import { type CascadeUsage, cascadeUsage } from '../classify/index.js';
import type { Db, DeliveryStatus, MessageStatus } from '../db/index.js';
import { SHADOW_WINDOW, type ShadowUsage, shadowUsage } from '../shadow/index.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { Metrics } from '../util/metrics.js';

/**
 * The gauges /metrics reads from the database at scrape time, so every process of a shared
 * database reports the same, true numbers: outbox depth and age, deliveries per subscription and
 * status, messages per status.
 */
export interface ObserveOptions {
  clock: Clock;
  logger?: Logger;
  /** classifier.local.cascade_confidence: with it, the local model's work beside the AI model is reported too. */
  cascadeConfidence?: number;
  /** classifier.shadow's name: with it, what that candidate has done is reported too. */
  shadowCandidate?: string;
}

export function observeDatabase(metrics: Metrics, db: Db, options: ObserveOptions): void {
  const registers = [metrics.registry];
  // One read per scrape: the collects of a scrape start together and share the read in flight; the
  // next scrape starts a fresh one, so it always sees the database as it is.
  let inFlight: Promise<DatabaseSnapshot | null> | null = null;
  const read = (): Promise<DatabaseSnapshot | null> => {
    inFlight ??= loadSnapshot(db, options).finally(() => (inFlight = null));
    return inFlight;
  };
  const gauge = (name: string, help: string, fill: (gauge: Gauge<string>, snap: DatabaseSnapshot) => void, labelNames: string[] = []) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers,
      async collect() {
        const snap = await read();
        if (snap) fill(this, snap);
      },
    });
  new Gauge({
    name: 'mailroom_metrics_database_up',
    help: '1 when the database-backed gauges could be read at this scrape, 0 when not.',
    registers,
    async collect() {
      this.set((await read()) ? 1 : 0);
    },
  });
  gauge('mailroom_outbox_depth', 'Webhook deliveries waiting to be sent (pending, due or scheduled for a retry).', (g, s) => g.set(s.outboxDepth));
  gauge('mailroom_outbox_oldest_due_age_seconds', 'How long the most overdue pending delivery has been due; 0 when nothing is overdue.', (g, s) => g.set(s.oldestDueAgeSeconds));
  gauge(
    'mailroom_webhook_deliveries',
    'Webhook deliveries in the database, per subscription and status (pending, delivered, failed).',
    (g, s) => {
      g.reset();
      for (const row of s.deliveries) g.set({ subscription_id: row.subscription_id, status: row.status }, row.count);
    },
    ['subscription_id', 'status'],
  );
  gauge(
    'mailroom_messages',
    'Stored messages per status; pending is the backlog waiting for classification and a decision.',
    (g, s) => {
      g.reset();
      for (const status of ['pending', 'decided', 'failed'] as const) g.set({ status }, s.messages[status] ?? 0);
    },
    ['status'],
  );
  new Counter({
    name: 'mailroom_corrections_total',
    help: "People's corrections of decisions, by the action that stood before (from) and the one they said (to).",
    labelNames: ['from', 'to'],
    registers,
    async collect() {
      const snap = await read();
      if (!snap) return;
      // Read from the database, so every process reports the same totals; corrections are never deleted.
      this.reset();
      for (const row of snap.corrections) this.inc({ from: row.from_action, to: row.to_action }, row.count);
    },
  });
  if (options.shadowCandidate !== undefined) observeShadow(registers, read, options.shadowCandidate);
  if (options.cascadeConfidence === undefined) return;
  const cascade = (name: string, help: string, value: (c: CascadeUsage) => number) => gauge(name, help, (g, s) => (s.cascade ? g.set(value(s.cascade)) : undefined));
  cascade('mailroom_local_decided', 'Emails the local model answered on its own in the cascade, with no AI model call.', (c) => c.decidedLocally);
  cascade('mailroom_model_calls', 'Emails the AI model answered (cache hits not counted).', (c) => c.modelCalls);
  cascade('mailroom_local_decided_share', 'Share of classified emails the local model answered on its own (0 to 1).', (c) => {
    const total = c.decidedLocally + c.modelCalls;
    return total === 0 ? 0 : c.decidedLocally / total;
  });
  cascade('mailroom_local_tokens_saved', 'Model tokens the local answers saved: their count times the mean tokens of a model call.', (c) => c.tokensSavedEstimate);
  cascade('mailroom_local_agreement_ratio', 'Running agreement of the local model with the AI model on the emails it was confident about (last 500); 0 until measured.', (c) =>
    c.agreement.compared === 0 ? 0 : c.agreement.agreeing / c.agreement.compared,
  );
  cascade('mailroom_local_agreement_compared', 'Confident local answers the agreement is measured over (at most 500).', (c) => c.agreement.compared);
}

/**
 * The shadow candidate, from shadow_results like every figure here, so each process of a shared
 * database reports the same: totals since the first shadowed email, agreement and latency over the
 * last SHADOW_WINDOW classified results. Labelled by candidate, so a replaced candidate's series
 * end and the new one's start.
 */
function observeShadow(registers: Registry[], read: () => Promise<DatabaseSnapshot | null>, candidate: string): void {
  // Each scrape resets and refills from the database: a reading, not a tally of this process's events.
  const refill = async <M extends Counter<string> | Gauge<string>>(metric: M, fill: (m: M, s: ShadowUsage) => void) => {
    const shadow = (await read())?.shadow;
    if (!shadow) return;
    metric.reset();
    fill(metric, shadow);
  };
  const labelNames = (more: string[]) => ['candidate', ...more];
  const counter = (name: string, help: string, more: string[], fill: (m: Counter<string>, s: ShadowUsage) => void) =>
    new Counter({
      name,
      help,
      labelNames: labelNames(more),
      registers,
      async collect() {
        await refill(this, fill);
      },
    });
  const gauge = (name: string, help: string, more: string[], fill: (m: Gauge<string>, s: ShadowUsage) => void) =>
    new Gauge({
      name,
      help,
      labelNames: labelNames(more),
      registers,
      async collect() {
        await refill(this, fill);
      },
    });
  const c = { candidate };
  counter('mailroom_shadow_classified_total', 'Emails the shadow candidate classified (its answer valid or not).', [], (m, s) => m.inc(c, s.classified));
  counter(
    'mailroom_shadow_errors_total',
    'Shadow classifications without a usable answer: unreachable (given up after the retries) or invalid (answered, not valid; stored as review).',
    ['kind'],
    (m, s) => {
      m.inc({ ...c, kind: 'unreachable' }, s.unreachable);
      m.inc({ ...c, kind: 'invalid' }, s.invalid);
    },
  );
  counter('mailroom_shadow_flips_total', "Emails the candidate would have given another action: the live action (from) and the candidate's (to).", ['from', 'to'], (m, s) => {
    for (const flip of s.flips) m.inc({ ...c, from: flip.from, to: flip.to }, flip.count);
  });
  gauge('mailroom_shadow_pending', 'Shadow classifications waiting for the candidate (due, in flight or backing off).', [], (m, s) => m.set(c, s.pending));
  gauge(
    'mailroom_shadow_agreement_ratio',
    `Share of the last ${SHADOW_WINDOW} classified emails where the candidate chose the same action (on="action") or intent (on="intent", among emails both gave one) as the live decision; 0 until measured.`,
    ['on'],
    (m, s) => {
      const { compared, sameAction, intents, sameIntent } = s.recent;
      m.set({ ...c, on: 'action' }, compared === 0 ? 0 : sameAction / compared);
      m.set({ ...c, on: 'intent' }, intents === 0 ? 0 : sameIntent / intents);
    },
  );
  gauge('mailroom_shadow_agreement_compared', 'Emails the shadow agreement ratio is measured over (at most the window).', ['on'], (m, s) => {
    m.set({ ...c, on: 'action' }, s.recent.compared);
    m.set({ ...c, on: 'intent' }, s.recent.intents);
  });
  gauge('mailroom_shadow_latency_seconds', `The candidate's model call over the last ${SHADOW_WINDOW} classified emails, by quantile (0.5, 0.95); absent until measured.`, ['quantile'], (m, s) => {
    if (s.recent.latencyP50Ms !== null) m.set({ ...c, quantile: '0.5' }, s.recent.latencyP50Ms / 1000);
    if (s.recent.latencyP95Ms !== null) m.set({ ...c, quantile: '0.95' }, s.recent.latencyP95Ms / 1000);
  });
}

interface OutboxRow {
  subscription_id: string;
  status: DeliveryStatus;
  count: number;
  /** Earliest next_attempt_at among this group's pending rows that are already due; null when none is. */
  oldest_due: Date | null;
}

interface DatabaseSnapshot {
  outboxDepth: number;
  oldestDueAgeSeconds: number;
  deliveries: OutboxRow[];
  messages: Partial<Record<MessageStatus, number>>;
  cascade: CascadeUsage | null;
  corrections: Array<{ from_action: string; to_action: string; count: number }>;
  shadow: ShadowUsage | null;
}

async function loadSnapshot(db: Db, options: ObserveOptions): Promise<DatabaseSnapshot | null> {
  const now = options.clock.now();
  try {
    // The pending part uses webhook_deliveries_due_idx; the delivered/failed counts scan the table,
    // which is fine at scrape intervals for the volumes a mailbox produces.
    const [deliveries, messages, cascade, corrections, shadow] = await Promise.all([
      sql<OutboxRow>`
        select subscription_id, status, count(*)::int as count,
               min(next_attempt_at) filter (where status = 'pending' and next_attempt_at <= ${now}) as oldest_due
        from webhook_deliveries group by subscription_id, status`.execute(db),
      sql<{ status: MessageStatus; count: number }>`select status, count(*)::int as count from messages group by status`.execute(db),
      options.cascadeConfidence === undefined ? null : cascadeUsage(db, options.cascadeConfidence),
      sql<{ from_action: string; to_action: string; count: number }>`select from_action, to_action, count(*)::int as count from corrections group by from_action, to_action`.execute(db),
      options.shadowCandidate === undefined ? null : shadowUsage(db, options.shadowCandidate),
    ]);
    let depth = 0;
    let oldest: number | null = null;
    for (const row of deliveries.rows) {
      if (row.status !== 'pending') continue;
      depth += row.count;
      if (row.oldest_due !== null) oldest = Math.min(oldest ?? Number.POSITIVE_INFINITY, new Date(row.oldest_due).getTime());
    }
    return {
      outboxDepth: depth,
      oldestDueAgeSeconds: oldest === null ? 0 : Math.max(0, (now.getTime() - oldest) / 1000),
      deliveries: deliveries.rows,
      messages: Object.fromEntries(messages.rows.map((m) => [m.status, m.count])),
      cascade,
      corrections: corrections.rows,
      shadow,
    };
  } catch (error) {
    options.logger?.warn({ err: error }, 'metrics: could not read the outbox and backlog from the database; those gauges are missing from this scrape');
    return null;
  }
}
