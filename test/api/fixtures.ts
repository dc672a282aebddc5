/** Shared pieces of the API tests (not a test file). */

import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { createApiServer } from '../../src/api/create-server.js';
import { type Config, configSchema } from '../../src/config/index.js';
import type { Db } from '../../src/db/index.js';
import { createSecretBox } from '../../src/db/secret-box.js';
import { observeDatabase } from '../../src/ops/metrics.js';
import type { ReadinessReport } from '../../src/ops/readiness.js';
import type { Clock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { createMetrics, type Metrics } from '../../src/util/metrics.js';

export const TOKEN = 'test-api-token-0123456789abcdef';
export const OTHER_TOKEN = 'another-api-token-0123456789';
export const SECRET_KEY = 'api-test-webhook-secret-key-0123456789';
export const LINK_SECRET = 'api-test-link-secret-0123456789abcdef';

export function apiConfig(overrides: { api?: Record<string, unknown>; webhooks?: Record<string, unknown> } = {}): Config {
  return configSchema.parse({
    api: { tokens: [TOKEN, OTHER_TOKEN], link_secret: LINK_SECRET, public_url: 'https://mailroom.example.com/', ...overrides.api },
    webhooks: { allow_http: true, allow_private_networks: true, secret_key: SECRET_KEY, timeout: '2s', ...overrides.webhooks },
  });
}

export class ManualClock implements Clock {
  #now: number;
  constructor(start: Date | string) {
    this.#now = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.#now);
  }
  set(date: Date | string): void {
    this.#now = new Date(date).getTime();
  }
  advance(ms: number): void {
    this.#now += ms;
  }
}

export const readyReport: ReadinessReport = {
  ready: true,
  database: { ok: true, error: null },
  mailboxes: [],
  llm: { ok: true, kind: 'rules', checked_at: null, error: null },
};

export interface TestServer {
  app: FastifyInstance;
  metrics: Metrics;
  clock: ManualClock;
  wakes: number;
}

export function testServer(db: Db, options: { config?: Config; readiness?: () => ReadinessReport | Promise<ReadinessReport>; clock?: ManualClock; shadowCandidate?: string } = {}): TestServer {
  const metrics = createMetrics({ defaultMetrics: false });
  const clock = options.clock ?? new ManualClock('2026-11-23T12:00:00Z');
  const config = options.config ?? apiConfig();
  observeDatabase(metrics, db, { clock, ...(options.shadowCandidate ? { shadowCandidate: options.shadowCandidate } : {}) });
  const state: TestServer = { app: null as unknown as FastifyInstance, metrics, clock, wakes: 0 };
  state.app = createApiServer({
    db,
    config,
    logger: silentLogger(),
    clock,
    readiness: options.readiness ?? (() => readyReport),
    metrics,
    secretBox: createSecretBox(SECRET_KEY, 'test'),
    wakeDeliveries: () => void state.wakes++,
  });
  return state;
}

export const auth = (token = TOKEN) => ({ authorization: `Bearer ${token}` });

export interface SeedEmail {
  id: string;
  mailbox?: string;
  action?: 'ticket' | 'draft' | 'review' | 'ignore' | null;
  decidedAt?: string;
  raw?: Buffer | null;
  subject?: string;
}

let seq = 0;

/** One email with (optionally) a classification and a decision at an exact time (microseconds kept). */
export async function seedEmail(db: Db, e: SeedEmail): Promise<void> {
  const raw = e.raw === undefined ? Buffer.from(`Message-ID: <${e.id}@example.com>\r\nSubject: ${e.subject ?? 'Hello'}\r\n\r\nBody of ${e.id}\r\n`) : e.raw;
  seq++;
  await sql`
    insert into messages (id, thread_id, mailbox, source, message_id, sha256, size_bytes, raw, raw_headers, from_address, from_name, subject, received_at, status)
    values (${e.id}, ${`th_${e.id}`}, ${e.mailbox ?? 'support'}, 'imap', ${`<${e.id}@example.com>`}, ${`sha${seq}${e.id}`}, ${raw?.length ?? 30_000_000},
            ${raw}, ${'Subject: x'}, 'cliente@azienda.com', 'Maria Rossi', ${e.subject ?? 'Hello'}, ${'2026-11-23T09:00:00Z'},
            ${e.action ? 'decided' : 'pending'})`.execute(db);
  if (!e.action) return;
  const output = {
    intent: 'support',
    category: 'account',
    priority: 'high',
    summary: `Summary of ${e.id}`,
    language: 'it',
    flags: { payment: false, legal: false },
    sentiment: 'neutral',
    team: null,
    confidence: 0.88,
  };
  const { rows } = await sql<{ id: string }>`
    insert into classifications (email_id, classifier, model, prompt_version, input_hash, output, confidence, mode, prompt_tokens, completion_tokens, latency_ms)
    values (${e.id}, 'openai', 'gpt-4o-mini', 'p1', ${`h${e.id}`}, ${JSON.stringify(output)}::jsonb, 0.88, 'json_schema', 500, 60, 900)
    returning id`.execute(db);
  await sql`
    insert into decisions (email_id, action, reasons, flags, detector_matches, classification_id, policy_version, created_at)
    values (${e.id}, ${e.action}, ${JSON.stringify([{ code: 'confident_support', text: 'A support request the model is sure about' }])}::jsonb,
            ${JSON.stringify({ payment: false, legal: false, vip: false })}::jsonb, '[]'::jsonb, ${rows[0]!.id}, 'v1',
            ${e.decidedAt ?? '2026-11-23T10:00:00Z'}::timestamptz)`.execute(db);
}

/** A subscription row (secret encrypted with the test key) plus an event and a delivery for an email. */
export async function seedDelivery(
  db: Db,
  d: {
    id: string;
    emailId: string;
    subscriptionId?: string;
    status: 'pending' | 'delivered' | 'failed';
    nextAttemptAt?: string;
    enabled?: boolean;
    url?: string;
  },
): Promise<void> {
  const subscriptionId = d.subscriptionId ?? 'sub_TEST';
  const box = createSecretBox(SECRET_KEY, 'test');
  await sql`
    insert into webhook_subscriptions (id, url, enabled, secret_encrypted)
    values (${subscriptionId}, ${d.url ?? 'http://127.0.0.1:9/hook'}, ${d.enabled ?? true}, ${box.encrypt('whsec_dGVzdHRlc3R0ZXN0dGVzdHRlc3R0ZXN0', subscriptionId)})
    on conflict (id) do nothing`.execute(db);
  const eventId = `msg_${d.emailId.slice(3)}`;
  await sql`
    insert into webhook_events (id, type, email_id, body) values (${eventId}, 'ticket.suggested', ${d.emailId}, '{"type":"ticket.suggested"}')
    on conflict (id) do nothing`.execute(db);
  await sql`
    insert into webhook_deliveries (id, event_id, subscription_id, status, attempts, next_attempt_at, last_status_code, last_error)
    values (${d.id}, ${eventId}, ${subscriptionId}, ${d.status}, ${d.status === 'pending' ? 0 : 8}, ${d.nextAttemptAt ?? '2026-11-23T10:00:00Z'},
            ${d.status === 'failed' ? 500 : null}, ${d.status === 'failed' ? 'HTTP 500' : null})`.execute(db);
  if (d.status !== 'pending') {
    await sql`
      insert into webhook_attempts (delivery_id, attempt, worker, started_at, status_code, latency_ms, error)
      values (${d.id}, 1, 'test-worker', '2026-11-23T10:00:01Z', ${d.status === 'failed' ? 500 : 200}, 12, ${d.status === 'failed' ? 'HTTP 500' : null})`.execute(db);
  }
}
