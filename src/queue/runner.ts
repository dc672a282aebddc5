import type { Db } from '../db/index.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { backoffDelay, createWakeableSleep } from '../util/wait.js';
import { type Claim, ClaimLostError, type ClaimOptions, claim, claimOf, type QueueRow, type QueueTable, releaseClaims, reschedule } from './queue.js';

/** One kind of work on the queue: how to claim it and what to do with each item. */
export interface QueueHandler<Row extends QueueRow, Out> {
  table: QueueTable;
  /** Items in flight at once in this process. */
  concurrency: number;
  /** How often to look for items coming due when nothing wakes the runner. */
  pollMs: number;
  /** Replaces the plain claim (a fairness rule, extra columns to load); must claim through queue.claim. */
  claim?(options: ClaimOptions): Promise<Row[]>;
  /**
   * Takes one claimed item to its end or back to the queue, with every write fenced on `claim`.
   * Anything it throws is unexpected: the runner gives the item back with a backoff at once.
   */
  handle(row: Row, claim: Claim): Promise<Out>;
  /** Fields that name the item in log lines (email_id, delivery_id…). */
  describe(row: Row): Record<string, unknown>;
}

export interface RunnerDeps {
  db: Db;
  workerId: string;
  clock: Clock;
  logger: Logger;
  random?: () => number;
}

export interface Runner<Out> {
  /** Starts the long-running loop (`mailroom run`). */
  start(): void;
  /** New work was committed: look now instead of at the next poll. */
  wake(): void;
  /** Takes every item due now once (a command that finishes what it queued); null for an item that failed unexpectedly. */
  drainOnce(): Promise<Array<Out | null>>;
  /** Stops claiming, waits for items in flight up to the deadline, releases what it still holds. */
  stop(deadlineMs?: number): Promise<void>;
  inFlight(): number;
}

/** After an unexpected error: 1 s doubling to 15 min, so a poison item costs little and a passing fault heals in seconds. */
const ERROR_RETRY = { minMs: 1000, maxMs: 15 * 60 * 1000 };
const CLAIM_ERROR_PAUSE_MS = 5000;
const DEFAULT_STOP_DEADLINE_MS = 8000;

export function createRunner<Row extends QueueRow, Out>(deps: RunnerDeps, handler: QueueHandler<Row, Out>): Runner<Out> {
  const { db, workerId, clock, logger } = deps;
  const running = new Set<Promise<Out | null>>();
  const idle = createWakeableSleep();
  let stopping = false;
  let loopDone: Promise<void> | null = null;

  const claimDue = (limit: number, exclude?: readonly string[]) => {
    const options: ClaimOptions = { workerId, now: clock.now(), limit, ...(exclude ? { exclude } : {}) };
    return handler.claim ? handler.claim(options) : claim<Row>(db, handler.table, options);
  };

  async function runOne(row: Row): Promise<Out | null> {
    const fence = claimOf(handler.table, row);
    try {
      return await handler.handle(row, fence);
    } catch (error) {
      const where = { queue: handler.table, ...handler.describe(row) };
      if (error instanceof ClaimLostError) {
        logger.warn(where, error.message);
        return null;
      }
      const delay = backoffDelay(row.attempts, ERROR_RETRY, deps.random);
      const message = error instanceof Error ? error.message : String(error);
      logger.error({ ...where, err: error, retry_in_ms: delay }, `${handler.table} ${row.id} failed unexpectedly; retrying in ${Math.round(delay / 1000)} s`);
      const now = clock.now();
      await reschedule(db, fence, new Date(now.getTime() + delay), `unexpected error: ${message}`, now).catch((releaseError: unknown) => {
        logger.error({ ...where, err: releaseError }, `could not give ${handler.table} ${row.id} back to the queue; it is retried once its claim goes stale`);
      });
      return null;
    }
  }

  const launch = (row: Row): Promise<Out | null> => {
    const task = runOne(row).finally(() => {
      running.delete(task);
      idle.wake();
    });
    running.add(task);
    return task;
  };

  async function loop(): Promise<void> {
    while (!stopping) {
      const free = handler.concurrency - running.size;
      if (free <= 0) {
        await Promise.race(running);
        continue;
      }
      let claimed: Row[];
      try {
        claimed = await claimDue(free);
      } catch (error) {
        if (stopping) break;
        logger.error({ err: error, queue: handler.table }, `cannot claim ${handler.table} from the database; retrying in ${CLAIM_ERROR_PAUSE_MS / 1000} s`);
        await idle.sleep(CLAIM_ERROR_PAUSE_MS);
        continue;
      }
      for (const row of claimed) void launch(row);
      if (claimed.length === 0) await idle.sleep(handler.pollMs);
    }
  }

  return {
    start() {
      loopDone ??= loop();
    },
    wake: () => idle.wake(),
    inFlight: () => running.size,
    async drainOnce() {
      const seen: string[] = [];
      const outcomes: Array<Out | null> = [];
      const mine = new Set<Promise<Out | null>>();
      try {
        for (;;) {
          const free = handler.concurrency - mine.size;
          const claimed = free > 0 ? await claimDue(free, seen) : [];
          for (const row of claimed) {
            seen.push(row.id);
            const task = launch(row).then((outcome) => {
              mine.delete(task);
              outcomes.push(outcome);
              return outcome;
            });
            mine.add(task);
          }
          if (mine.size === 0) break;
          if (claimed.length === 0 || mine.size >= handler.concurrency) await Promise.race(mine);
        }
      } finally {
        // A failed claim (database gone) ends the pass, but not before the items in flight finish.
        await Promise.allSettled([...mine]);
      }
      return outcomes;
    },
    async stop(deadlineMs = DEFAULT_STOP_DEADLINE_MS) {
      stopping = true;
      idle.wake();
      await loopDone;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...running]), new Promise((resolve) => (timer = setTimeout(resolve, deadlineMs)))]);
      clearTimeout(timer);
      await releaseClaims(db, handler.table, workerId).catch((error: unknown) => {
        logger.warn({ err: error, queue: handler.table }, `could not release ${handler.table} claims at shutdown; they are taken over once stale`);
      });
    },
  };
}
