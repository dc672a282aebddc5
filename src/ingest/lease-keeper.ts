import { hostname } from 'node:os';
import type { Db } from '../db/index.js';
import { isDeadLocalHolder } from '../queue/index.js';
import type { Logger } from '../util/logger.js';
import { jitter } from '../util/wait.js';
import { planShare } from './fair-share.js';
import { acquireLeases, type CycleResult, leaseCycle, releaseHolders, releaseLease, unregisterProcess } from './lease.js';
import type { LeaseView } from './mailbox-watcher.js';

/**
 * The timings derived from ingest.lease_ttl, the promise that a dead process's mailboxes are
 * watched again within it. A cycle (heartbeat, renewals, a look at the others) runs every tenth of
 * it; a lease row lives half of it (five cycles, so four missed renewals are survived); a process
 * that sees a lease about to expire wakes for the expiry and takes it at once, which leaves the
 * other half of the TTL for the logins of the dead process's mailboxes (a hundred and fifty take
 * 10–15 s at 8 at a time on a busy Dovecot). On the same host a dead holder is noticed by its pid
 * within a quarter of a second, long before any lease expires.
 */
export function leaseTimings(leaseTtlMs: number): { cycleMs: number; lifeMs: number; settleMs: number } {
  const cycleMs = Math.max(50, Math.round(leaseTtlMs / 10));
  return { cycleMs, lifeMs: 5 * cycleMs, settleMs: Math.min(cycleMs, 2000) };
}

/** The first cycle's wait when no other process is registered. */
const ALONE_SETTLE_MS = 250;

/** What the keeper asks of a mailbox's watcher. */
export interface LeaseFollower {
  take(): void;
  handOver(): Promise<void>;
  lose(reason: string): void;
  /** The lease was renewed: a watcher that stood by while its renewal was late watches again. */
  renewed(): void;
  /** Connected or connecting: handing it over costs a logout, so it goes last. */
  readonly busy: boolean;
  /** Logged in and watching. */
  readonly connected: boolean;
}

export interface LeaseKeeperOptions {
  db: Db;
  holder: string;
  mailboxes: readonly string[];
  leaseTtlMs: number;
  localProbeMs: number;
  logger: Logger;
}

export interface ShareStatus {
  /** Live processes sharing the mailboxes, this one included (as of the last cycle). */
  processes: number;
  /** This process's fair share: ceil(mailboxes ÷ processes). */
  target: number;
  held: number;
  handingOver: number;
  /** Cycles run since the start: one statement each, unless there was something to take or give. */
  cycles: number;
}

interface Lease {
  holder: string | null;
  /** Local time until which our lease is trusted without a renewal. */
  validUntil: number;
}

/**
 * Keeps this process's share of the mailboxes' leases: one statement per cycle renews them all,
 * beats the heartbeat and sees the others (lease.ts); each process aims at
 * ceil(mailboxes ÷ live processes), takes free and expired leases up to it, hands surplus over after
 * the current sweep when a process joins, and takes its part of a leaving or dead process's
 * mailboxes. A live process's lease is never taken, only given up, so no mailbox is watched twice.
 */
export class LeaseKeeper {
  readonly #options: LeaseKeeperOptions;
  readonly #timings: ReturnType<typeof leaseTimings>;
  readonly #leases = new Map<string, Lease>();
  readonly #mine = new Set<string>();
  readonly #giving = new Set<string>();
  readonly #followers = new Map<string, LeaseFollower>();
  /** Holders on this host seen in the last cycle, probed for being alive. */
  #localHolders = new Set<string>();
  #deadFound = new Set<string>();
  /** Mailboxes of a dead local holder, released this cycle (taken up to our share, like any free one). */
  #orphans = new Set<string>();
  /**
   * Mailboxes taken from a dead holder (released orphans, expired leases) that have not logged in
   * yet, with when they were taken: surplus is handed over only after they did, because a mailbox
   * passed on while it waits for a login slot waits for the next process's cycle as well.
   */
  readonly #rescued = new Map<string, number>();
  #status: Omit<ShareStatus, 'cycles'> = { processes: 1, target: 0, held: 0, handingOver: 0 };
  #cycleTimer: NodeJS.Timeout | null = null;
  #probeTimer: NodeJS.Timeout | null = null;
  #lapseTimer: NodeJS.Timeout | null = null;
  #cycling: Promise<void> | null = null;
  #again = false;
  #halted = false;
  #draining = false;
  #cycles = 0;
  #failing = false;
  #lastPlanLog = '';

