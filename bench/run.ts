/**
 * `npm run bench`: the seven figures of issue 9 with real components — a private Dovecot,
 * PostgreSQL (a throwaway database) or PGlite, the OpenAI-compatible fake server with a set
 * latency, a webhook receiver — and `mailroom run` as a real process. Prints a table and writes
 * bench/results.json. Asserts nothing about time: it measures.
 *
 *   npm run bench -- [--only drain,model,latency,webhooks,chars,naive] [--messages 2000]
 *     [--db postgres|pglite] [--model-latency 500] [--concurrency 4,8,16] [--model-messages 200]
 *     [--latency-count 200] [--latency-model-ms 0] [--poll-count 20] [--webhook-events 1000]
 *     [--naive-model-messages 40] [--local-examples 5000] [--no-corpus] [--out bench/results.json]
 *
 * Figure 8 (`local`) is the local model: training, prediction and learning, in a process of its own.
 * Figure 9 (`memory`) is memory on the embedded PGlite: the built CLI (`npm run build`) as real processes.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { PG_ADMIN_URL, postgresUnavailable } from '../test/support/databases.js';
import { dovecotUnavailable } from '../test/support/dovecot.js';
import { type LatencyResult, runAppendLatency } from './parts/append-latency.js';
import { type DrainResult, runBacklogDrain } from './parts/backlog-drain.js';
import { type InputCharsResult, measureInputChars } from './parts/input-chars.js';
import type { LocalModelResult } from './parts/local-model.js';
import { type MemoryResult, measureMemory } from './parts/memory.js';
import { type NaiveResult, runNaiveBaseline } from './parts/naive-baseline.js';
import { runWebhooksThroughput, type WebhooksResult } from './parts/webhooks.js';
import { backlogMessages, corpusAvailable, loadSourceMessages } from './support/message-pool.js';
import type { DatabaseKind } from './support/scenario.js';
import { median, percentile, round } from './support/stats.js';

const PARTS = ['drain', 'model', 'latency', 'webhooks', 'chars', 'naive', 'local', 'memory'] as const;
type Part = (typeof PARTS)[number];

const { values: flags } = parseArgs({
  options: {
    only: { type: 'string' },
    messages: { type: 'string', default: '2000' },
    db: { type: 'string' },
    'model-latency': { type: 'string', default: '500' },
    concurrency: { type: 'string', default: '4,8,16' },
    'model-messages': { type: 'string', default: '200' },
    'latency-count': { type: 'string', default: '200' },
    'latency-model-ms': { type: 'string', default: '0' },
    'poll-count': { type: 'string', default: '20' },
    'webhook-events': { type: 'string', default: '1000' },
    'naive-model-messages': { type: 'string', default: '40' },
    'local-examples': { type: 'string', default: '5000' },
    'no-corpus': { type: 'boolean', default: false },
    out: { type: 'string', default: 'bench/results.json' },
    help: { type: 'boolean', default: false },
  },
});

if (flags.help) {
  console.log(`usage: npm run bench -- [--only ${PARTS.join(',')}] [--messages N] [--db postgres|pglite] [--model-latency MS]
  [--concurrency 4,8,16] [--model-messages N] [--latency-count N] [--latency-model-ms MS] [--poll-count N] [--webhook-events N]
  [--naive-model-messages N] [--local-examples N] [--no-corpus] [--out FILE]`);
  process.exit(0);
}

function positiveInt(name: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`bench: --${name} expects a whole number, got "${value}"`);
    process.exit(2);
  }
  return n;
}

const only = new Set<Part>(
  (flags.only ?? PARTS.join(',')).split(',').map((p) => {
    const part = p.trim() as Part;
    if (!PARTS.includes(part)) {
      console.error(`bench: --only takes ${PARTS.join(', ')}; got "${p}"`);
      process.exit(2);
    }
    return part;
  }),
);
const messageCount = positiveInt('messages', flags.messages);
const modelLatency = positiveInt('model-latency', flags['model-latency']);
const concurrencies = flags.concurrency.split(',').map((c) => positiveInt('concurrency', c));
const modelMessages = positiveInt('model-messages', flags['model-messages']);
const latencyCount = positiveInt('latency-count', flags['latency-count']);
const latencyModelMs = positiveInt('latency-model-ms', flags['latency-model-ms']);
const pollCount = positiveInt('poll-count', flags['poll-count']);
const webhookEvents = positiveInt('webhook-events', flags['webhook-events']);
const naiveModelMessages = positiveInt('naive-model-messages', flags['naive-model-messages']);
const localExamples = positiveInt('local-examples', flags['local-examples']);

const pgReason = await postgresUnavailable();
if (flags.db && flags.db !== 'postgres' && flags.db !== 'pglite') {
  console.error(`bench: --db takes postgres or pglite, got "${flags.db}"`);
  process.exit(2);
}
if (flags.db === 'postgres' && pgReason) {
  console.error(`bench: --db postgres, but PostgreSQL at ${PG_ADMIN_URL} is unreachable: ${pgReason}`);
  process.exit(2);
}
const database: DatabaseKind = (flags.db as DatabaseKind | undefined) ?? (pgReason ? 'pglite' : 'postgres');
const dovecotReason = dovecotUnavailable();
const needsDovecot: Part[] = ['drain', 'model', 'latency', 'naive'];
if (dovecotReason) {
  for (const part of needsDovecot) if (only.delete(part)) console.error(`bench: skipping "${part}": Dovecot unavailable (${dovecotReason})`);
}

const log = (line: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);

const sources = loadSourceMessages({ corpus: !flags['no-corpus'] });
log(`${sources.length} source messages (examples/${corpusAvailable() && !flags['no-corpus'] ? ' + ../shared/corpus/raw' : ' only'}), database ${database}`);

interface Results {
  measured_at: string;
  machine: Record<string, unknown>;
  options: Record<string, unknown>;
  drain?: DrainResult & { promptChars: never };
  model?: Array<Omit<DrainResult, 'promptChars'>>;
  latency?: LatencyResult;
  /** The same on a server whose IDLE announces nothing, NOOP polling forced on. */
  latencyPoll?: LatencyResult;
  webhooks?: WebhooksResult;
  chars?: Omit<InputCharsResult, 'modelBoundSources'> & { promptCharsPerRequest?: { median: number; p95: number }; promptCharsPerBacklogMessage?: number };
  naive?: NaiveResult[];
  local?: LocalModelResult;
  memory?: MemoryResult;
}

