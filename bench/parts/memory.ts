/**
 * Figure 9, memory on the embedded database: the built CLI (`dist/`, what `npm run mailroom` runs)
 * as real processes in a fresh folder, as on a fresh clone. /proc is read every 50 ms for the
 * process and every child it starts: VmHWM (the kernel's own peak) of the process itself, and of
 * its largest child (the short-lived step that creates a new database folder).
 *
 * - `triage examples/` on a fresh folder (creates the database, trains the local model);
 * - `mailroom run` (no mailboxes, the API on loopback) on a fresh folder, then again on the same
 *   folder: peak, RSS once it has idled for `steadyMs`, and the time until /health answers;
 * - one generated 24 MB email (an 18 MB attachment) through `triage` on the existing folder.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'dist/src/cli/main.js');
const MB = 1024 * 1024;

export interface ProcessFigures {
  /** Peak RSS of the Mailroom process itself, MB. */
  peakMb: number;
  /** Peak RSS of its largest child process (database creation), MB; 0 when it started none. */
  childPeakMb: number;
  seconds: number;
  exitCode: number | null;
}

export interface RunFigures extends ProcessFigures {
  readySeconds: number | null;
  steadyMb: number;
}

export interface MemoryResult {
  triageExamples: ProcessFigures;
  runFresh: RunFigures;
  runExisting: RunFigures;
  bigEmailBytes: number;
  triageBigEmail: ProcessFigures;
}

export async function measureMemory(options: { steadyMs?: number } = {}): Promise<MemoryResult> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (the memory figures are of the built CLI)`);
  const folder = mkdtempSync(join(tmpdir(), 'mailroom-bench-memory-'));
  try {
    const triageExamples = await measure(['triage', join(ROOT, 'examples')], { cwd: mkdtempSync(join(folder, 'clone-')) });
    const cwd = mkdtempSync(join(folder, 'run-'));
    const port = await freePort();
    writeFileSync(join(cwd, 'mailroom.yaml'), `api:\n  listen: 127.0.0.1:${port}\nlog:\n  level: warn\n`);
    const runArgs = ['run', '--config', join(cwd, 'mailroom.yaml')];
    const runFresh = await measureRun(runArgs, cwd, port, options.steadyMs ?? 20_000);
    const runExisting = await measureRun(runArgs, cwd, port, options.steadyMs ?? 20_000);
    const big = join(folder, 'big.eml');
    writeFileSync(big, bigEmail(18 * MB));
    const triageBigEmail = await measure(['triage', '--config', join(cwd, 'mailroom.yaml'), big], { cwd });
    return { triageExamples, runFresh, runExisting, bigEmailBytes: readFileSync(big).length, triageBigEmail };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** Runs the CLI to its end, sampling its memory. */
function measure(args: string[], options: { cwd: string }): Promise<ProcessFigures> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env: benchEnv(), stdio: 'ignore' });
    const sampler = sampleTree(child.pid!);
    child.on('error', reject);
    child.on('close', (code) => {
      const peaks = sampler.stop();
      resolve({ ...peaks, seconds: (performance.now() - started) / 1000, exitCode: code });
    });
  });
}

/** Starts `mailroom run`, waits for /health, lets it idle, reads its RSS, stops it. */
async function measureRun(args: string[], cwd: string, port: number, steadyMs: number): Promise<RunFigures> {
  const started = performance.now();
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env: benchEnv(), stdio: 'ignore' });
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  const sampler = sampleTree(child.pid!);
  let readySeconds: number | null = null;
  const deadline = Date.now() + 180_000;
  while (readySeconds === null && Date.now() < deadline && child.exitCode === null) {
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
      (res) => res.ok,
      () => false,
    );
    if (ok) readySeconds = (performance.now() - started) / 1000;
    else await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, steadyMs));
  const steadyMb = rssMb(child.pid!, 'VmRSS');
  child.kill('SIGTERM');
  const exitCode = await closed;
  const peaks = sampler.stop();
  return { ...peaks, seconds: (performance.now() - started) / 1000, exitCode, readySeconds, steadyMb };
}

function benchEnv(): NodeJS.ProcessEnv {
  return { ...process.env, MAILROOM_CONFIG: '', OPENAI_API_KEY: '', MAILROOM_LOG_LEVEL: 'warn' };
}

/** Polls /proc for the process and its descendants; peaks are the kernel's VmHWM, so nothing between polls is missed but the very end of a child's life. */
function sampleTree(pid: number): { stop(): { peakMb: number; childPeakMb: number } } {
  let peakMb = 0;
  let childPeakMb = 0;
  const poll = () => {
    peakMb = Math.max(peakMb, rssMb(pid, 'VmHWM'));
    for (const child of descendants(pid)) childPeakMb = Math.max(childPeakMb, rssMb(child, 'VmHWM'));
  };
  const timer = setInterval(poll, 50);
  poll();
  return {
    stop() {
      clearInterval(timer);
      return { peakMb: Math.round(peakMb), childPeakMb: Math.round(childPeakMb) };
    },
  };
}

function rssMb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

function descendants(pid: number): number[] {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
  return children.flatMap((child) => [child, ...descendants(child)]);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** A support request with one attachment of `attachmentBytes` random bytes (base64, 76-character lines). */
export function bigEmail(attachmentBytes: number): Buffer {
  const attachment = randomBytes(attachmentBytes).toString('base64').replace(/.{76}/g, '$&\r\n');
  return Buffer.from(
    [
      'From: Maria Rossi <maria@example.com>',
      'To: support@example.com',
      'Subject: Login broken, logs attached',
      `Message-ID: <big-${randomBytes(6).toString('hex')}@example.com>`,
      'Date: Mon, 23 Nov 2026 09:13:58 +0000',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Hello, I cannot log in since this morning. The logs are attached. Please help.',
      '',
      '--b1',
      'Content-Type: application/octet-stream; name="logs.bin"',
      'Content-Transfer-Encoding: base64',
      'Content-Disposition: attachment; filename="logs.bin"',
      '',
      attachment,
      '--b1--',
      '',
    ].join('\r\n'),
  );
}
