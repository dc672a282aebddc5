import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { type Kysely, type RawBuilder, sql, type Updateable } from 'kysely';
import type { Database, Db, DbOrTx } from '../db/index.js';

/**
 * One job queue for the work after a commit: messages to decide, drafts to write, deliveries to
 * send, keywords to set, shadow classifications to make. Each kind keeps its items in its own table (the audit trail the API
 * reads), with the same queue columns: status ('pending' while queued or in flight), attempts
 * (raised by each claim), next_attempt_at, locked_by (newWorkerId), locked_at, last_error.
 *
 * Claims follow graphile-worker: one statement picks due rows FOR NO KEY UPDATE SKIP LOCKED, so
 * workers in several processes pass each other's rows, and stamps them. NO KEY: the claim changes
 * no key, and a plain FOR UPDATE also conflicts with the KEY SHARE lock a foreign key takes, so a
 * message was passed over while any open transaction inserted a row referencing it (a sighting of
 * it in a second mailbox, until the watcher's group committed). Every later write is fenced on the
 * claim — holder AND attempt — so a worker that outlived its claim writes nothing over the one that
 * took the item over (ClaimLostError). Rejected: one jobs table with a payload (a second copy of
 * each item's state to keep in step), and a transaction held open for the work (minutes per
 * model call, a connection per item in flight). docs/design.md has the picture.
 */
export const QUEUE_TABLES = ['messages', 'drafts', 'webhook_deliveries', 'keyword_updates', 'shadow_results'] as const;
export type QueueTable = (typeof QUEUE_TABLES)[number];

/** A claim this old belongs to a dead process (elsewhere: see releaseDeadLocalClaims); longer than any attempt's retries. */
export const STALE_CLAIM_MS = 10 * 60 * 1000;

/** The queue columns every item row has (see above). */
export interface QueueRow {
  id: string;
  attempts: number;
  locked_by: string | null;
}

/** The fence of every write after a claim: which item, which worker, which attempt. */
export interface Claim<T extends QueueTable = QueueTable> {
  table: T;
  id: string;
  workerId: string;
  attempts: number;
}

/** The claim was lost (stale and taken over by another worker): nothing was written. */
export class ClaimLostError extends Error {
  override readonly name = 'ClaimLostError';
}

/** host:pid:random — one per process start, readable in `locked_by` and lease holders. */
export function newWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

export function claimOf<T extends QueueTable>(table: T, row: QueueRow): Claim<T> {
  if (!row.locked_by) throw new Error(`${table} ${row.id} is not claimed`);
  return { table, id: row.id, workerId: row.locked_by, attempts: row.attempts };
}

export interface ClaimOptions {
  workerId: string;
  now: Date;
  limit: number;
  /** Ids not to take (a one-pass drain that already tried them). */
  exclude?: readonly string[];
  /** Only these ids (a command that sends what it just queued). */
  only?: readonly string[];
  /**
   * Replaces the default choice (due and free, oldest first) with a fairness rule: SQL yielding
   * the ids to consider, each due and free. The claim re-checks and locks them.
   */
  candidates?: (filter: { now: Date; staleBefore: Date; restrict: (alias: string) => RawBuilder<unknown> }) => RawBuilder<unknown>;
  /** A claim older than this is presumed dead and may be taken (default STALE_CLAIM_MS). */
  staleAfterMs?: number;
  /** Columns to return (default all): large ones the worker does not need stay in the database. */
  columns?: readonly string[];
}

/**
 * Claims up to `limit` due items in one statement and returns their rows as claimed (attempts
 * already raised). A row another process claimed and committed after our snapshot fails the
 * re-check on the locked row version and is passed over.
 */
