/**
 * 2,000 mutated messages (truncated MIME, broken boundaries, bad encodings, huge headers, deep
 * nesting, NUL bytes…) made from the corpus — or from examples/ when the corpus is absent — with a
 * fixed seed, through the real pipeline (storeMessage, then processMessage with the rules
 * classifier) on PGlite. None may crash or hang, and each must end stored with a decision or with
 * the error that stopped it. The per-message budget is a hang detector, not a speed check.
 *
 * FUZZ_SEED, FUZZ_COUNT and FUZZ_BUDGET_MS override the defaults; a failure names the seed, the
 * index and the mutations, which regenerate the message exactly.
 */

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { corpusAvailable, loadSourceMessages } from '../../bench/support/message-pool.js';
import { seededRandom } from '../../bench/support/prng.js';
import { createRulesClassifier } from '../../src/classify/rules-classifier.js';
import { configSchema } from '../../src/config/index.js';
import { storeMessage } from '../../src/ingest/store-message.js';
import { parseDeadlineMs, REPARSE_PATIENCE } from '../../src/parse/parse-email.js';
import { claimMessage, createPipelineContext, processMessage } from '../../src/pipeline/index.js';
import { claimOf } from '../../src/queue/index.js';
import { systemClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { createPGliteDatabase, type TestDatabase } from '../support/databases.js';
import { KNOWN_BAD_SHAPES, mutatedMessage } from './mutate-message.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261127);
const COUNT = Number(process.env.FUZZ_COUNT ?? 2000);
/**
 * A message the MIME parser never finishes is stopped by the parse deadline at ingest, parsed once
 * more with REPARSE_PATIENCE times the deadline by the decision stage, and then decided as
 * unparseable, which is the right outcome; the hang detector therefore sits above both deadlines.
 */
function budgetMs(bytes: number): number {
  return process.env.FUZZ_BUDGET_MS ? Number(process.env.FUZZ_BUDGET_MS) : parseDeadlineMs(bytes) * (1 + REPARSE_PATIENCE) + 10_000;
}
/** A broken build stops early: enough examples to act on, without spending minutes on more. */
const MAX_PROBLEMS = 5;
/** How long an overrunning message is waited for before it counts as never finishing. */
const SETTLE_MS = 60_000;

const config = configSchema.parse({ classifier: { provider: 'rules' }, drafts: { mode: 'off' } });
let database: TestDatabase;

before(async () => {
  database = await createPGliteDatabase();
});
after(async () => {
  await database?.drop();
});

interface Problem {
  index: number;
  mutations: string[];
  problem: string;
}

class BudgetExceeded extends Error {}

/** The error's message and the innermost Mailroom frame that saw it: enough to find the bug. */
function whereThrown(error: unknown): string {
  const e = error as Error;
  const frame =
    (e.stack ?? '')
      .split('\n')
      .find((line) => line.includes('/src/') && !line.includes('node_modules'))
      ?.trim()
      .replace(/^at /, '') ?? 'outside src/';
  return `${e.message?.split('\n')[0] ?? String(error)} (at ${frame.replace(/.*\/(src\/[^)]*)\)?$/, '$1')})`;
}

function withinBudget<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new BudgetExceeded(`still running after ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}

test(`${COUNT} mutated messages: none crashes or hangs, each is stored with a decision or an error (seed ${SEED})`, { timeout: 600_000 }, async () => {
  if (!corpusAvailable()) console.log('# ../shared/corpus/raw not found: mutating examples/ only');
  const sources = loadSourceMessages().map((s) => s.raw);
  assert.ok(sources.length > 0, 'examples/ holds messages to mutate');
  const random = seededRandom(SEED);
  const db = database.db;
  const ctx = createPipelineContext({ db, config, classifier: createRulesClassifier([]), logger: silentLogger(), clock: systemClock });
  const problems: Problem[] = [];
  const outcomes = new Map<string, number>();
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);
  process.on('unhandledRejection', onRejection);
  let slowest = { ms: 0, index: -1, mutations: [] as string[] };
  try {
    // Negative indexes: the fixed shapes, before the seeded ones.
    for (let index = -KNOWN_BAD_SHAPES.length; index < COUNT && problems.length < MAX_PROBLEMS; index++) {
      const fixed = KNOWN_BAD_SHAPES[index + KNOWN_BAD_SHAPES.length];
      const { raw, mutations } = index < 0 && fixed ? { raw: fixed.raw, mutations: [`fixed: ${fixed.name}`] } : mutatedMessage(sources, random);
      const budget = budgetMs(raw.length);
      const started = performance.now();
      const work = (async () => {
        const stored = await storeMessage(db, { mailbox: 'fuzz', source: 'file', raw, sizeBytes: raw.length }, { maxCleanChars: ctx.maxCleanChars, now: systemClock.now() });
        const row = await claimMessage(ctx, stored.id, 'fuzz');
        // Null: unparseable at store time (kept as failed), or a byte-identical twin already decided.
        const processed = row ? await processMessage(ctx, row, claimOf('messages', row)) : null;
        return { id: stored.id, status: processed?.status ?? 'not-claimed' };
      })();
      try {
        let outcome: Awaited<typeof work>;
        try {
          outcome = await withinBudget(work, budget);
        } catch (error) {
          if (!(error instanceof BudgetExceeded)) throw error;
          // Let a slow message finish before the next starts, so its time is not blamed on the next
          // one; a promise that never settles (a stream that never ends) is a hang of its own.
          const settled = await withinBudget(
            work.then(
              () => true,
              () => true,
            ),
            SETTLE_MS,
          ).catch(() => false);
          throw new BudgetExceeded(settled ? `took ${Math.round(performance.now() - started)} ms (budget ${budget} ms)` : `never finished (waited ${SETTLE_MS / 1000} s)`);
        }
        const elapsed = performance.now() - started;
        // A synchronous stall cannot be interrupted by the race above; it is caught here instead.
        if (elapsed > budget) problems.push({ index, mutations, problem: `took ${Math.round(elapsed)} ms (budget ${budget} ms)` });
        if (elapsed > slowest.ms) slowest = { ms: elapsed, index, mutations };
        const message = await db.selectFrom('messages').select(['status', 'last_error']).where('id', '=', outcome.id).executeTakeFirstOrThrow();
        const decision = await db.selectFrom('decisions').select('action').where('email_id', '=', outcome.id).executeTakeFirst();
        let key: string;
        if (message.status === 'decided' && decision) key = `decided:${decision.action}`;
        else if (message.status === 'failed' && message.last_error) key = 'failed with an error';
        else {
          problems.push({
            index,
            mutations,
            problem: `stored as ${message.status} with ${decision ? `a ${decision.action} decision` : 'no decision'} and error ${JSON.stringify(message.last_error)} (outcome ${outcome.status})`,
          });
          continue;
        }
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      } catch (error) {
        problems.push({ index, mutations, problem: error instanceof BudgetExceeded ? error.message : `threw ${whereThrown(error)}` });
      }
    }
  } finally {
    process.off('unhandledRejection', onRejection);
  }
  console.log(`# fuzz seed ${SEED}: ${[...outcomes].map(([k, n]) => `${k} ${n}`).join(', ')}; slowest ${Math.round(slowest.ms)} ms (#${slowest.index}: ${slowest.mutations.join(' + ')})`);
  assert.deepEqual(rejections, [], 'no unhandled promise rejection');
  // One line per kind of problem, with how often and the first message that showed it.
  const kinds = new Map<string, { count: number; first: Problem }>();
  for (const p of problems) {
    const kind = kinds.get(p.problem) ?? { count: 0, first: p };
    kind.count++;
    kinds.set(p.problem, kind);
  }
  assert.deepEqual(
    [...kinds].map(([problem, { count, first }]) => `${count}× ${problem} (first: #${first.index} [${first.mutations.join(' + ')}])`),
    [],
    `${problems.length}${problems.length >= MAX_PROBLEMS ? '+ (stopped early)' : ''} of ${COUNT} mutated messages misbehaved (seed ${SEED}; FUZZ_SEED=${SEED} regenerates them)`,
  );
});
