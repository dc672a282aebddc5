import { resolveDraftContext, type DraftContext, type ResolvedDraftContext } from './draft-context.js';
import { processDraft, type DraftOutcome } from './process-draft.js';
import { claimDueDrafts, type ClaimedDraft } from './sql/claim-due-drafts.js';
import { releaseDraftClaims } from './sql/update-draft.js';
import { createWakeableSleep } from '../util/wakeable-sleep.js';

export type { DraftContext } from './draft-context.js';

export interface DraftWorker {
  /** A draft was queued (call after committing the decision): look now instead of at the next poll. */
  wake(): void;
  /** Stops claiming, waits for drafts in flight, and releases claims it still holds. */
  stop(): Promise<void>;
}

const ERROR_BACKOFF_MS = 5000;

function runOne(ctx: ResolvedDraftContext, row: ClaimedDraft): Promise<DraftOutcome | null> {
  return processDraft(ctx, row).catch((error: unknown) => {
    // The claim stays until it goes stale; then another attempt is made, which finds a draft an
    // interrupted attempt already stored. Nothing is lost.
    ctx.logger.error({ err: error, draft_id: row.id, email_id: row.email_id, mailbox: row.mailbox }, 'writing the reply draft failed unexpectedly; it will be retried');
    return null;
  });
}

/**
 * The long-running draft writer for `mailroom run`: keeps up to `concurrency` drafts in flight,
 * claims more as they finish, and polls for drafts coming due. Any number of processes may run
 * one against the same database (FOR UPDATE SKIP LOCKED claims with a lease).
 */
export function startDraftWorker(context: DraftContext): DraftWorker {
  const ctx = resolveDraftContext(context);
  const running = new Set<Promise<unknown>>();
  let stopping = false;
  const idle = createWakeableSleep();
  // Stopping must not wait out a poll interval.
  const sleep = (ms: number) => (stopping ? Promise.resolve() : idle.sleep(ms));
  const wake = () => idle.wake();

  const loop = async () => {
    while (!stopping) {
      const free = ctx.concurrency - running.size;
      if (free <= 0) {
        await Promise.race(running);
        continue;
      }
      let claimed: ClaimedDraft[];
      try {
        claimed = await claimDueDrafts(ctx.db, { workerId: ctx.workerId, now: ctx.clock.now(), limit: free });
      } catch (error) {
        if (stopping) break;
        ctx.logger.error({ err: error }, 'cannot claim reply drafts from the database; retrying in 5 s');
        await sleep(ERROR_BACKOFF_MS);
        continue;
      }
      for (const row of claimed) {
        const task: Promise<unknown> = runOne(ctx, row).finally(() => {
          running.delete(task);
          wake();
        });
        running.add(task);
      }
      if (claimed.length === 0) await sleep(ctx.pollIntervalMs);
    }
  };
  const loopDone = loop();

  return {
    wake,
    async stop() {
      stopping = true;
      wake();
      await loopDone;
      await Promise.allSettled([...running]);
      await releaseDraftClaims(ctx.db, ctx.workerId).catch(() => {});
    },
  };
}

export interface DraftPassResult {
  drafted: number;
  sent: number;
  skipped: number;
  postponed: number;
  /** Unexpected errors: the draft is retried once its claim goes stale. */
  failed: number;
  outcomes: DraftOutcome[];
}

/**
 * One pass over the drafts due now, for `mailroom triage` to write its drafts before exiting.
 * Each draft is tried at most once in the pass; what cannot be written now is scheduled as usual.
 */
export async function writeDueDraftsNow(context: DraftContext): Promise<DraftPassResult> {
  const ctx = resolveDraftContext(context);
  const result: DraftPassResult = { drafted: 0, sent: 0, skipped: 0, postponed: 0, failed: 0, outcomes: [] };
  const seen: string[] = [];
  const running = new Set<Promise<void>>();
  try {
    for (;;) {
      const free = ctx.concurrency - running.size;
      const claimed = free > 0 ? await claimDueDrafts(ctx.db, { workerId: ctx.workerId, now: ctx.clock.now(), limit: free, excludeIds: seen }) : [];
      for (const row of claimed) {
        seen.push(row.id);
        const task: Promise<void> = runOne(ctx, row).then((outcome) => {
          running.delete(task);
          if (outcome === null) return void result.failed++;
          result.outcomes.push(outcome);
          if (outcome.status === 'drafted') result.drafted++;
          else if (outcome.status === 'sent') result.sent++;
          else if (outcome.status === 'skipped') result.skipped++;
          else if (outcome.status === 'postponed') result.postponed++;
        });
        running.add(task);
      }
      if (running.size === 0) break;
      if (claimed.length === 0 || running.size >= ctx.concurrency) await Promise.race(running);
    }
  } finally {
    // A failed claim (database gone) ends the pass, but not before the drafts in flight finish.
    await Promise.allSettled([...running]);
  }
  return result;
}
