import type { Db } from '../db/database.js';
import type { Logger } from '../util/logger.js';
import { acquireLease } from './sql/acquire-lease.js';
import { releaseLease } from './sql/release-lease.js';
import { renewLease } from './sql/renew-lease.js';

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
