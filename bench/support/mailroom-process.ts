/**
 * `mailroom run` as a real child process (the built CLI, as `npm run mailroom` runs it): its JSON
 * log lines are followed for progress ("decided" lines carry the email id, the action and pino's own
 * timestamp), and /proc gives its CPU time and peak RSS.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { reapOnExit } from '../../test/support/reap-on-exit.js';

export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The built CLI, what `npm run mailroom` runs: timed from source through tsx, every closure also pays tsx's naming helper. */
const MAIN = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));
/** Linux reports CPU time in clock ticks; USER_HZ is 100 on every mainstream kernel build. */
const CLOCK_TICKS_PER_S = 100;

export interface DecidedLine {
  emailId: string;
  action: string;
  /** Epoch ms, from the log line. */
  time: number;
}

export interface MailroomProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Resolves with the epoch ms of the "mailroom running" line; rejects if the process exits first. */
  readonly running: Promise<number>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly decided: DecidedLine[];
  /** Called for every "decided" line as it arrives. */
  onDecided: ((line: DecidedLine) => void) | null;
  /** user + system CPU time of the process so far, in ms (from /proc; null once it has exited). */
  cpuMs(): number | null;
  /** VmHWM: the highest resident set size the process has had, in bytes (null once it has exited). */
  peakRssBytes(): number | null;
  /** SIGTERM, then SIGKILL after `deadlineMs`. */
  stop(deadlineMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(): Promise<void>;
  /** The last lines it logged (for failure messages). */
  tail(lines?: number): string;
}

export interface StartMailroomOptions {
  args: string[];
  env?: NodeJS.ProcessEnv;
  /** Every line is also appended here. */
  logFile?: string;
  /** Extra node flags, e.g. --cpu-prof (not allowed in NODE_OPTIONS). */
  nodeArgs?: string[];
  /** A command that execs node in turn (keeping the pid), e.g. unshare for a host name of its own. */
  wrap?: string[];
}

/** Starts `mailroom <args>` from source; log level info so each decision is one line. */
export function startMailroom(options: StartMailroomOptions): MailroomProcess {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first (the bench runs the built CLI)`);
  const command = [process.execPath, ...(options.nodeArgs ?? []), MAIN, ...options.args];
  const [file, ...args] = [...(options.wrap ?? []), ...command] as [string, ...string[]];
  // MAILROOM_BENCH_LOG_DIR may name a folder that does not exist yet.
  if (options.logFile) mkdirSync(dirname(options.logFile), { recursive: true });
  const child = spawn(file, args, {
    cwd: PROJECT_ROOT,
    env: { ...process.env, MAILROOM_CONFIG: '', OPENAI_API_KEY: '', MAILROOM_LOG_LEVEL: process.env.MAILROOM_BENCH_LOG_LEVEL ?? 'info', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start mailroom run (no pid)');
  reapOnExit(child);
  const log: WriteStream | null = options.logFile ? createWriteStream(options.logFile, { flags: 'a' }) : null;
  const recent: string[] = [];
  const decided: DecidedLine[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      log?.end();
      resolve({ code, signal });
    }),
  );
  let markRunning: (time: number) => void = () => {};
  const running = new Promise<number>((resolve, reject) => {
    markRunning = resolve;
    void exited.then(({ code, signal }) => reject(new Error(`mailroom run exited (code ${code}, signal ${signal}) before it was running:\n${recent.join('\n')}`)));
  });
  running.catch(() => {});

  const handle: MailroomProcess = {
    child,
    pid,
    running,
    exited,
    decided,
    onDecided: null,
    cpuMs: () => cpuMsOf(pid),
    peakRssBytes: () => peakRssOf(pid),
    async stop(deadlineMs = 12_000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), deadlineMs);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    tail: (lines = 30) => recent.slice(-lines).join('\n'),
  };

  const follow = (stream: NodeJS.ReadableStream) => {
    createInterface({ input: stream }).on('line', (line) => {
      log?.write(`${line}\n`);
      recent.push(line);
      if (recent.length > 200) recent.shift();
      if (!line.startsWith('{')) return;
      let entry: { msg?: string; time?: number; email_id?: string; action?: string };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        return;
      }
      if (entry.msg === 'decided' && entry.email_id && entry.action) {
        const d = { emailId: entry.email_id, action: entry.action, time: entry.time ?? Date.now() };
        decided.push(d);
        handle.onDecided?.(d);
      } else if (entry.msg === 'mailroom running') {
        markRunning(entry.time ?? Date.now());
      }
    });
  };
  follow(child.stdout!);
  follow(child.stderr!);
  return handle;
}

function cpuMsOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "pid (comm) ": state is [0], utime [11], stime [12].
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_S;
  } catch {
    return null;
  }
}

function peakRssOf(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
    return kb ? Number(kb) * 1024 : null;
  } catch {
    return null;
  }
}
