import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { type Kysely, type RawBuilder, sql, type Updateable } from 'kysely';
import type { Database, DbOrTx } from '../db/index.js';

/**
 * One job queue for every piece of work Mailroom does after a commit: messages to decide, reply
 * drafts to write, webhook deliveries to send, IMAP keywords to set. Each kind keeps its items in
 * its own table (its rows are also what the CLI and the API show), and every such table has the
 * same queue columns with the same meaning:
 *
 *   status          'pending' while queued or in flight; any other value ends the item
 *   attempts        raised by each claim, so a crash mid-work still counts as an attempt
 *   next_attempt_at when the item is due
 *   locked_by       the worker holding the claim (newWorkerId: "<host>:<pid>:<random>")
 *   locked_at       when it was claimed; a claim older than STALE_CLAIM_MS is presumed dead
 *   last_error      why the last attempt did not finish
 *
 * Claims follow graphile-worker: one statement that picks due rows `FOR UPDATE SKIP LOCKED` (so
 * workers in several processes pass each other's rows instead of waiting) and stamps them. Every
 * later write is fenced on the claim — holder AND attempt — so a worker that outlived its claim
 * (paused, partitioned) writes nothing over the worker that took the item over; such a write
 * throws ClaimLostError.
 *
 * Rejected: one shared jobs table with a payload (graphile-worker's own shape). The items' tables
 * are the audit trail the API reads; a second copy of their state in a jobs table would be a
 * second truth to keep in step. Rejected too: holding a transaction open for the work (minutes of
 * open transactions and a connection per item in flight while a model or a receiver answers).
 */
export const QUEUE_TABLES = ['messages', 'drafts', 'webhook_deliveries', 'keyword_updates'] as const;
export type QueueTable = (typeof QUEUE_TABLES)[number];

/**
 * A claim older than this belongs to a process that died mid-work (on another host: on this one
 * dead holders are released at once, see releaseDeadLocalClaims); another worker may take it.
 * Longer than any one attempt: a classification may spend minutes in retries before it gives up.
 */
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
      FOR UPDATE SKIP LOCKED
    )
    RETURNING ${options.columns ? sql.join(options.columns.map((c) => sql.ref(`t.${c}`))) : sql`t.*`}`.execute(db);
  return rows;
}

type ItemUpdate<T extends QueueTable> = Updateable<Database[T]>;

/** Any queue table seen through its queue columns alone (named `item`), for the statements every table shares. */
type QueueDb = Kysely<{ item: { id: string; status: string; attempts: number; locked_by: string | null; locked_at: Date | null } }>;
const item = (table: QueueTable) => table as unknown as 'item';

/** A write to a claimed item that keeps the claim (progress a retry must see). */
export async function updateClaimed<T extends QueueTable>(db: DbOrTx, claim: Claim<T>, set: ItemUpdate<T>, now: Date): Promise<void> {
  const result = await (db as unknown as QueueDb)
    .updateTable(item(claim.table))
    .set({ ...(set as object), updated_at: now } as never)
    .where('id', '=', claim.id)
    .where('locked_by', '=', claim.workerId)
    .where('attempts', '=', claim.attempts)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  if (result.numUpdatedRows === 0n)
    throw new ClaimLostError(`${claim.table} ${claim.id} was taken over by another worker (this claim went stale); its result is discarded`);
}

/** Ends the item (a final status and its fields); the claim ends with it. */
export function complete<T extends QueueTable>(db: DbOrTx, claim: Claim<T>, set: ItemUpdate<T> & { status: string }, now: Date): Promise<void> {
  return updateClaimed(db, claim, { ...set, locked_by: null, locked_at: null } as ItemUpdate<T>, now);
}

/** Back to the queue, due at `runAt`, with the reason for operators. */
export function reschedule<T extends QueueTable>(db: DbOrTx, claim: Claim<T>, runAt: Date, error: string, now: Date): Promise<void> {
  const set = { next_attempt_at: runAt, last_error: error.replaceAll('\u0000', ''), locked_by: null, locked_at: null };
  return updateClaimed(db, claim, set as unknown as ItemUpdate<T>, now);
}

/** Releases every claim `workerId` holds in `table` (shutdown), so another process can go on at once. */
export async function releaseClaims(db: DbOrTx, table: QueueTable, workerId: string): Promise<void> {
  await (db as unknown as QueueDb)
    .updateTable(item(table))
    .set({ locked_by: null, locked_at: null })
    .where('locked_by', '=', workerId)
    .where('status', '=', 'pending')
    .execute();
}