const results: Results = {
  measured_at: new Date().toISOString(),
  machine: await machine(),
  options: {
    database,
    messages: messageCount,
    model_latency_ms: modelLatency,
    concurrency: concurrencies,
    model_messages: modelMessages,
    latency_count: latencyCount,
    latency_model_ms: latencyModelMs,
    poll_count: pollCount,
    webhook_events: webhookEvents,
    naive_model_messages: naiveModelMessages,
    local_examples: localExamples,
    corpus: corpusAvailable() && !flags['no-corpus'],
    sources: sources.length,
  },
};

// The pool is parsed once: figure 5, and the messages that reach the model (for the latency runs).
let chars: InputCharsResult | null = null;
if (only.has('chars') || only.has('model') || only.has('naive')) {
  log('parsing the message pool (figure 5)');
  chars = await measureInputChars(sources);
  const { modelBoundSources: _, ...figure } = chars;
  if (only.has('chars')) results.chars = figure;
}

const backlog = backlogMessages(sources, messageCount, `drain-${Date.now().toString(36)}`);
// For the model-latency runs every message goes to the model, so the limit concurrency/latency applies to messages.
const modelBound = chars && chars.modelBoundSources.length > 0 ? chars.modelBoundSources : sources;

if (only.has('drain')) {
  log(`backlog drain: ${messageCount} messages, 0 ms model (figures 1, 2, 6)`);
  const drain = await runBacklogDrain({ database, messages: backlog, latencyMs: 0, concurrency: 4 });
  const { promptChars, ...rest } = drain;
  results.drain = rest as Results['drain'];
  if (results.chars) {
    results.chars.promptCharsPerRequest = { median: median(promptChars), p95: percentile(promptChars, 95) };
    results.chars.promptCharsPerBacklogMessage = promptChars.reduce((a, b) => a + b, 0) / messageCount;
  }
}

if (only.has('model')) {
  results.model = [];
  for (const concurrency of concurrencies) {
    log(`backlog drain: ${modelMessages} model-bound messages, ${modelLatency} ms model, concurrency ${concurrency} (figure 1)`);
    const messages = backlogMessages(modelBound, modelMessages, `model-${concurrency}-${Date.now().toString(36)}`);
    const { promptChars: _, ...rest } = await runBacklogDrain({ database, messages, latencyMs: modelLatency, concurrency });
    results.model.push(rest);
  }
}

