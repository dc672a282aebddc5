import { sql } from 'kysely';
import type { Db, DbOrTx } from '../db/index.js';
import { isDeadLocalHolder } from '../queue/index.js';
import type { Logger } from '../util/logger.js';

/**
 * Exactly one process watches each mailbox: the one holding its lease row.
 *
 * Why a lease row and not pg_try_advisory_lock: an advisory lock lives on one server connection, so
 * it needs a connection held out of the pool for as long as we watch, and when that connection
 * breaks the lock is gone without the holder noticing until it checks. A row with an expiry works
 * the same through the pool, on PostgreSQL and on PGlite, shows who watches what (`select * from
 * ingest_leases`), and lets the transaction that stores a message check that its writer still
 * holds the lease (see advance-cursor.ts), which an advisory lock on another connection cannot.
 * The price is a takeover delay of up to one TTL after a holder dies, and one UPDATE every TTL/3.
 */
export class MailboxLease {
  readonly #db: Db;
  readonly #mailbox: string;
  readonly #holder: string;
  readonly #ttlMs: number;
  readonly #logger: Logger;
  readonly #onLost: () => void;
  #held = false;
  /** Local deadline after which we stop trusting the lease even if renewals could not be confirmed. */
  #validUntil = 0;
  #timer: NodeJS.Timeout | null = null;
  #lastHolder: string | null = null;

  constructor(params: { db: Db; mailbox: string; holder: string; ttlMs: number; logger: Logger; onLost: () => void }) {
    this.#db = params.db;
    this.#mailbox = params.mailbox;
    this.#holder = params.holder;
    this.#ttlMs = params.ttlMs;
    this.#logger = params.logger;
    this.#onLost = params.onLost;
  }

  get held(): boolean {
    return this.#held && Date.now() < this.#validUntil;
  }

  /** The holder seen at the last attempt (ours or another process's). */
  get holder(): string | null {
    return this.#lastHolder;
  }

  /** Tries once; on success keeps renewing every TTL/3 until release() or loss. */
  async tryAcquire(): Promise<boolean> {
    const startedAt = Date.now();
    const result = await acquireLease(this.#db, { mailbox: this.#mailbox, holder: this.#holder, ttlMs: this.#ttlMs });
    this.#lastHolder = result.holder;
    if (!result.held) return false;
    this.#held = true;
    this.#validUntil = startedAt + this.#ttlMs;
    this.#schedule();
    return true;
  }

  #schedule(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#renew(), Math.max(50, Math.floor(this.#ttlMs / 3)));
  }

  async #renew(): Promise<void> {
    this.#timer = null;
    if (!this.#held) return;
    const startedAt = Date.now();
    try {
      const still = await renewLease(this.#db, { mailbox: this.#mailbox, holder: this.#holder, ttlMs: this.#ttlMs });
      if (!this.#held) return;
      if (still) {
        this.#validUntil = startedAt + this.#ttlMs;
        this.#schedule();
        return;
      }
      this.#lose('another process took the lease over');
    } catch (error) {
      if (!this.#held) return;
      if (Date.now() >= this.#validUntil) {
        this.#lose(`the lease could not be renewed before it expired: ${(error as Error).message}`);
      } else {
        this.#schedule();
      }
    }
  }

  #lose(reason: string): void {
    this.#held = false;
    this.#logger.warn({ mailbox: this.#mailbox }, `mailbox "${this.#mailbox}": lost the watch lease (${reason}); stopping this watcher's IMAP session`);
    this.#onLost();
  }

  /** Stops renewing and deletes the row so a standby process can take over at once. */
  async release(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const wasHeld = this.#held;
    this.#held = false;
    if (wasHeld) await releaseLease(this.#db, { mailbox: this.#mailbox, holder: this.#holder });
  }

  /** Stops renewing without releasing (tests: simulate a holder that froze or died). */
  abandon(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#held = false;
  }
}

/**
 * Takes the mailbox's lease for `holder`, or renews it when `holder` already has it. Succeeds only
 * when nobody holds it, the holder is us, or the holder's lease has expired (a dead or stuck
 * process). Expiry is judged by the database clock, so the processes' clocks never have to agree.
 * Returns the holder after the statement: `holder` when we have it, the other process otherwise.
 */
export async function acquireLease(db: DbOrTx, params: { mailbox: string; holder: string; ttlMs: number }): Promise<{ held: boolean; holder: string | null }> {
  const { rows } = await sql<{ holder: string }>`
    insert into ingest_leases (mailbox, holder, expires_at, acquired_at, renewed_at)
    values (${params.mailbox}, ${params.holder}, now() + ${params.ttlMs} * interval '1 millisecond', now(), now())
    on conflict (mailbox) do update
      set holder = excluded.holder,
          expires_at = excluded.expires_at,
          acquired_at = case when ingest_leases.holder = excluded.holder then ingest_leases.acquired_at else now() end,
          renewed_at = now()
      where ingest_leases.holder = excluded.holder or ingest_leases.expires_at < now()
    returning holder`.execute(db);
  if (rows.length > 0) return { held: true, holder: params.holder };
  const current = await db.selectFrom('ingest_leases').select('holder').where('mailbox', '=', params.mailbox).executeTakeFirst();
  return { held: false, holder: current?.holder ?? null };
}

/** Extends the lease if `holder` still has it; false when another process took it over. */
export async function renewLease(db: DbOrTx, params: { mailbox: string; holder: string; ttlMs: number }): Promise<boolean> {
  const result = await sql`
    update ingest_leases
       set expires_at = now() + ${params.ttlMs} * interval '1 millisecond', renewed_at = now()
     where mailbox = ${params.mailbox} and holder = ${params.holder}`.execute(db);
  return Number(result.numAffectedRows ?? 0n) > 0;
}

/** Gives the lease up so a standby process can take the mailbox at once (graceful stop). */
export async function releaseLease(db: DbOrTx, params: { mailbox: string; holder: string }): Promise<void> {
  await db.deleteFrom('ingest_leases').where('mailbox', '=', params.mailbox).where('holder', '=', params.holder).execute();
}

/** Deletes the leases of dead Mailroom processes on this host, so a standby takes their mailboxes at once. */
export async function releaseDeadLocalLeases(db: Db, options: { ownPid: boolean }): Promise<string[]> {
  const rows = await db.selectFrom('ingest_leases').select('holder').execute();
  const dead = [...new Set(rows.map((r) => r.holder))].filter((holder) => isDeadLocalHolder(holder, options));
  if (dead.length > 0) await db.deleteFrom('ingest_leases').where('holder', 'in', dead).execute();
  return dead;
}
