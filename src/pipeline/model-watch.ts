import { sql } from 'kysely';
import type { Db } from '../db/index.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';

/** What the pipeline and /ready know of the AI model: whether it answers, and since when. */
export interface ModelState {
  ok: boolean;
  error: string | null;
  /** When this state began. */
  since: Date;
  /** When it was last confirmed (a probe, or a classification). */
  checkedAt: Date;
}

/**
 * Mail that waits for the model (messages.waiting_for = 'model') is not left to its backed-off
 * schedule: while any waits, the model is probed every `probeMs` (GET /models, free), and when a
 * probe answers ONE waiting email is released as the real test; the first classification that
 * succeeds releases the rest at once. Rejected: releasing everything on a probe alone — a server
 * whose /models answers while completions fail would get the whole queue every probe.
 */
export interface ModelWatch {
  /** The pipeline could not reach the model (an email was postponed). */
  down(error: string): void;
  /** The model answered a classification. */
  answered(): void;
  state(): ModelState | null;
  start(): void;
  stop(): void;
}

export function createModelWatch(deps: { db: Db; probe: () => Promise<void>; clock: Clock; logger: Logger; wake: () => void; probeMs?: number }): ModelWatch {
  const probeMs = deps.probeMs ?? 2000;
  let current: ModelState | null = null;
  /** Some email waits for the model (seen here, or in the database: another process may have postponed it). */
  let waiting = false;
  let timer: NodeJS.Timeout | null = null;
  let stopped = true;

  const record = (ok: boolean, error: string | null) => {
    const now = deps.clock.now();
    if (current && current.ok === ok) {
      current = { ...current, error, checkedAt: now };
      return;
    }
    // Logged on a change only: an outage is two lines, not one per probe or per email.
    if (!ok) deps.logger.warn({ error }, `the AI model does not answer: ${error}; emails wait and are retried as soon as it answers again`);
    else if (current) deps.logger.info('the AI model answers again; releasing the emails that waited for it');
    current = { ok, error, since: now, checkedAt: now };
  };

  const release = async (limit: 'one' | 'all') => {
    const now = deps.clock.now();
    const waitingRow = sql`status = 'pending' AND waiting_for = 'model'`;
    // One at a time: none is released while another released one is still due or being tried.
    const result =
      limit === 'all'
        ? await sql`UPDATE messages SET next_attempt_at = ${now} WHERE ${waitingRow} AND next_attempt_at > ${now}`.execute(deps.db)
        : await sql`
            UPDATE messages SET next_attempt_at = ${now}
            WHERE id = (SELECT id FROM messages WHERE ${waitingRow} ORDER BY received_at, id LIMIT 1)
              AND next_attempt_at > ${now}
              AND NOT EXISTS (SELECT 1 FROM messages WHERE ${waitingRow} AND (next_attempt_at <= ${now} OR locked_by IS NOT NULL))`.execute(deps.db);
    if ((result.numAffectedRows ?? 0n) > 0n) deps.wake();
  };

  const tick = async () => {
    if (!waiting) {
      const row = await deps.db.selectFrom('messages').select('id').where('status', '=', 'pending').where('waiting_for', '=', 'model').limit(1).executeTakeFirst();
      waiting = row !== undefined;
    }
    // Down, and nothing of ours waits (another process decided it): the probe alone says it is back.
    if (!waiting && current?.ok === false)
      await deps.probe().then(
        () => record(true, null),
        () => {},
      );
    if (!waiting) return;
    try {
      await deps.probe();
    } catch (error) {
      record(false, (error as Error).message);
      return;
    }
    // /models answering does not prove completions do: the released email is the real test, and
    // only its classification (answered()) marks the model back and releases the rest.
    await release('one');
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      tick()
        .catch((error: unknown) => deps.logger.warn({ err: error }, 'could not check for emails waiting for the AI model'))
        .finally(schedule);
    }, probeMs);
    timer.unref();
  };

  return {
    down(error) {
      waiting = true;
      record(false, error);
    },
    answered() {
      record(true, null);
      if (!waiting) return;
      waiting = false;
      release('all').catch((error: unknown) => deps.logger.warn({ err: error }, 'could not release the emails waiting for the AI model'));
    },
    state: () => current,
    start() {
      if (!stopped) return;
      stopped = false;
      schedule();
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
