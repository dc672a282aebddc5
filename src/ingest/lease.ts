import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Db, DbOrTx } from '../db/index.js';
import { isDeadLocalHolder } from '../queue/index.js';

/**
 * Exactly one process watches each mailbox: the one holding its lease row.
 *
 * Why a lease row and not pg_try_advisory_lock: an advisory lock lives on one server connection, so
 * it needs a connection held out of the pool for as long as we watch, and when that connection
 * breaks the lock is gone without the holder noticing until it checks. A row with an expiry works
 * the same through the pool, on PostgreSQL and on PGlite, shows who watches what (`select * from
 * ingest_leases`), and lets the transaction that stores a message check that its writer still
 * holds the lease (advanceCursor in cursor.ts), which an advisory lock on another connection cannot.
 *
 * The statements here work on all of a process's leases at once (lease-keeper.ts runs them): a
 * process with a thousand mailboxes renews them, beats its heartbeat and learns what the others
 * hold in one statement per cycle, not one per mailbox.
 */

/** One configured mailbox as the cycle saw it. */
export interface LeaseRow {
  mailbox: string;
  /** Null when nobody holds it. */
  holder: string | null;
  /** Milliseconds until the lease expires, by the database's clock (negative: expired); null when free. */
  expiresInMs: number | null;
}

export interface CycleResult {
  /** Live registered processes configured with the same mailboxes, this one included. */
  live: number;
  /** Their ids (holder names), this one included. */
  processes: string[];
  /** The mailboxes whose lease this process still held and has renewed. */
  renewed: string[];
  /** Every configured mailbox with its holder before this statement. */
  leases: LeaseRow[];
}

/**
 * The heartbeat, the renewal of every lease `holder` has among `mailboxes`, and a look at the
 * rest, in ONE statement. Data-modifying CTEs run on the statement's snapshot, so `leases` shows
 * the rows as they were before the renewal; `renewed` says which of ours survived (a lease another
 * process took after it expired is not renewed: we have lost it). Expiry is judged by the
 * database's clock, so the processes' clocks never have to agree.
 */
export async function leaseCycle(db: DbOrTx, params: { holder: string; mailboxes: readonly string[]; lifeMs: number; watching: number }): Promise<CycleResult> {
  const names = [...params.mailboxes];
  const set = mailboxSetDigest(names);
  const { rows } = await sql<{ live: string | null; processes: string[] | null; mailbox: string | null; holder: string | null; expires_in_ms: string | null; renewed: boolean }>`
    with beat as (
      insert into ingest_processes (id, expires_at, mailboxes, mailbox_set, watching, started_at, heartbeat_at)
      values (${params.holder}, now() + ${params.lifeMs} * interval '1 millisecond', ${names.length}, ${set}, ${params.watching}, now(), now())
      on conflict (id) do update
        set expires_at = excluded.expires_at, mailboxes = excluded.mailboxes, mailbox_set = excluded.mailbox_set, watching = excluded.watching, heartbeat_at = now()
      returning id
    ), renewed as (
      update ingest_leases
         set expires_at = now() + ${params.lifeMs} * interval '1 millisecond', renewed_at = now()
       where holder = ${params.holder} and mailbox = any(${names}::text[])
      returning mailbox
    ), others as (
      select id, mailbox_set from ingest_processes where expires_at > now() and id <> ${params.holder}
    ), summary as (
      select (select count(*) from others where mailbox_set = ${set}) + (select count(*) from beat) as live, (select array_agg(id) from others) as processes
    )
    -- The summary rides on the first row only: a thousand copies of it would cost more to parse than the rest.
    select case when n.ord = 1 or n.ord is null then s.live end as live,
           case when n.ord = 1 then s.processes end as processes,
           n.mailbox, l.holder, (extract(epoch from (l.expires_at - now())) * 1000)::bigint as expires_in_ms,
           (r.mailbox is not null) as renewed
      from summary s
      left join unnest(${names}::text[]) with ordinality as n(mailbox, ord) on true
      left join ingest_leases l on l.mailbox = n.mailbox
      left join renewed r on r.mailbox = n.mailbox
     order by n.ord`.execute(db);
  const first = rows.find((r) => r.live !== null);
  const leases = rows.filter((r): r is typeof r & { mailbox: string } => r.mailbox !== null);
  return {
    live: Number(first?.live ?? 1),
    processes: [params.holder, ...(first?.processes ?? [])],
    renewed: leases.filter((r) => r.renewed).map((r) => r.mailbox),
    leases: leases.map((r) => ({ mailbox: r.mailbox, holder: r.holder, expiresInMs: r.expires_in_ms === null ? null : Number(r.expires_in_ms) })),
  };
}

