import { hostname } from 'node:os';
import { sql } from 'kysely';
import type { Db } from './database.js';
import type { Logger } from '../util/logger.js';

/**
 * Tables whose rows a worker claims with `locked_by = "<host>:<pid>:…"`. A claim normally waits for
 * its lease to run out (minutes) before another worker may take it; that is the only safe rule
 * across hosts. On the same host we can do better: a holder whose pid is gone died (SIGKILL, OOM,
 * a crash), so its claims and mailbox leases are released at once and a restart resumes in seconds.
 */
const CLAIM_TABLES = ['messages', 'webhook_deliveries', 'drafts'] as const;

export interface ReleaseOptions {
  /** At start-up, claims carrying our own pid are from a previous life of this process (containers reuse pid 1). */
  includeOwnPid: boolean;
}

export async function releaseDeadLocalClaims(db: Db, logger: Logger, options: ReleaseOptions): Promise<number> {
  const prefix = `${hostname()}:`;
  const holders = new Set<string>();
  for (const table of CLAIM_TABLES) {
    const { rows } = await sql<{ holder: string }>`
      select distinct locked_by as holder from ${sql.table(table)} where locked_by like ${`${prefix}%`}`.execute(db);
    for (const row of rows) holders.add(row.holder);
  }
  const leases = await sql<{ holder: string }>`select holder from ingest_leases where holder like ${`${prefix}%`}`.execute(db);
  for (const row of leases.rows) holders.add(row.holder);

  let released = 0;
  for (const holder of holders) {
    if (!isDead(holder.slice(prefix.length), options.includeOwnPid)) continue;
    for (const table of CLAIM_TABLES) {
      const result = await sql`update ${sql.table(table)} set locked_by = null, locked_at = null where locked_by = ${holder}`.execute(db);
      released += Number(result.numAffectedRows ?? 0);
    }
    await sql`delete from ingest_leases where holder = ${holder}`.execute(db);
    logger.info({ holder }, 'released the claims and leases of a Mailroom process on this host that is no longer running');
  }
  return released;
}

function isDead(rest: string, includeOwnPid: boolean): boolean {
  const pid = Number.parseInt(rest.split(':')[0] ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return includeOwnPid;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
