import { deliverClaimed, type DeliveryOutcome } from './deliver-claimed.js';
import { resolveDeliveryContext, type DeliveryContext, type ResolvedDeliveryContext } from './delivery-context.js';
import { claimDueDeliveries, type ClaimedDelivery } from './sql/claim-due-deliveries.js';

export type { DeliveryContext } from './delivery-context.js';

export interface DeliveryWorker {
  /** Look for due deliveries now instead of at the next poll (call after committing new events). */
  wake(): void;
  /** Stops claiming and waits for the deliveries in flight (each bounded by `webhooks.timeout`). */
  stop(): Promise<void>;
}

function claimFor(ctx: ResolvedDeliveryContext, limit: number, filter: { excludeIds?: readonly string[]; onlyIds?: readonly string[] } = {}): Promise<ClaimedDelivery[]> {
  const now = ctx.clock.now();
  return claimDueDeliveries(ctx.db, {
    workerId: ctx.workerId,
    now,
    staleBefore: new Date(now.getTime() - ctx.leaseMs),
    limit,
    perSubscription: ctx.perSubscription,
    ...filter,
  });
}

/**
 * The long-running sender for `mailroom run`. Keeps at most `webhooks.concurrency` POSTs in flight,
 * claims more whenever one finishes, and polls every `webhooks.poll_interval` for retries coming
 * due. Any number of processes may run one against the same database (see claim-due-deliveries.ts).
 */
export function startDeliveryWorker(context: DeliveryContext): DeliveryWorker {
  const ctx = resolveDeliveryContext(context);
  let stopped = false;
  let inFlight = 0;
  const running = new Set<Promise<unknown>>();
  let ticking: Promise<void> | null = null;
  let again = false;
  let timer: NodeJS.Timeout | null = null;

  const launch = (claimed: ClaimedDelivery) => {
    inFlight++;
    const task: Promise<unknown> = deliverClaimed(ctx, claimed)
      .catch((error) => ctx.logger.error({ err: error, delivery_id: claimed.id, subscription_id: claimed.subscription_id }, 'webhook delivery crashed; the lease will hand it to a worker again'))
      .finally(() => {
        inFlight--;
        running.delete(task);
        tick();
      });
    running.add(task);
  };

  const loop = async () => {
    do {
      again = false;
      const free = ctx.concurrency - inFlight;
      if (free <= 0) break;
      let claimed: ClaimedDelivery[];
      try {
        claimed = await claimFor(ctx, free);
      } catch (error) {
        ctx.logger.error({ err: error }, 'could not claim webhook deliveries; trying again at the next poll');
        break;
      }
      for (const row of claimed) launch(row);
      // A full batch means more may be waiting.
      if (claimed.length === free) again = true;
    } while (again && !stopped);
  };

  function tick(): void {
    if (stopped) return;
    if (ticking) {
      again = true;
      return;
    }
    if (timer) clearTimeout(timer);
    ticking = loop().finally(() => {
      ticking = null;
      if (stopped) return;
      if (again) tick();
      else timer = setTimeout(tick, ctx.pollIntervalMs);
    });
  }

  tick();
  return {
    wake: tick,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await ticking;
      await Promise.allSettled([...running]);
      ctx.agents.destroy();
    },
  };
}

/**
 * One pass over what is due right now, for `mailroom triage` to send its events before exiting.
 * Each delivery is tried at most once in the pass; failures are scheduled as usual for `mailroom
 * run` (or a later triage) to retry. `failed` counts attempts that did not deliver.
 */
export async function deliverDueNow(
  context: DeliveryContext,
  options: { onlyIds?: readonly string[] } = {},
): Promise<{ delivered: number; failed: number }> {
  const ctx = resolveDeliveryContext(context);
  const seen = new Set<string>();
  const running = new Set<Promise<DeliveryOutcome>>();
  let delivered = 0;
  let failed = 0;
  try {
    for (;;) {
      const free = ctx.concurrency - running.size;
      const claimed = free > 0 ? await claimFor(ctx, free, { excludeIds: [...seen], ...options }) : [];
      for (const row of claimed) {
        seen.add(row.id);
        const task = deliverClaimed(ctx, row).finally(() => running.delete(task));
        task.then((outcome) => (outcome === 'delivered' ? delivered++ : failed++), () => failed++);
        running.add(task);
      }
      if (running.size === 0) break;
      // Wait for a slot (or for the per-subscription cap to let the next row through).
      if (claimed.length === 0 || running.size >= ctx.concurrency) await Promise.race(running).catch(() => {});
    }
  } finally {
    await Promise.allSettled([...running]);
    ctx.agents.destroy();
  }
  return { delivered, failed };
}