/** Names the list of mailboxes: processes with the same digest share them fairly. */
export function mailboxSetDigest(mailboxes: readonly string[]): string {
  return createHash('sha256')
    .update([...mailboxes].sort().join('\n'))
    .digest('hex')
    .slice(0, 16);
}

/**
 * Takes the leases of those `mailboxes` that are free or expired, in one statement; returns the
 * ones taken. A lease another process holds and keeps renewing is never taken: handing over is the
 * holder's move (releaseLease), so a mailbox is never watched by two processes at once.
 */
export async function acquireLeases(db: DbOrTx, params: { holder: string; mailboxes: readonly string[]; lifeMs: number }): Promise<string[]> {
  if (params.mailboxes.length === 0) return [];
  const { rows } = await sql<{ mailbox: string }>`
    insert into ingest_leases (mailbox, holder, expires_at, acquired_at, renewed_at)
    select m, ${params.holder}, now() + ${params.lifeMs} * interval '1 millisecond', now(), now()
      from unnest(${[...params.mailboxes]}::text[]) as m
    on conflict (mailbox) do update
      set holder = excluded.holder,
          expires_at = excluded.expires_at,
          acquired_at = case when ingest_leases.holder = excluded.holder then ingest_leases.acquired_at else now() end,
          renewed_at = now()
      where ingest_leases.holder = excluded.holder or ingest_leases.expires_at < now()
    returning mailbox`.execute(db);
  return rows.map((r) => r.mailbox);
}

/** Gives the lease up so another process can take the mailbox at once (after our session logged out). */
export async function releaseLease(db: DbOrTx, params: { mailbox: string; holder: string }): Promise<void> {
  await db.deleteFrom('ingest_leases').where('mailbox', '=', params.mailbox).where('holder', '=', params.holder).execute();
}

/** A graceful stop: our leases (normally released one by one already) and our registry row go. */
export async function unregisterProcess(db: DbOrTx, holder: string): Promise<void> {
  await db.deleteFrom('ingest_leases').where('holder', '=', holder).execute();
  await db.deleteFrom('ingest_processes').where('id', '=', holder).execute();
}

/** Deletes the leases and registry rows of the given holders (processes known to be dead). */
export async function releaseHolders(db: DbOrTx, holders: readonly string[]): Promise<void> {
  if (holders.length === 0) return;
  await db
    .deleteFrom('ingest_leases')
    .where('holder', 'in', [...holders])
    .execute();
  await db
    .deleteFrom('ingest_processes')
    .where('id', 'in', [...holders])
    .execute();
}

/** Deletes the leases of dead Mailroom processes on this host, so another process takes their mailboxes at once. */
export async function releaseDeadLocalLeases(db: Db, options: { ownPid: boolean }): Promise<string[]> {
  const leases = await db.selectFrom('ingest_leases').select('holder').distinct().execute();
  const registered = await db.selectFrom('ingest_processes').select('id').execute();
  const dead = [...new Set([...leases.map((r) => r.holder), ...registered.map((r) => r.id)])].filter((holder) => isDeadLocalHolder(holder, options));
  await releaseHolders(db, dead);
  return dead;
}
