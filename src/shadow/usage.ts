import { sql } from 'kysely';
import type { Action } from '../contract/index.js';
import type { Db } from '../db/index.js';

/**
 * The recent classified results the agreement and latency on /metrics are measured over: the same
 * window as the local model's agreement, so the figure follows a candidate that changed (a new
 * prompt version) instead of drowning it in all its history. `shadow report --since` gives a period.
 */
export const SHADOW_WINDOW = 500;

/** What one candidate has done so far, read from shadow_results for /metrics. */
export interface ShadowUsage {
  /** Waiting for the candidate, or in flight. */
  pending: number;
  /** Classified, a valid answer or not. */
  classified: number;
  /** Classified, but the answer was not valid (stored as review). */
  invalid: number;
  /** The candidate could not be reached after its attempts. */
  unreachable: number;
  /** Live action → candidate action where they differ, over every classified result. */
  flips: Array<{ from: Action; to: Action; count: number }>;
  /** Over the last SHADOW_WINDOW classified results. */
  recent: {
    compared: number;
    sameAction: number;
    /** Results where both sides gave an intent… */
    intents: number;
    /** …and it was the same. */
    sameIntent: number;
    /** Nearest-rank percentiles of the candidate's model call, null when none was measured. */
    latencyP50Ms: number | null;
    latencyP95Ms: number | null;
  };
}

export async function shadowUsage(db: Db, candidate: string): Promise<ShadowUsage> {
  const [counts, flips, recent] = await Promise.all([
    sql<{ status: string; invalid: boolean; count: number }>`
      select status, (error is not null) as invalid, count(*)::int as count
      from shadow_results where candidate = ${candidate} group by 1, 2`.execute(db),
    sql<{ from_action: Action; to_action: Action; count: number }>`
      select d.action as from_action, s.action as to_action, count(*)::int as count
      from shadow_results s join decisions d on d.email_id = s.email_id
      where s.candidate = ${candidate} and s.status = 'done' and s.action <> d.action
      group by 1, 2`.execute(db),
    sql<{ compared: number; same_action: number; intents: number; same_intent: number; p50: number | null; p95: number | null }>`
      select count(*)::int as compared,
             count(*) filter (where r.action = r.live_action)::int as same_action,
             count(*) filter (where r.intent is not null and r.live_intent is not null)::int as intents,
             count(*) filter (where r.intent = r.live_intent)::int as same_intent,
             percentile_disc(0.5) within group (order by r.latency_ms) as p50,
             percentile_disc(0.95) within group (order by r.latency_ms) as p95
      from (select s.action, d.action as live_action, s.classification->>'intent' as intent, c.output->>'intent' as live_intent, s.latency_ms
            from shadow_results s
            join decisions d on d.email_id = s.email_id
            left join classifications c on c.id = d.classification_id
            where s.candidate = ${candidate} and s.status = 'done'
            order by s.completed_at desc, s.id desc
            limit ${SHADOW_WINDOW}) r`.execute(db),
  ]);
  const count = (match: (row: { status: string; invalid: boolean }) => boolean) => counts.rows.filter(match).reduce((n, row) => n + row.count, 0);
  const r = recent.rows[0];
  return {
    pending: count((row) => row.status === 'pending'),
    classified: count((row) => row.status === 'done'),
    invalid: count((row) => row.status === 'done' && row.invalid),
    unreachable: count((row) => row.status === 'failed'),
    flips: flips.rows.map((row) => ({ from: row.from_action, to: row.to_action, count: row.count })),
    recent: {
      compared: r?.compared ?? 0,
      sameAction: r?.same_action ?? 0,
      intents: r?.intents ?? 0,
      sameIntent: r?.same_intent ?? 0,
      latencyP50Ms: r?.p50 === null || r?.p50 === undefined ? null : Number(r.p50),
      latencyP95Ms: r?.p95 === null || r?.p95 === undefined ? null : Number(r.p95),
    },
  };
}
