import { createWakeableSleep } from '../util/wakeable-sleep.js';
import { processMessage } from './process-message.js';
import type { PipelineContext } from './pipeline-context.js';
import { claimDueMessages } from './sql/claim-due-messages.js';
import { releaseClaims } from './sql/release-message.js';
import { ClaimLostError } from './sql/record-decision.js';

export interface PipelineWorker {
  /** New mail was stored: look for work now instead of at the next poll. */
  wake(): void;
  /** Stops claiming, waits for in-flight messages up to the deadline, releases the rest. */
  stop(deadlineMs?: number): Promise<void>;
  /** Messages in flight right now. */
  inFlight(): number;
}

const POLL_MS = 1000;
const ERROR_BACKOFF_MS = 5000;

/**
 * Keeps up to `slots` messages in flight: claims due messages in batches (SKIP LOCKED, so several
 * processes share the queue), processes each, and claims more as slots free up. The classifier's
 * own limiter bounds model calls; the slots bound memory and database work.
 */
export function startPipelineWorker(ctx: PipelineContext, slots = Math.max(ctx.config.ingest.workers, ctx.config.classifier.concurrency)): PipelineWorker {
  const running = new Set<Promise<void>>();
  let stopping = false;
  const { sleep, wake } = createWakeableSleep();

  const runOne = (row: Parameters<typeof processMessage>[1]) => {
    const task = processMessage(ctx, row)
      .then(() => undefined)
      .catch((error: unknown) => {
        if (error instanceof ClaimLostError) return ctx.logger.warn({ email_id: row.id }, error.message);
        // The claim stays until it goes stale, then another attempt is made: nothing is lost.
        ctx.logger.error({ email_id: row.id, mailbox: row.mailbox, err: error }, 'processing the email failed unexpectedly; it will be retried');
      })
      .finally(() => {
        running.delete(task);
        wake();
      });
    running.add(task);
  };

  const loop = async () => {
    while (!stopping) {
      const free = slots - running.size;
      if (free <= 0) {
        await Promise.race(running);
        continue;
      }
      let claimed;
      try {
        claimed = await claimDueMessages(ctx.db, ctx.workerId, free, ctx.clock.now());
      } catch (error) {
        if (stopping) break;
        ctx.logger.error({ err: error }, 'cannot claim messages from the database; retrying in 5 s');
        await sleep(ERROR_BACKOFF_MS);
        continue;
      }
      for (const row of claimed) runOne(row);
      if (claimed.length === 0) await sleep(POLL_MS);
    }
  };

  const loopDone = loop();

  return {
    wake,
    inFlight: () => running.size,
    async stop(deadlineMs = 8000) {
      stopping = true;
      wake();
      await loopDone;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...running]), new Promise((r) => (timer = setTimeout(r, deadlineMs)))]);
      clearTimeout(timer);
      await releaseClaims(ctx.db, ctx.workerId).catch(() => {});
    },
  };
}
