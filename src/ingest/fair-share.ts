import type { LeaseRow } from './lease.js';

/**
 * How many mailboxes each live process aims at: ceil(mailboxes ÷ live processes). Rounding up
 * makes the targets add up to at least every mailbox, so a free mailbox always has a process
 * below its target to take it, and a process at its target never takes one more.
 */
export function fairShare(mailboxes: number, liveProcesses: number): number {
  return Math.ceil(mailboxes / Math.max(1, liveProcesses));
}

export interface SharePlan {
  target: number;
  /** Free, expired or dead-held mailboxes to try to take now. */
  take: string[];
  /** Ours to hand over, after their current sweep. */
  give: string[];
}

/**
 * One process's move towards its fair share, from what the last cycle saw. `mine` lists the
 * leases it holds and is not already handing over, cheapest to give first (not yet connected
 * before connected). It takes only what nobody holds or a dead holder left; surplus is given, never
 * taken from a live process, so a mailbox passes between processes only through a free lease.
 */
export function planShare(input: { mine: readonly string[]; leases: readonly LeaseRow[]; live: number; deadHolders: ReadonlySet<string>; random?: () => number }): SharePlan {
  const target = fairShare(input.leases.length, input.live);
  if (input.mine.length > target) return { target, take: [], give: input.mine.slice(0, input.mine.length - target) };
  const want = target - input.mine.length;
  if (want === 0) return { target, take: [], give: [] };
  const mine = new Set(input.mine);
  const free = input.leases.filter((l) => !mine.has(l.mailbox) && (l.holder === null || (l.expiresInMs ?? 0) <= 0 || input.deadHolders.has(l.holder))).map((l) => l.mailbox);
  // Shuffled, so processes that start together reach for different mailboxes first.
  return { target, take: shuffle(free, input.random ?? Math.random).slice(0, want), give: [] };
}

function shuffle<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
