/**
 * Memory settings that only take effect when a process starts, applied by starting again: the CLI
 * replaces itself once (execve: same pid, same stdio, same arguments) with them set. Measured on
 * `mailroom run` on PGlite (existing folder, idle), they cut the steady RSS from ~300 to ~230 MB:
 *
 * - `MALLOC_MMAP_THRESHOLD_=131072`: glibc raises its mmap threshold each time it frees a large
 *   block (up to 32 MB; PGlite reads its 9 MB WebAssembly and 6 MB file system this way), after
 *   which every block below it comes from the heap and each thread's arena keeps what it freed;
 *   a fixed threshold stops that (~30-45 MB of arenas no longer kept).
 * - `--max-semi-space-size=2` (through NODE_OPTIONS, so worker threads accept the process's
 *   execArgv): V8's young generation grows to 32 MB under allocation bursts and keeps it.
 *
 * A setting the user made wins; `MAILROOM_PROCESS_TUNED` (set by the restart) stops it from
 * happening twice, and setting it yourself turns the restart off. Linux only (glibc), and only
 * where Node has process.execve (22.15 and later); elsewhere the CLI runs as it was started.
 */
const MARK = 'MAILROOM_PROCESS_TUNED';

type Execve = (file: string, args: string[], env: NodeJS.ProcessEnv) => never;

export function retuneProcess(): void {
  const execve = (process as unknown as { execve?: Execve }).execve;
  if (process.platform !== 'linux' || typeof execve !== 'function' || process.env[MARK] !== undefined) return;
  const env: NodeJS.ProcessEnv = { ...process.env, [MARK]: '1' };
  env.MALLOC_MMAP_THRESHOLD_ ??= '131072';
  const nodeOptions = env.NODE_OPTIONS ?? '';
  if (![nodeOptions, ...process.execArgv].some((option) => option.includes('--max-semi-space-size'))) {
    env.NODE_OPTIONS = `${nodeOptions} --max-semi-space-size=2`.trim();
  }
  try {
    execve.call(process, process.execPath, [process.execPath, ...process.execArgv, ...process.argv.slice(1)], env);
  } catch {
    // Could not start again (a sandbox refusing execve): run as started, with the default settings.
  }
}

retuneProcess();
