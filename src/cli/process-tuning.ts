import { setFlagsFromString } from 'node:v8';

/**
 * Memory settings that only take effect when a process starts, applied by starting again: `mailroom
 * run` replaces itself once (execve: same pid, same stdio, same arguments) with them set. Measured on
 * `mailroom run` on PGlite (existing folder, idle), they cut the steady RSS from ~300 to ~230 MB:
 *
 * - `MALLOC_MMAP_THRESHOLD_=131072`: glibc raises its mmap threshold each time it frees a large
 *   block (up to 32 MB; PGlite reads its 9 MB WebAssembly and 6 MB file system this way), after
 *   which every block below it comes from the heap and each thread's arena keeps what it freed;
 *   a fixed threshold stops that (~30-45 MB of arenas no longer kept).
 * - `--max-semi-space-size=4` (through NODE_OPTIONS, so worker threads accept the process's
 *   execArgv): V8's young generation grows to 32 MB under allocation bursts and keeps it. 2 MB
 *   held the same steady RSS but cost 2.5 ms more CPU per message when draining a backlog (14.7
 *   against 12.2 ms on PostgreSQL): the young generation filled every few messages.
 *
 * A setting the user made wins; `MAILROOM_PROCESS_TUNED` (set by the restart) stops it from
 * happening twice, and setting it yourself turns the restart off. Linux only (glibc), and only
 * where Node has process.execve (22.15 and later); elsewhere the CLI runs as it was started.
 * A third setting, the old generation's growth (limitHeapGrowth), needs no restart and applies
 * everywhere.
 */
const MARK = 'MAILROOM_PROCESS_TUNED';

/** How much the old generation may grow past what survived a full collection (limitHeapGrowth). */
const HEAP_GROWING_PERCENT = 50;

type Execve = (file: string, args: string[], env: NodeJS.ProcessEnv) => never;

/** The command the CLI was asked for: the first argument that is no option nor `--config`'s value. */
export function commandOf(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-c' || arg === '--config') i++;
    else if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}

/**
 * Only the long-running service is started again. A command that runs for seconds never reaches a
 * steady state worth the settings, and pays for them: the fixed mmap threshold maps and unmaps
 * every block above 128 KB (a fresh `triage examples/` spent 1 s more in the kernel, 7.5 against
 * 5.7 s), and the second start costs a few hundred ms.
 */
export function retuneProcess(args: readonly string[] = process.argv.slice(2)): void {
  if (commandOf(args) !== 'run') return;
  limitHeapGrowth();
  const execve = (process as unknown as { execve?: Execve }).execve;
  if (process.platform !== 'linux' || typeof execve !== 'function' || process.env[MARK] !== undefined) return;
  const env: NodeJS.ProcessEnv = { ...process.env, [MARK]: '1' };
  env.MALLOC_MMAP_THRESHOLD_ ??= '131072';
  const nodeOptions = env.NODE_OPTIONS ?? '';
  if (![nodeOptions, ...process.execArgv].some((option) => option.includes('--max-semi-space-size'))) {
    env.NODE_OPTIONS = `${nodeOptions} --max-semi-space-size=4`.trim();
  }
  try {
    execve.call(process, process.execPath, [process.execPath, ...process.execArgv, ...process.argv.slice(1)], env);
  } catch {
    // Could not start again (a sandbox refusing execve): run as started, with the default settings.
  }
}

/**
 * After each full garbage collection V8 lets the old generation grow to up to four times what
 * survived before collecting again. Draining a backlog allocates fast and keeps little (~80 MB live
 * at the peak), so the heap grew to 140-210 MB of mostly garbage and the drain peaked at 284-368 MB.
 * Growing by half at most held it at 236-245 MB for 4 % more CPU (6.8-7.3 against 7.3-7.5 ms per
 * message); a quarter, 218-221 MB for 7 % more. The flag is read at every collection, so unlike the
 * settings above it can be set in the running process, on every platform.
 */
function limitHeapGrowth(): void {
  const flag = heapGrowthFlag(process.env.NODE_OPTIONS ?? '', process.execArgv);
  if (flag) setFlagsFromString(flag);
}

/** The V8 flag limitHeapGrowth() sets, or null when the user chose a growth of their own. */
export function heapGrowthFlag(nodeOptions: string, execArgv: readonly string[]): string | null {
  if ([nodeOptions, ...execArgv].some((option) => option.includes('--heap-growing-percent'))) return null;
  return `--heap-growing-percent=${HEAP_GROWING_PERCENT}`;
}

retuneProcess();