  constructor(options: LeaseKeeperOptions) {
    this.#options = options;
    this.#timings = leaseTimings(options.leaseTtlMs);
    for (const mailbox of options.mailboxes) this.#leases.set(mailbox, { holder: null, validUntil: 0 });
  }

  /** The lease of one mailbox as its watcher sees it. */
  view(mailbox: string): LeaseView {
    return {
      held: () => this.#mine.has(mailbox) && Date.now() < (this.#leases.get(mailbox)?.validUntil ?? 0),
      holder: () => (this.#mine.has(mailbox) ? this.#options.holder : (this.#leases.get(mailbox)?.holder ?? null)),
    };
  }

  follow(mailbox: string, follower: LeaseFollower): void {
    this.#followers.set(mailbox, follower);
  }

  start(): void {
    this.#kick(0);
    const probe = () => {
      this.#probeTimer = setTimeout(probe, this.#options.localProbeMs);
      this.#probeTimer.unref();
      this.#probeLocalHolders();
    };
    this.#probeTimer = setTimeout(probe, this.#options.localProbeMs);
    this.#probeTimer.unref();
  }

  status(): ShareStatus {
    return { ...this.#status, held: this.#mine.size, handingOver: this.#giving.size, cycles: this.#cycles };
  }

  /** Keeps renewing but takes and gives nothing more (while the watchers stop). */
  drain(): void {
    this.#draining = true;
  }

  /** No more cycles; the leases stay as they are (stop() of the watchers, then release()). */
  async halt(): Promise<void> {
    this.#halted = true;
    for (const timer of [this.#cycleTimer, this.#probeTimer, this.#lapseTimer]) if (timer) clearTimeout(timer);
    await this.#cycling;
  }

  /** After the watchers logged out: the leases and the registry row go, so the others take over at once. */
  async release(): Promise<void> {
    await this.halt();
    this.#mine.clear();
    await unregisterProcess(this.#options.db, this.#options.holder);
  }

  #kick(delayMs: number): void {
    if (this.#halted) return;
    if (this.#cycleTimer) clearTimeout(this.#cycleTimer);
    this.#cycleTimer = setTimeout(() => {
      this.#cycleTimer = null;
      if (this.#cycling !== null) {
        this.#again = true;
        return;
      }
      this.#cycling = this.#runCycle().finally(() => {
        this.#cycling = null;
        if (this.#again) {
          this.#again = false;
          this.#kick(0);
        }
      });
    }, delayMs);
    this.#cycleTimer.unref();
  }

  #probeLocalHolders(): void {
    const dead = [...this.#localHolders].filter((holder) => !this.#deadFound.has(holder) && isDeadLocalHolder(holder, { ownPid: false }));
    if (dead.length === 0) return;
    for (const holder of dead) this.#deadFound.add(holder);
    this.#kick(0);
  }

  async #runCycle(): Promise<void> {
    const { db, holder, logger } = this.#options;
    const { cycleMs, lifeMs, settleMs } = this.#timings;
    let next = jitter(cycleMs);
    try {
      // A process on this host that died: its leases and its registry row go first, so this cycle
      // already counts the processes without it and takes its mailboxes.
      if (this.#deadFound.size > 0) {
        const dead = [...this.#deadFound];
        for (const [mailbox, lease] of this.#leases) if (lease.holder && this.#deadFound.has(lease.holder)) this.#orphans.add(mailbox);
        await releaseHolders(db, dead);
        for (const h of dead) this.#localHolders.delete(h);
        this.#deadFound.clear();
        logger.info(
          { holders: dead },
          `released the watch leases of ${dead.length === 1 ? 'a Mailroom process' : `${dead.length} Mailroom processes`} on this host that no longer run${dead.length === 1 ? 's' : ''} (${dead.join(', ')})`,
        );
      }
      const startedAt = Date.now();
      const result = await leaseCycle(db, { holder, mailboxes: this.#options.mailboxes, lifeMs, watching: this.#mine.size });
      this.#cycles += 1;
      if (this.#failing) logger.info('the watch leases are renewed again');
      this.#failing = false;
      this.#absorb(result, startedAt);
      if (this.#draining) next = jitter(cycleMs);
      else if (this.#deadFound.size > 0) next = 0;
      else if (this.#cycles === 1) {
        // The first cycle only registers: processes started together see each other before
        // anyone takes a mailbox, instead of one taking all and handing most of them back. Alone
        // (the usual small-team service), a quarter of a second is enough for one started with it
        // to register; the whole settle delayed every start's first fetch by 2 s.
        next = result.live <= 1 ? Math.min(settleMs, ALONE_SETTLE_MS) : settleMs;
      } else {
        next = Math.min(next, await this.#rebalance(result, startedAt));
      }
    } catch (error) {
      if (!this.#failing)
        logger.warn({ err: error }, `could not renew the watch leases: ${(error as Error).message}; retrying (mailboxes stop being watched if this lasts ${Math.round(lifeMs / 1000)} s)`);
      this.#failing = true;
      next = Math.min(next, 1000);
    }
    this.#kick(next);
  }

  /** Applies what the cycle saw: renewals, losses, others' holders; schedules the local lapse. */
  #absorb(result: CycleResult, startedAt: number): void {
    const renewed = new Set(result.renewed);
    for (const mailbox of [...this.#mine]) {
      if (renewed.has(mailbox)) continue;
      this.#mine.delete(mailbox);
      this.#giving.delete(mailbox);
      this.#followers.get(mailbox)?.lose('another process took the lease over');
    }
    // A lease of ours we did not count (its acquisition's answer was lost): watch it; a later
    // cycle hands it over if it is more than our share.
    for (const mailbox of renewed) {
      if (this.#mine.has(mailbox) || !this.#leases.has(mailbox)) continue;
      this.#mine.add(mailbox);
      this.#followers.get(mailbox)?.take();
    }
    const local = new Set<string>();
    const isLocal = (h: string | null): h is string => !!h && h !== this.#options.holder && h.startsWith(`${hostname()}:`);
    for (const row of result.leases) {
      const lease = this.#leases.get(row.mailbox);
      if (!lease) continue;
      if (renewed.has(row.mailbox)) {
        lease.holder = this.#options.holder;
        lease.validUntil = startedAt + this.#timings.lifeMs;
        this.#followers.get(row.mailbox)?.renewed();
      } else {
        lease.holder = row.holder;
        if (isLocal(row.holder)) local.add(row.holder);
      }
    }
    for (const process of result.processes) if (isLocal(process)) local.add(process);
    this.#localHolders = local;
    this.#probeLocalHolders();
    this.#scheduleLapse();
  }

  /**
   * Our renewals failed for as long as a lease lives: another process may take the mailbox now, so
   * our session must be gone by then (the store's fencing refuses our writes in any case).
   */
  #scheduleLapse(): void {
    if (this.#lapseTimer) clearTimeout(this.#lapseTimer);
    this.#lapseTimer = null;
    let soonest = Number.POSITIVE_INFINITY;
    for (const mailbox of this.#mine) soonest = Math.min(soonest, this.#leases.get(mailbox)?.validUntil ?? 0);
    if (soonest === Number.POSITIVE_INFINITY) return;
    this.#lapseTimer = setTimeout(
      () => {
        this.#lapseTimer = null;
        const now = Date.now();
        for (const mailbox of [...this.#mine]) {
          if ((this.#leases.get(mailbox)?.validUntil ?? 0) > now) continue;
          this.#mine.delete(mailbox);
          this.#giving.delete(mailbox);
          this.#followers.get(mailbox)?.lose('it could not be renewed in time');
        }
        this.#scheduleLapse();
      },
      Math.max(0, soonest - Date.now()),
    );
    this.#lapseTimer.unref();
  }

  /** Takes or gives towards the fair share; returns how soon the next cycle should run. */
  async #rebalance(result: CycleResult, startedAt: number): Promise<number> {
    const { db, holder, logger } = this.#options;
    const { cycleMs, lifeMs } = this.#timings;
    const keeping = [...this.#mine].filter((m) => !this.#giving.has(m));
    // Cheapest to hand over first: mailboxes not connected yet.
    keeping.sort((a, b) => Number(this.#followers.get(a)?.busy ?? false) - Number(this.#followers.get(b)?.busy ?? false));
    const plan = planShare({ mine: keeping, leases: result.leases, live: result.live, deadHolders: new Set() });
    // A takeover's logins first, then the balance (bounded: a mailbox that cannot log in, e.g. a
    // wrong password, holds the hand-over back for one lease_ttl at most).
    for (const [mailbox, takenAt] of this.#rescued) {
      if (!this.#mine.has(mailbox) || this.#followers.get(mailbox)?.connected !== false || Date.now() - takenAt > this.#options.leaseTtlMs) this.#rescued.delete(mailbox);
    }
    if (this.#rescued.size > 0) plan.give = [];
    // A dead process's mailboxes released this cycle are taken up to our share only: the rest stay
    // free for the others, who take them at their next cycle (a tenth of lease_ttl) and log them in
    // beside ours. Measured on a busy machine, one process taking all of them logged them in at
    // about half the pace of two sharing the work.
    const orphans = [...this.#orphans];
    this.#orphans.clear();
    let taken: string[] = [];
    if (plan.take.length > 0) {
      const at = Date.now();
      const fromDead = new Set([...orphans, ...result.leases.filter((l) => l.holder !== null && l.holder !== holder).map((l) => l.mailbox)]);
      taken = await acquireLeases(db, { holder, mailboxes: plan.take, lifeMs });
      for (const mailbox of taken) {
        this.#mine.add(mailbox);
        if (fromDead.has(mailbox)) this.#rescued.set(mailbox, at);
        const lease = this.#leases.get(mailbox);
        if (lease) {
          lease.holder = holder;
          lease.validUntil = at + lifeMs;
        }
        this.#followers.get(mailbox)?.take();
      }
      this.#scheduleLapse();
    }
    for (const mailbox of plan.give) this.#give(mailbox);
    const line = `${result.live}|${plan.target}|${taken.length}|${plan.give.length}`;
    if ((taken.length > 0 || plan.give.length > 0) && line !== this.#lastPlanLog) {
      const what = [taken.length > 0 ? `took ${taken.length}` : '', plan.give.length > 0 ? `handing over ${plan.give.length} after their current sweep` : ''].filter(Boolean).join(', ');
      logger.info(
        { processes: result.live, target: plan.target, held: this.#mine.size - plan.give.length },
        `watching ${this.#mine.size - this.#giving.size} of ${result.leases.length} mailboxes: ${what} (fair share ${plan.target} with ${result.live} process${result.live === 1 ? '' : 'es'})`,
      );
    }
    this.#lastPlanLog = line;
    this.#status = { processes: result.live, target: plan.target, held: this.#mine.size, handingOver: this.#giving.size };

    // While below our share and another process is above it, look again soon: it is handing
    // mailboxes over and they are ours to take. In balance, one statement per cycle.
    const counts = new Map<string, number>();
    for (const row of result.leases) if (row.holder && row.holder !== holder) counts.set(row.holder, (counts.get(row.holder) ?? 0) + 1);
    const below = this.#mine.size - this.#giving.size < plan.target;
    if (below && [...counts.values()].some((n) => n > plan.target)) return Math.max(50, Math.round(cycleMs / 5));
    // A lease of another process about to expire without renewal (its holder missed renewals): be there when it does.
    const elapsed = Date.now() - startedAt;
    let soonest = Number.POSITIVE_INFINITY;
    for (const row of result.leases) if (row.holder && row.holder !== holder && row.expiresInMs !== null && row.expiresInMs > 0) soonest = Math.min(soonest, row.expiresInMs);
    if (soonest < cycleMs) return Math.max(0, soonest - elapsed + 20);
    return Number.POSITIVE_INFINITY;
  }

  #give(mailbox: string): void {
    const { db, holder, logger } = this.#options;
    this.#giving.add(mailbox);
    const follower = this.#followers.get(mailbox);
    void (follower ? follower.handOver() : Promise.resolve())
      .then(async () => {
        // Only after the session logged out: then nobody watches it until the next holder does.
        if (!this.#mine.has(mailbox)) return;
        await releaseLease(db, { mailbox, holder });
        this.#mine.delete(mailbox);
        const lease = this.#leases.get(mailbox);
        if (lease) lease.holder = null;
      })
      .catch((error: unknown) => {
        // Still ours: watch it again; the next cycle hands it over if it is still surplus.
        follower?.take();
        logger.warn({ err: error, mailbox }, `mailbox "${mailbox}": could not release the watch lease (${(error as Error).message}); watching it again for now`);
      })
      .finally(() => this.#giving.delete(mailbox));
  }
}