export async function claim<Row extends QueueRow>(db: DbOrTx, table: QueueTable, options: ClaimOptions): Promise<Row[]> {
  if (options.limit <= 0) return [];
  const { now, workerId } = options;
  const staleBefore = new Date(now.getTime() - (options.staleAfterMs ?? STALE_CLAIM_MS));
  const free = sql`q.status = 'pending' AND q.next_attempt_at <= ${now} AND (q.locked_at IS NULL OR q.locked_at < ${staleBefore})`;
  const restrict = (alias: string) => {
    const id = sql.ref(`${alias}.id`);
    const exclude = options.exclude?.length ? sql`AND NOT (${id} = ANY(${[...options.exclude]}::text[]))` : sql``;
    const only = options.only ? sql`AND ${id} = ANY(${[...options.only]}::text[])` : sql``;
    return sql`${exclude} ${only}`;
  };
  // ANY(ARRAY(...)) runs a custom candidate search once, then fetches by primary key; a plain
  // IN (subquery) may let the planner re-run it for every pending row.
  const among = options.candidates ? sql`AND q.id = ANY(ARRAY(${options.candidates({ now, staleBefore, restrict })}))` : sql``;
  const { rows } = await sql<Row>`
    UPDATE ${sql.table(table)} AS t
    SET locked_by = ${workerId}, locked_at = ${now}, attempts = t.attempts + 1, updated_at = ${now}
    WHERE t.id IN (
      SELECT q.id FROM ${sql.table(table)} AS q
      WHERE ${free} ${among} ${restrict('q')}
      ORDER BY q.next_attempt_at, q.id
      LIMIT ${options.limit}
      FOR NO KEY UPDATE SKIP LOCKED
    )
    RETURNING ${options.columns ? sql.join(options.columns.map((c) => sql.ref(`t.${c}`))) : sql`t.*`}`.execute(db);
  return rows;
}

type ItemUpdate<T extends QueueTable> = Updateable<Database[T]>;

/** Any queue table seen through its queue columns alone (named `item`), for the statements every table shares. */
type QueueDb = Kysely<{ item: { id: string; status: string; attempts: number; locked_by: string | null; locked_at: Date | null } }>;
const item = (table: QueueTable) => table as unknown as 'item';

/** The condition every write after a claim carries: still this worker's, at this attempt, not yet ended. */
export function stillClaimed(claim: Claim): RawBuilder<boolean> {
  return sql<boolean>`id = ${claim.id} AND locked_by = ${claim.workerId} AND attempts = ${claim.attempts} AND status = 'pending'`;
}

/** What a fenced write that matched no row throws: nothing was written. */
export function claimLost(claim: Claim): ClaimLostError {
  return new ClaimLostError(`${claim.table} ${claim.id} was taken over by another worker (this claim went stale); its result is discarded`);
}

/** A write to a claimed item that keeps the claim (progress a retry must see). */
export async function updateClaimed<T extends QueueTable>(db: DbOrTx, claim: Claim<T>, set: ItemUpdate<T>, now: Date): Promise<void> {
  const result = await (db as unknown as QueueDb)
    .updateTable(item(claim.table))
    .set({ ...(set as object), updated_at: now } as never)
    .where(stillClaimed(claim))
    .executeTakeFirst();
  if (result.numUpdatedRows === 0n) throw claimLost(claim);
}

/** Ends the item (a final status and its fields); the claim ends with it. */
export function complete<T extends QueueTable>(db: DbOrTx, claim: Claim<T>, set: ItemUpdate<T> & { status: string }, now: Date): Promise<void> {
  return updateClaimed(db, claim, { ...set, locked_by: null, locked_at: null } as ItemUpdate<T>, now);
}

/** Back to the queue, due at `runAt`, with the reason for operators. */
export function reschedule<T extends QueueTable>(db: DbOrTx, claim: Claim<T>, runAt: Date, error: string, now: Date, extra: ItemUpdate<T> = {} as ItemUpdate<T>): Promise<void> {
  const set = { ...(extra as object), next_attempt_at: runAt, last_error: error.replaceAll('\u0000', ''), locked_by: null, locked_at: null };
  return updateClaimed(db, claim, set as unknown as ItemUpdate<T>, now);
}

/** Releases every claim `workerId` holds in `table` (shutdown), so another process can go on at once. */
export async function releaseClaims(db: DbOrTx, table: QueueTable, workerId: string): Promise<void> {
  await (db as unknown as QueueDb).updateTable(item(table)).set({ locked_by: null, locked_at: null }).where('locked_by', '=', workerId).where('status', '=', 'pending').execute();
}

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
