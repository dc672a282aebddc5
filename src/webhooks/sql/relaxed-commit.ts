import { sql } from 'kysely';
import type { Db, Tx } from '../../db/database.js';

/**
 * Runs `fn` in a transaction that commits without waiting for the WAL flush
 * (`SET LOCAL synchronous_commit = off`). Only the claim and the attempt record use it: each
 * delivery costs two commits, and waiting for the WAL flush on both was the largest cost per
 * delivery (bench/webhooks-throughput.ts on the build machine: 104–157/s with, 139–284/s without). What a database-server crash can lose is the last fraction of a
 * second of these commits, which is the same as a worker crash between send and record: the row
 * is claimed (or still pending) and the event goes out again with the same webhook-id. It never
 * loses an event — the event and its outbox rows are written by the decision transaction, which
 * keeps full durability — and never corrupts anything.
 */
export async function withRelaxedCommit<T>(db: Db, fn: (trx: Tx) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    await sql`SET LOCAL synchronous_commit = off`.execute(trx);
    return fn(trx);
  });
}
