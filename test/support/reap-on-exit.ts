import type { ChildProcess } from 'node:child_process';

/**
 * Children a test or a bench started (a Dovecot, `mailroom run`) that must not outlive it. Their
 * own stop() is the normal end; this is for the abnormal one: an uncaught error or a failed
 * assertion ends the process before any after-hook runs, and a run of the bench once left a
 * `mailroom run` and its Dovecot working for a quarter of an hour beside the next measurements.
 * The 'exit' event allows only synchronous work: a SIGKILL is what can still be sent.
 */
const live = new Map<ChildProcess, { group: boolean }>();
let listening = false;

/** Kills `child` (its whole process group with `group`, for a detached child) if it still runs when this process exits. */
export function reapOnExit(child: ChildProcess, options: { group?: boolean } = {}): void {
  if (!listening) {
    process.once('exit', reapAll);
    listening = true;
  }
  live.set(child, { group: options.group ?? false });
  child.once('exit', () => live.delete(child));
}

function reapAll(): void {
  for (const [child, { group }] of live) {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) continue;
    try {
      process.kill(group ? -child.pid : child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  live.clear();
}
