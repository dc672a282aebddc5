import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { ACTIONS, type Action } from '../../contract/index.js';
import type { Db } from '../../db/index.js';
import type { ApiDeps } from '../api-context.js';
import { nullableNumber } from '../schemas.js';

const DAY_MS = 86_400_000;

/** One UTC day of activity; days without any are present with zeros, so a chart has no gaps. */
export interface DayStats {
  day: string;
  decisions: Record<Action, number>;
  model_calls: number;
  /** Mean and 95th percentile of the model's answer time, over calls that reached it (not cache hits). */
  model_latency_ms: { mean: number | null; p95: number | null };
  prompt_tokens: number;
  completion_tokens: number;
  /** Delivery attempts answered 2xx, and the others (error or another status). */
  attempts_ok: number;
  attempts_failed: number;
}

export interface Stats {
  days: DayStats[];
  outbox: { depth: number; oldest_due_age_seconds: number; failed: number };
  messages_pending: number;
}

/**
 * Activity per UTC day over the last `days` days, for the console's overview and for scripts.
 * Four grouped scans over indexed time ranges; the volumes of a support mailbox keep them small.
 */
export async function loadStats(db: Db, now: Date, days: number): Promise<Stats> {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - (days - 1) * DAY_MS);
  const dayOf = (column: string) => sql.raw(`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD')`);
  const [decisions, model, attempts, outbox, pending] = await Promise.all([
    sql<{ day: string; action: Action; count: number }>`
      select ${dayOf('created_at')} as day, action, count(*)::int as count
      from decisions where created_at >= ${start} group by 1, 2`.execute(db),
    sql<{ day: string; calls: number; mean: number | null; p95: number | null; prompt: number; completion: number }>`
      select ${dayOf('created_at')} as day, count(*)::int as calls,
             avg(latency_ms)::float8 as mean,
             percentile_cont(0.95) within group (order by latency_ms)::float8 as p95,
             coalesce(sum(prompt_tokens), 0)::int as prompt, coalesce(sum(completion_tokens), 0)::int as completion
      from classifications
      where created_at >= ${start} and cached_from is null and latency_ms is not null
      group by 1`.execute(db),
    sql<{ day: string; ok: number; failed: number }>`
      select ${dayOf('started_at')} as day,
             count(*) filter (where status_code between 200 and 299)::int as ok,
             count(*) filter (where status_code is null or status_code not between 200 and 299)::int as failed
      from webhook_attempts where started_at >= ${start} group by 1`.execute(db),
    sql<{ depth: number; failed: number; oldest_due: Date | null }>`
      select count(*) filter (where status = 'pending')::int as depth,
             count(*) filter (where status = 'failed')::int as failed,
             min(next_attempt_at) filter (where status = 'pending' and next_attempt_at <= ${now}) as oldest_due
      from webhook_deliveries`.execute(db),
    sql<{ count: number }>`select count(*)::int as count from messages where status = 'pending'`.execute(db),
  ]);
  const byDay = new Map<string, DayStats>();
  for (let i = 0; i < days; i++) {
    const day = new Date(start.getTime() + i * DAY_MS).toISOString().slice(0, 10);
    byDay.set(day, {
      day,
      decisions: Object.fromEntries(ACTIONS.map((a) => [a, 0])) as Record<Action, number>,
      model_calls: 0,
      model_latency_ms: { mean: null, p95: null },
      prompt_tokens: 0,
      completion_tokens: 0,
      attempts_ok: 0,
      attempts_failed: 0,
    });
  }
  for (const r of decisions.rows) {
    const d = byDay.get(r.day);
    if (d) d.decisions[r.action] = r.count;
  }
  for (const r of model.rows) {
    const d = byDay.get(r.day);
    if (!d) continue;
    d.model_calls = r.calls;
    d.model_latency_ms = { mean: r.mean === null ? null : Math.round(r.mean), p95: r.p95 === null ? null : Math.round(r.p95) };
    d.prompt_tokens = r.prompt;
    d.completion_tokens = r.completion;
  }
  for (const r of attempts.rows) {
    const d = byDay.get(r.day);
    if (d) Object.assign(d, { attempts_ok: r.ok, attempts_failed: r.failed });
  }
  const o = outbox.rows[0];
  const oldest = o?.oldest_due ? new Date(o.oldest_due).getTime() : null;
  return {
    days: [...byDay.values()],
    outbox: {
      depth: o?.depth ?? 0,
      failed: o?.failed ?? 0,
      oldest_due_age_seconds: oldest === null ? 0 : Math.max(0, Math.round((now.getTime() - oldest) / 1000)),
    },
    messages_pending: pending.rows[0]?.count ?? 0,
  };
}

const count = { type: 'integer' } as const;

const dayStatsSchema = {
  type: 'object',
  properties: {
    day: { type: 'string', description: 'UTC date, YYYY-MM-DD.' },
    decisions: { type: 'object', properties: Object.fromEntries(ACTIONS.map((a) => [a, count])) },
    model_calls: { ...count, description: 'Model calls that reached the model (cache hits excluded).' },
    model_latency_ms: { type: 'object', properties: { mean: nullableNumber, p95: nullableNumber } },
    prompt_tokens: count,
    completion_tokens: count,
    attempts_ok: { ...count, description: 'Delivery attempts answered 2xx.' },
    attempts_failed: { ...count, description: 'Delivery attempts that failed (error, timeout, other status).' },
  },
  required: ['day', 'decisions', 'model_calls', 'model_latency_ms', 'prompt_tokens', 'completion_tokens', 'attempts_ok', 'attempts_failed'],
} as const;

/** GET /v1/stats: what the overview charts draw. Read-only. */
export function registerStatsRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get<{ Querystring: { days: number } }>(
    '/v1/stats',
    {
      config: { auth: 'bearer', summary: 'Activity per UTC day: decisions by action, model latency and tokens, delivery attempts; the outbox now.', tag: 'stats' },
      schema: {
        querystring: {
          type: 'object',
          properties: { days: { type: 'integer', minimum: 1, maximum: 90, default: 14, description: 'How many days back, today included.' } },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              days: { type: 'array', items: dayStatsSchema },
              outbox: {
                type: 'object',
                properties: {
                  depth: { ...count, description: 'Deliveries waiting to be sent.' },
                  oldest_due_age_seconds: { ...count, description: 'How long the most overdue one has been due.' },
                  failed: { ...count, description: 'Dead letters (failed after every retry), replayable.' },
                },
                required: ['depth', 'oldest_due_age_seconds', 'failed'],
              },
              messages_pending: { ...count, description: 'Emails stored but not decided yet.' },
            },
            required: ['days', 'outbox', 'messages_pending'],
          },
        },
      },
    },
    async (request) => loadStats(deps.db, deps.clock.now(), request.query.days),
  );
}