if (only.has('latency')) {
  log(`APPEND → decision / webhook: ${latencyCount} messages one by one, ${latencyModelMs} ms model (figure 3)`);
  results.latency = await runAppendLatency({ database, count: latencyCount, latencyMs: latencyModelMs });
  log(`APPEND → decision on a server whose IDLE announces nothing, NOOP every 10 s: ${pollCount} messages one by one (figure 3b)`);
  results.latencyPoll = await runAppendLatency({ database, count: pollCount, latencyMs: latencyModelMs, idle: 'poll' });
}

if (only.has('webhooks')) {
  log(`deliveries/s with a hanging second endpoint: ${webhookEvents} events (figure 4)`);
  results.webhooks = await runWebhooksThroughput({ events: webhookEvents, database });
}

if (only.has('naive')) {
  results.naive = [];
  log(`naive baseline: ${messageCount} messages, 0 ms model (figure 7)`);
  results.naive.push(await runNaiveBaseline({ messages: backlog, latencyMs: 0 }));
  if (naiveModelMessages > 0) {
    log(`naive baseline: ${naiveModelMessages} model-bound messages, ${modelLatency} ms model (figure 7)`);
    results.naive.push(await runNaiveBaseline({ messages: backlogMessages(modelBound, naiveModelMessages, `naive-${Date.now().toString(36)}`), latencyMs: modelLatency }));
  }
}

if (only.has('local')) {
  log(`local model: training on ${localExamples} examples, prediction, learning from 300 labels (figure 8)`);
  // Its own process, so the memory it reports is the model's and not the other parts'.
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'bench/parts/local-model.ts', '--examples', String(localExamples)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  results.local = JSON.parse(out.trim().split('\n').pop()!) as LocalModelResult;
}

if (only.has('memory')) {
  log('memory on the embedded PGlite: triage examples/, run on a fresh and an existing folder, one 24 MB email (figure 9)');
  results.memory = await measureMemory();
}

writeFileSync(flags.out, `${JSON.stringify(results, null, 2)}\n`);
console.log(renderTable(results));
console.log(`\nwritten to ${flags.out}`);
process.exit(0);

async function machine(): Promise<Record<string, unknown>> {
  let postgres: string | null = null;
  if (!pgReason) {
    const client = new pg.Client({ connectionString: PG_ADMIN_URL });
    try {
      await client.connect();
      postgres = (await client.query<{ server_version: string }>('show server_version')).rows[0]?.server_version ?? null;
    } catch {
      postgres = null;
    } finally {
      await client.end().catch(() => {});
    }
  }
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memory_gb: round(totalmem() / 1024 ** 3, 1),
    os: `${process.platform} ${release()}`,
    node: process.version,
    postgres,
  };
}

