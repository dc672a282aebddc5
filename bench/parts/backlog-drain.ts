/**
 * Figures 1, 2 and 6: a backlog APPENDed into a private Dovecot, then `mailroom run` started on it
 * (a real process) and timed from its "mailroom running" line to the last "decided" line.
 * Its CPU time (user + system, from /proc) over the same interval gives CPU ms per message, and
 * VmHWM its peak RSS.
 */
import { appendAll, waitUntil } from '../support/append.js';
import { createScenario, type DatabaseKind } from '../support/scenario.js';

export interface DrainOptions {
  database: DatabaseKind;
  messages: readonly Buffer[];
  latencyMs: number;
  concurrency: number;
  log?: (line: string) => void;
}

export interface DrainResult {
  database: DatabaseKind;
  messages: number;
  latencyMs: number;
  concurrency: number;
  seconds: number;
  /** From "running" to the first decision: connecting, the first fetch, the first model answer. */
  firstDecisionS: number;
  /** fractionOfLimit from the first decision to the last: the rate once the start-up is behind. */
  steadyFractionOfLimit: number | null;
  messagesPerS: number;
  modelCalls: number;
  modelCallsPerS: number;
  /** concurrency / latency: the most model calls per second any client could get (null for 0 ms). */
  limitCallsPerS: number | null;
  /** modelCallsPerS / limitCallsPerS. */
  fractionOfLimit: number | null;
  maxModelInFlight: number;
  cpuMsPerMessage: number | null;
  /** VmHWM at the end of the drain. */
  peakRssMb: number | null;
  /** VmHWM when it logged "running" (start-up included), for comparison. */
  startRssMb: number | null;
  /** Characters of every message of every model request (system prompt + fenced email). */
  promptChars: number[];
  actions: Record<string, number>;
  webhooksReceived: number;
}

export async function runBacklogDrain(options: DrainOptions): Promise<DrainResult> {
  const { concurrency, latencyMs } = options;
  const scenario = await createScenario({
    database: options.database,
    llm: { delayMs: latencyMs },
    config: () => ({ classifier: { concurrency }, ingest: { backfill: '1d', workers: Math.max(4, concurrency) } }),
  });
  try {
    const total = options.messages.length;
    await appendAll(scenario.dovecot, options.messages);
    scenario.llm.resetCounters();
    const run = scenario.startRun('drain');
    const started = await run.running;
    const cpuStart = run.cpuMs();
    const startRss = run.peakRssBytes();
    // Generous bound: the ideal time three times over, plus a minute.
    const timeoutMs = 60_000 + 3 * ((total * latencyMs) / concurrency + total * 20);
    await waitUntil(
      () => run.decided.length >= total || run.child.exitCode !== null,
      timeoutMs,
      () => `${run.decided.length} of ${total} messages decided; last lines:\n${run.tail()}`,
      25,
    );
    if (run.decided.length < total) throw new Error(`mailroom run exited after ${run.decided.length} of ${total} decisions:\n${run.tail()}`);
    const cpuEnd = run.cpuMs();
    const peak = run.peakRssBytes();
    const finished = Math.max(...run.decided.map((d) => d.time));
    const seconds = (finished - started) / 1000;
    const firstDecisionS = (Math.min(...run.decided.map((d) => d.time)) - started) / 1000;
    const modelCalls = scenario.llm.totalRequests;
    const promptChars = scenario.llm.requests.map((r) => r.body.messages.reduce((sum, m) => sum + (m.content?.length ?? 0), 0));
    const actions: Record<string, number> = {};
    for (const d of run.decided) actions[d.action] = (actions[d.action] ?? 0) + 1;
    const tickets = actions.ticket ?? 0;
    // The deliveries trail the decisions by a few ms; give them a moment, without failing the figure.
    await waitUntil(
      () => scenario.receiver.requests.length >= tickets,
      10_000,
      () => '',
    ).catch(() => {});
    await run.stop();
    const limit = latencyMs > 0 ? concurrency / (latencyMs / 1000) : null;
    const mb = (bytes: number | null) => (bytes === null ? null : Math.round(bytes / 1024 / 1024));
    return {
      database: options.database,
      messages: total,
      latencyMs,
      concurrency,
      seconds,
      firstDecisionS,
      messagesPerS: total / seconds,
      modelCalls,
      modelCallsPerS: modelCalls / seconds,
      limitCallsPerS: limit,
      fractionOfLimit: limit ? modelCalls / seconds / limit : null,
      // The first decision's model call finished at it; the rest ran between the first and the last.
      steadyFractionOfLimit: limit && modelCalls > 1 ? (modelCalls - 1) / (seconds - firstDecisionS) / limit : null,
      maxModelInFlight: scenario.llm.maxInFlight,
      cpuMsPerMessage: cpuStart !== null && cpuEnd !== null ? (cpuEnd - cpuStart) / total : null,
      peakRssMb: mb(peak),
      startRssMb: mb(startRss),
      promptChars,
      actions,
      webhooksReceived: scenario.receiver.requests.length,
    };
  } finally {
    await scenario.close();
  }
}
