import { hostname } from 'node:os';
import { sql } from 'kysely';
import type { Db } from '../db/index.js';
import { QUEUE_TABLES } from './queue.js';

/**
 * A claim normally waits for STALE_CLAIM_MS before another worker may take it; that is the only
 * safe rule across hosts. On the same host we can do better: a holder (newWorkerId format) whose
 * pid is gone died (SIGKILL, OOM, a crash), so its claims are released at once and a restart
 * resumes in seconds. `ownPid` at start-up: claims carrying our own pid are from a previous life
 * of this process (containers reuse pid 1).
 */
export function isDeadLocalHolder(holder: string, options: { ownPid: boolean }): boolean {
  const prefix = `${hostname()}:`;
  if (!holder.startsWith(prefix)) return false;
  const pid = Number.parseInt(holder.slice(prefix.length).split(':')[0] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return options.ownPid;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Releases every queue claim of a dead process on this host; returns the holders released. */
export async function releaseDeadLocalClaims(db: Db, options: { ownPid: boolean }): Promise<string[]> {
  const released = new Set<string>();
  const like = `${hostname()}:%`;
  for (const table of QUEUE_TABLES) {
    const { rows } = await sql<{ holder: string }>`select distinct locked_by as holder from ${sql.table(table)} where locked_by like ${like}`.execute(db);
    for (const { holder } of rows) {
      if (!isDeadLocalHolder(holder, options)) continue;
      await sql`update ${sql.table(table)} set locked_by = null, locked_at = null where locked_by = ${holder}`.execute(db);
      released.add(holder);
    }
  }
  return [...released];
}