function renderTable(r: Results): string {
  const rows: Array<[string, string, string]> = [];
  const f = (n: number | null | undefined, digits = 1) => (n === null || n === undefined || Number.isNaN(n) ? '–' : round(n, digits).toLocaleString('en-US'));
  const pct = (n: number | null) => (n === null ? '–' : `${Math.round(n * 100)} %`);
  const naive0 = r.naive?.find((n) => n.latencyMs === 0);
  const naiveModel = r.naive?.find((n) => n.latencyMs > 0);
  if (r.drain) {
    const d = r.drain;
    rows.push([
      '1. backlog drain, 0 ms model',
      `${f(d.messagesPerS)} msg/s`,
      `${d.messages} msgs in ${f(d.seconds, 2)} s; ${d.modelCalls} model calls; ${Object.entries(d.actions)
        .map(([a, n]) => `${a} ${n}`)
        .join(', ')}`,
    ]);
  }
  for (const m of r.model ?? []) {
    rows.push([
      `1. backlog drain, ${m.latencyMs} ms model, c=${m.concurrency}`,
      `${f(m.messagesPerS, 2)} msg/s`,
      `${pct(m.fractionOfLimit)} of the limit ${f(m.limitCallsPerS)} calls/s (${m.modelCalls} calls in ${f(m.seconds, 2)} s, max ${m.maxModelInFlight} in flight; first decision after ${f(m.firstDecisionS, 2)} s, ${pct(m.steadyFractionOfLimit)} from then on)`,
    ]);
  }
  if (r.drain) {
    rows.push([
      '2. CPU per message (run process, 0 ms model)',
      `${f(r.drain.cpuMsPerMessage, 2)} ms`,
      'user+system of mailroom run over the drain ÷ messages (ingest, parse, clean, decide, store, deliver)',
    ]);
  }
  if (r.chars) rows.push(['   parse + clean alone (in-process)', `${f(r.chars.parseCpuMsPerMessage, 2)} ms`, `mean over ${r.chars.messages} messages`]);
  if (r.latency) {
    const l = r.latency;
    rows.push([
      '3. APPEND → decision',
      `p50 ${f(l.toDecisionMs.p50, 0)} / p95 ${f(l.toDecisionMs.p95, 0)} / p99 ${f(l.toDecisionMs.p99, 0)} ms`,
      `${l.messages} messages one by one, ${l.modelLatencyMs} ms model, max ${f(l.toDecisionMs.max, 0)} ms`,
    ]);
    rows.push(['3. APPEND → webhook received', `p50 ${f(l.toWebhookMs.p50, 0)} / p95 ${f(l.toWebhookMs.p95, 0)} / p99 ${f(l.toWebhookMs.p99, 0)} ms`, `max ${f(l.toWebhookMs.max, 0)} ms`]);
  }
  if (r.latencyPoll) {
    const l = r.latencyPoll;
    rows.push([
      '3b. APPEND → decision, lazy IDLE, NOOP polling',
      `p50 ${f(l.toDecisionMs.p50, 0)} / p95 ${f(l.toDecisionMs.p95, 0)} / p99 ${f(l.toDecisionMs.p99, 0)} ms`,
      `${l.messages} messages; IDLE announces nothing, ingest.lazy_idle always, idle_poll 10 s; max ${f(l.toDecisionMs.max, 0)} ms`,
    ]);
  }
  if (r.webhooks) {
    const w = r.webhooks;
    rows.push([
      '4. deliveries/s, second endpoint hangs',
      `${f(w.healthy_deliveries_per_s, 0)} /s`,
      `${w.events} events, concurrency ${w.concurrency}, ${w.database}; ${w.dead_requests_in_flight} requests held by the hanging one; ${w.unverified} unverified, ${w.duplicates} duplicates`,
    ]);
  }
  if (r.chars) {
    const c = r.chars;
    rows.push(['5. chars per message: raw text', `median ${f(c.raw.median, 0)} / p95 ${f(c.raw.p95, 0)}`, `${c.messages} messages (bytes: median ${f(c.bytes.median, 0)} / p95 ${f(c.bytes.p95, 0)})`]);
    rows.push(['5. chars per message: cleaned (to model)', `median ${f(c.clean.median, 0)} / p95 ${f(c.clean.p95, 0)}`, `${c.prefiltered} decided by pre-filters without the model`]);
    rows.push([
      '   model-bound messages only: raw → clean',
      `median ${f(c.modelBound.raw.median, 0)} → ${f(c.modelBound.clean.median, 0)}`,
      `p95 ${f(c.modelBound.raw.p95, 0)} → ${f(c.modelBound.clean.p95, 0)} (${c.modelBound.messages} messages)`,
    ]);
    if (c.promptCharsPerRequest)
      rows.push([
        '   whole prompt per model request (drain)',
        `median ${f(c.promptCharsPerRequest.median, 0)} / p95 ${f(c.promptCharsPerRequest.p95, 0)}`,
        'system prompt + fenced email, as the fake server received it',
      ]);
    if (naive0)
      rows.push(['   naive prompt per request', `median ${f(naive0.promptChars.median, 0)} / p95 ${f(naive0.promptChars.p95, 0)}`, 'one-line instruction + parsed text, uncleaned, for every message']);
    if (c.promptCharsPerBacklogMessage !== undefined) {
      const naiveTotal = naive0 ? `; naive ${f(naive0.promptCharsPerBacklogMessage, 0)}` : '';
      rows.push(['   model input per backlog message', `${f(c.promptCharsPerBacklogMessage, 0)} chars`, `all prompt characters of the drain ÷ messages (pre-filtered ones send none)${naiveTotal}`]);
    }
  }
  if (r.drain?.peakRssMb !== undefined) rows.push(['6. peak RSS during the drain', `${f(r.drain.peakRssMb, 0)} MB`, `VmHWM of mailroom run (${f(r.drain.startRssMb, 0)} MB when it logged "running")`]);
  if (naive0) {
    const ratio = r.drain ? ` → Mailroom ${f(r.drain.messagesPerS / naive0.messagesPerS, 1)}×` : '';
    rows.push(['7. naive baseline, 0 ms model', `${f(naive0.messagesPerS)} msg/s`, `${naive0.messages} msgs in ${f(naive0.seconds, 2)} s${ratio}`]);
  }
  if (naiveModel) {
    const best = (r.model ?? []).reduce<Omit<DrainResult, 'promptChars'> | null>((a, b) => (a && a.messagesPerS > b.messagesPerS ? a : b), null);
    const ratio = best ? ` → Mailroom c=${best.concurrency} ${f(best.messagesPerS / naiveModel.messagesPerS, 1)}×` : '';
    rows.push([`7. naive baseline, ${naiveModel.latencyMs} ms model`, `${f(naiveModel.messagesPerS, 2)} msg/s`, `${naiveModel.messages} msgs in ${f(naiveModel.seconds, 2)} s${ratio}`]);
  }
  if (r.local) {
    const l = r.local;
    rows.push([
      '8. local model: training',
      `${f(l.training.seconds, 2)} s`,
      `${l.training.examples} examples (${l.seedExamples} seed), ${f(l.training.cpuSeconds, 2)} s CPU, peak RSS +${f(l.training.peakRssMb, 0)} MB while training`,
    ]);
    rows.push(['8. local model: prediction', `${f(l.prediction.msPerEmail, 2)} ms/email`, `parse excluded, ${l.prediction.emails} emails; the loaded model holds ${f(l.prediction.modelMb, 0)} MB`]);
    const c = l.learning.cascade;
    const pct1 = (n: number | null) => (n === null ? '–' : `${round(n * 100, 1)} %`);
    rows.push([
      `8. local model: after ${l.learning.mailboxLabels} mailbox labels`,
      `${pct1(l.learning.agreement)} agreement`,
      `on the next ${l.learning.evaluated} (seed only ${pct1(l.learning.seedOnlyAgreement)}); cascade ≥ ${c.confidence}: ${pct1(c.share)} decided locally at ${pct1(c.agreement)} agreement`,
    ]);
  }
  if (r.memory) {
    const mem = r.memory;
    const child = (c: number) => (c > 0 ? `; creating the database: ${f(c, 0)} MB in a child process that then exits` : '');
    const e = mem.triageExamples;
    rows.push(['9. triage examples/, fresh folder (PGlite)', `${f(e.peakMb, 0)} MB peak`, `${f(e.seconds, 1)} s${child(e.childPeakMb)}`]);
    for (const [name, run] of [
      ['fresh', mem.runFresh],
      ['existing', mem.runExisting],
    ] as const) {
      rows.push([
        `9. mailroom run, ${name} folder (PGlite)`,
        `${f(run.peakMb, 0)} MB peak, ${f(run.steadyMb, 0)} MB steady`,
        `ready (/health) after ${f(run.readySeconds, 1)} s${child(run.childPeakMb)}`,
      ]);
    }
    const b = mem.triageBigEmail;
    rows.push([`9. one ${f(mem.bigEmailBytes / 1024 ** 2, 1)} MB email through triage (PGlite)`, `${f(b.peakMb, 0)} MB peak`, `${f(b.seconds, 1)} s, existing folder, exit code ${b.exitCode}`]);
  }
  const m = r.machine;
  const header = `Mailroom bench — ${r.measured_at} — ${m.cpu} (${m.cores} cores, ${m.memory_gb} GB), ${m.os}, Node ${m.node}, ${r.options.database}${r.options.database === 'postgres' && m.postgres ? ` (PostgreSQL ${m.postgres})` : ''}`;
  const widths = [0, 1].map((i) => Math.max(...rows.map((row) => row[i]!.length)));
  const lines = rows.map(([a, b, c]) => `| ${a.padEnd(widths[0]!)} | ${b.padEnd(widths[1]!)} | ${c} |`);
  return [header, '', `| ${'figure'.padEnd(widths[0]!)} | ${'value'.padEnd(widths[1]!)} | notes |`, `|${'-'.repeat(widths[0]! + 2)}|${'-'.repeat(widths[1]! + 2)}|---|`, ...lines].join('\n');
}
