/**
 * `npm run bench:socket`: what a command pays to work beside `mailroom run` on the embedded
 * database. A real `mailroom run` (no mailboxes, API off) serves a data directory holding the
 * decisions of `triage examples/`; client processes connect to its socket and time each call
 * (`select 1`, and the query of `mailroom decisions list`), one client and then three at once.
 * Beside it: the same calls on the database opened in this process (no socket), and a whole
 * `mailroom decisions list` (the built CLI) with and without the service — wall time and peak RSS.
 * Prints a table with the date and writes bench/socket-results.json. Asserts nothing.
 *
 *   npm run build && npm run bench:socket -- [--calls 300] [--commands 3] [--out bench/socket-results.json]
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { listDecisions } from '../src/api/index.js';
import { acquirePGliteLock, openDatabase } from '../src/db/index.js';
import { startMailroom } from './support/mailroom-process.js';
import { median, percentile, round } from './support/stats.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BUILT_CLI = join(ROOT, 'dist/src/cli/main.js');
const CLIENT = fileURLToPath(new URL('./support/socket-client.ts', import.meta.url));

const { values: flags } = parseArgs({
  options: {
    calls: { type: 'string', default: '300' },
    commands: { type: 'string', default: '3' },
    out: { type: 'string', default: 'bench/socket-results.json' },
  },
});
const calls = Number(flags.calls);
const commandRuns = Number(flags.commands);
if (!existsSync(BUILT_CLI)) {
  console.error('bench:socket: dist/ is missing; run `npm run build` first (the commands are timed as users run them)');
  process.exit(2);
}

interface Latency {
  clients: number;
  query: string;
  calls: number;
  p50_ms: number;
  p95_ms: number;
  mean_ms: number;
}

const folder = mkdtempSync(join(tmpdir(), 'mailroom-bench-socket-'));
const dataDir = join(folder, 'db');
const config = join(folder, 'mailroom.yaml');
writeFileSync(config, ['database:', `  path: ${dataDir}`, 'api:', '  enabled: false', 'classifier:', '  provider: rules', ''].join('\n'));
const env = { ...process.env, MAILROOM_CONFIG: '', OPENAI_API_KEY: '', MAILROOM_LOG_LEVEL: 'warn' };

try {
  console.log(`bench:socket ${new Date().toISOString()} — ${cpus().length} cores, load ${execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).split(' ').slice(0, 3).join(' ')}`);
  execFileSync(process.execPath, [BUILT_CLI, '--config', config, 'triage', join(ROOT, 'examples')], { env, stdio: 'ignore' });

  const latencies: Latency[] = [];
  latencies.push(...(await inProcess()));
  const commandAlone = await timeCommands();

  const service = startMailroom({ args: ['--config', config, 'run'], env: { MAILROOM_LOG_LEVEL: 'info' } });
  await service.running;
  for (const clients of [1, 3]) latencies.push(...(await overSocket(clients)));
  const commandBeside = await timeCommands();
  await service.stop();

  console.log(`\n${'per call (ms)'.padEnd(52)}    p50     p95    mean`);
  for (const l of latencies) {
    const where = l.clients === 0 ? 'in process, no socket' : `socket, ${l.clients} client${l.clients > 1 ? 's' : ''} at once`;
    console.log(`${`${where}: ${l.query}`.padEnd(52)} ${String(l.p50_ms).padStart(6)} ${String(l.p95_ms).padStart(7)} ${String(l.mean_ms).padStart(7)}`);
  }
  console.log('\n`mailroom decisions list` (built CLI)   wall ms (median)   peak RSS MB (median)');
  console.log(`database opened by the command         ${String(commandAlone.wallMs).padStart(8)}          ${String(commandAlone.rssMb).padStart(8)}`);
  console.log(`beside mailroom run (socket)           ${String(commandBeside.wallMs).padStart(8)}          ${String(commandBeside.rssMb).padStart(8)}`);
  writeFileSync(flags.out!, `${JSON.stringify({ date: new Date().toISOString(), cores: cpus().length, calls, latencies, command: { alone: commandAlone, beside: commandBeside } }, null, 2)}\n`);
} finally {
  rmSync(folder, { recursive: true, force: true });
}

/** The baseline: the same calls on the database opened here, no socket in between. */
async function inProcess(): Promise<Latency[]> {
  const release = acquirePGliteLock(dataDir);
  const db = await openDatabase({ url: undefined, path: dataDir, pool_size: 1 });
  try {
    for (let i = 0; i < 20; i++) await sql`select 1`.execute(db);
    const timeCalls = async (fn: () => Promise<unknown>) => {
      const out: number[] = [];
      for (let i = 0; i < calls; i++) {
        const start = process.hrtime.bigint();
        await fn();
        out.push(Number(process.hrtime.bigint() - start) / 1e6);
      }
      return out;
    };
    const select1 = await timeCalls(() => sql`select 1`.execute(db));
    const decisions = await timeCalls(() => listDecisions(db, { limit: 100 }));
    return [summary(0, 'select 1', select1), summary(0, 'decisions list query', decisions)];
  } finally {
    await db.destroy();
    release();
  }
}

/** `clients` processes at once, each timing `calls` calls of each query over the service's socket. */
async function overSocket(clients: number): Promise<Latency[]> {
  const runs = await Promise.all(Array.from({ length: clients }, () => runClient()));
  const select1 = runs.flatMap((r) => r.select1);
  const decisions = runs.flatMap((r) => r.decisions);
  return [summary(clients, 'select 1', select1), summary(clients, 'decisions list query', decisions)];
}

function runClient(): Promise<{ select1: number[]; decisions: number[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLIENT, dataDir, String(calls)], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as { select1: number[]; decisions: number[] }) : reject(new Error(`socket client exited with ${code}`))));
  });
}

/** Wall time and peak RSS (GNU time's %M, KB) of `mailroom decisions list`, median of `commandRuns`. */
async function timeCommands(): Promise<{ wallMs: number; rssMb: number }> {
  const walls: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < commandRuns; i++) {
    const start = Date.now();
    const { stderr, status } = spawnSync('/usr/bin/time', ['-f', 'maxrss_kb=%M', process.execPath, BUILT_CLI, '--config', config, 'decisions', 'list'], {
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    if (status !== 0) throw new Error(`mailroom decisions list failed: ${stderr}`);
    walls.push(Date.now() - start);
    rss.push(Number(/maxrss_kb=(\d+)/.exec(stderr)?.[1] ?? Number.NaN) / 1024);
  }
  return { wallMs: median(walls), rssMb: round(median(rss), 0) };
}

function summary(clients: number, query: string, values: number[]): Latency {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return { clients, query, calls: values.length, p50_ms: round(median(values), 2), p95_ms: round(percentile(values, 95), 2), mean_ms: round(mean, 2) };
}
