/**
 * Figure 3: APPEND → decision and APPEND → webhook received, one message at a time into an idle
 * `mailroom run` (a real process). Each message is a support request the fake model tickets, so
 * each one ends at the receiver. Decision times come from the process's "decided" log line
 * (pino's timestamp), webhook times from the receiver in this process: one clock, this host's.
 */

import { sleep, waitUntil, withTimeout } from '../support/append.js';
import type { DecidedLine } from '../support/mailroom-process.js';
import { createScenario, type DatabaseKind } from '../support/scenario.js';
import { percentile } from '../support/stats.js';

export interface LatencyOptions {
  database: DatabaseKind;
  count: number;
  latencyMs: number;
  /**
   * push: IDLE announces each message (Dovecot as usual). poll: a server whose IDLE announces
   * nothing (Dovecot without inotify, like Courier without enhanced IDLE), with NOOP polling forced
   * on from the start (ingest.lazy_idle: always, ingest.idle_poll 10 s, the default).
   */
  idle?: 'push' | 'poll';
}

export interface LatencyResult {
  database: DatabaseKind;
  idle: 'push' | 'poll';
  messages: number;
  modelLatencyMs: number;
  toDecisionMs: { p50: number; p95: number; p99: number; max: number };
  toWebhookMs: { p50: number; p95: number; p99: number; max: number };
}

function supportRequest(i: number, runTag: string): { raw: string; messageId: string } {
  const messageId = `<latency.${i}.${runTag}@bench.mailroom>`;
  const raw = [
    `From: Customer ${i} <customer${i}@example.org>`,
    'To: support@example.com',
    `Subject: Login error ${i} since this morning`,
    `Message-ID: ${messageId}`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Hello, since this morning the login shows error ${i} after I enter my password.`,
    'I tried two browsers. Can you help?',
    '',
    'Thanks, a customer',
    '',
  ].join('\r\n');
  return { raw, messageId };
}

const summary = (values: number[]) => ({ p50: percentile(values, 50), p95: percentile(values, 95), p99: percentile(values, 99), max: Math.max(...values) });

export async function runAppendLatency(options: LatencyOptions): Promise<LatencyResult> {
  const idle = options.idle ?? 'push';
  const scenario = await createScenario({
    database: options.database,
    ...(idle === 'poll' ? { dovecot: { lazyIdle: true } } : {}),
    // The fake model's logprobs give the intent 0.95, so confidence stays above the threshold: every one is a ticket.
    llm: { delayMs: options.latencyMs, intentProbability: 0.95 },
    // The sweep is a fallback; IDLE must be what hears each message.
    config: () => ({ ingest: { backfill: 0, sweep_interval: '10m', ...(idle === 'poll' ? { lazy_idle: 'always', idle_poll: '10s' } : {}) } }),
  });
  const arrivals = new Map<string, number>();
  const respond = scenario.receiver.respond;
  scenario.receiver.respond = (request) => {
    try {
      const event = JSON.parse(request.body) as { data?: { message_id?: string } };
      if (event.data?.message_id) arrivals.set(event.data.message_id, Date.now());
    } catch {
      // not an event: nothing to time
    }
    return respond(request);
  };
  const client = await scenario.dovecot.client(scenario.dovecot.users[0]!.user);
  try {
    const run = scenario.startRun('latency');
    await run.running;
    // Mail that is there before the first start is not ours (backfill 0): wait for the watcher to
    // connect (slow on a loaded machine), then a moment for it to enter IDLE.
    await waitUntil(
      () => run.tail(200).includes('connected, watching'),
      60_000,
      () => `the watcher did not connect within 60 s; last lines:\n${run.tail()}`,
    );
    await sleep(2000);
    const toDecision: number[] = [];
    const toWebhook: number[] = [];
    const runTag = Date.now().toString(36);
    for (let i = 0; i < options.count; i++) {
      const { raw, messageId } = supportRequest(i, runTag);
      const decided = new Promise<DecidedLine>((resolve) => (run.onDecided = resolve));
      const t0 = Date.now();
      await client.append('INBOX', raw);
      const line = await withTimeout(decided, 60_000, () => `message ${i} was not decided within 60 s; last lines:\n${run.tail()}`);
      const arrived = await waitUntil(
        () => arrivals.get(messageId),
        60_000,
        () => `no webhook for message ${i} (${line.action}); last lines:\n${run.tail()}`,
        5,
      );
      toDecision.push(line.time - t0);
      toWebhook.push(arrived - t0);
      // A short gap: each message arrives on an idle system. Polling, a random gap over the whole
      // poll interval: otherwise every message would come just after a NOOP and wait a full 10 s.
      await sleep(idle === 'poll' ? 20 + Math.floor(Math.random() * 10_000) : 20);
    }
    run.onDecided = null;
    await run.stop();
    return {
      database: options.database,
      idle,
      messages: options.count,
      modelLatencyMs: options.latencyMs,
      toDecisionMs: summary(toDecision),
      toWebhookMs: summary(toWebhook),
    };
  } finally {
    await client.logout().catch(() => client.close());
    await scenario.close();
  }
}
