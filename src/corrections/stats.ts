import type { Action } from '../contract/index.js';
import type { Db } from '../db/index.js';

export interface OverrideCount {
  key: string;
  decisions: number;
  /** Decisions whose standing correction says another action. */
  overridden: number;
  /** overridden ÷ decisions (0 when there were none). */
  rate: number;
}

export interface OverrideStats {
  since: Date;
  total: OverrideCount;
  byAction: OverrideCount[];
  byIntent: OverrideCount[];
  /** ISO weeks, oldest first. */
  byWeek: OverrideCount[];
  /** Every correction (not only the standing ones) by what stood before and what the person said. */
  transitions: Array<{ from: Action; to: Action; count: number }>;
}

/**
 * How often people override Mailroom: per decided action, per intent the classifier gave, per week
 * of the decision. An email counts as overridden when the correction that stands says another
 * action than the decision (a correction that confirms the decision is not an override).
 */
export async function overrideStats(db: Db, since: Date): Promise<OverrideStats> {
  const rows = await db
    .selectFrom('decisions as d')
    .leftJoin('classifications as c', 'c.id', 'd.classification_id')
    .select(['d.email_id', 'd.action', 'd.created_at', 'c.output'])
    .where('d.created_at', '>=', since)
    .execute();
  const corrections = await db
    .selectFrom('corrections as k')
    .innerJoin('decisions as d', 'd.email_id', 'k.email_id')
    .select(['k.email_id', 'k.from_action', 'k.to_action', 'k.created_at', 'k.id'])
    .where('d.created_at', '>=', since)
    .orderBy('k.created_at')
    .orderBy('k.id')
    .execute();
  const standing = new Map<string, Action>();
  const transitions = new Map<string, number>();
  for (const k of corrections) {
    standing.set(k.email_id, k.to_action);
    const key = `${k.from_action}→${k.to_action}`;
    transitions.set(key, (transitions.get(key) ?? 0) + 1);
  }
  const groups = { total: new Map<string, [number, number]>(), action: new Map<string, [number, number]>(), intent: new Map<string, [number, number]>(), week: new Map<string, [number, number]>() };
  const add = (map: Map<string, [number, number]>, key: string, overridden: boolean) => {
    const entry = map.get(key) ?? [0, 0];
    entry[0]++;
    if (overridden) entry[1]++;
    map.set(key, entry);
  };
  for (const row of rows) {
    const to = standing.get(row.email_id);
    const overridden = to !== undefined && to !== row.action;
    const intent = (row.output as { intent?: string } | null)?.intent ?? '(not classified)';
    add(groups.total, 'all', overridden);
    add(groups.action, row.action, overridden);
    add(groups.intent, intent, overridden);
    add(groups.week, isoWeek(new Date(row.created_at)), overridden);
  }
  const list = (map: Map<string, [number, number]>) =>
    [...map].map(([key, [decisions, overridden]]) => ({ key, decisions, overridden, rate: decisions === 0 ? 0 : overridden / decisions })).sort((a, b) => a.key.localeCompare(b.key));
  return {
    since,
    total: list(groups.total)[0] ?? { key: 'all', decisions: 0, overridden: 0, rate: 0 },
    byAction: list(groups.action),
    byIntent: list(groups.intent),
    byWeek: list(groups.week),
    transitions: [...transitions].map(([key, count]) => {
      const [from, to] = key.split('→') as [Action, Action];
      return { from, to, count };
    }),
  };
}

/** `2026-W48`: the ISO week (Monday first) of a date, in UTC. */
export function isoWeek(date: Date): string {
  const d = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const day = d.getUTCDay() || 7;
  d.setUTCDate(d.getUTCDate() + 4 - day);
  const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((d.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${d.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}
