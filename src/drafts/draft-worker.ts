import { type Mailboxes, mailboxFacts } from '../config/index.js';
import type { Tx } from '../db/index.js';
import type { DecisionEffect } from '../pipeline/index.js';
import { createRunner, newWorkerId, type QueueHandler, type Runner } from '../queue/index.js';
import { systemClock } from '../util/clock.js';
import { newId } from '../util/ids.js';
import { type ClaimedDraft, type DraftContext, type DraftOutcome, processDraft, type ResolvedDraftContext } from './process-draft.js';

export type { ClaimedDraft, DraftContext } from './process-draft.js';

import { createReplyWriter } from './write-reply.js';

/** The reply drafts queue: one row per `draft` decision, written after the commit, shared by any number of processes. */
export function draftHandler(context: DraftContext): QueueHandler<ClaimedDraft, DraftOutcome> {
  const ctx: ResolvedDraftContext = {
    ...context,
    clock: context.clock ?? systemClock,
    workerId: context.workerId ?? newWorkerId(),
    writer: context.writer ?? createReplyWriter({ config: context.config, logger: context.logger, ...(context.limiter ? { limiter: context.limiter } : {}) }),
    mailboxes: mailboxFacts(context.config),
    random: context.random ?? Math.random,
  };
  return {
    table: 'drafts',
    concurrency: Math.max(1, context.concurrency ?? 2),
    pollMs: context.pollIntervalMs ?? 1000,
    handle: (row, fence) => processDraft(ctx, row, fence),
    describe: (row) => ({ draft_id: row.id, email_id: row.email_id, mailbox: row.mailbox }),
  };
}

/** The long-running draft writer for `mailroom run`. */
export function startDraftWorker(context: DraftContext): Runner<DraftOutcome> {
  const runner = runnerFor(context);
  runner.start();
  return runner;
}

export interface DraftPassResult {
  drafted: number;
  sent: number;
  skipped: number;
  postponed: number;
  /** Unexpected errors and lost claims: the draft is retried after a backoff. */
  failed: number;
  outcomes: DraftOutcome[];
}

/** One pass over the drafts due now, for `mailroom triage` to write its drafts before exiting. */
export async function writeDueDraftsNow(context: DraftContext): Promise<DraftPassResult> {
  const all = await runnerFor(context).drainOnce();
  const outcomes = all.filter((o): o is DraftOutcome => o !== null);
  const count = (status: DraftOutcome['status']) => outcomes.filter((o) => o.status === status).length;
  return {
    drafted: count('drafted'),
    sent: count('sent'),
    skipped: count('skipped'),
    postponed: count('postponed'),
    failed: all.length - outcomes.length,
    outcomes,
  };
}

function runnerFor(context: DraftContext): Runner<DraftOutcome> {
  const handler = draftHandler(context);
  return createRunner(
    {
      db: context.db,
      workerId: context.workerId ?? newWorkerId(),
      clock: context.clock ?? systemClock,
      logger: context.logger,
      ...(context.random ? { random: context.random } : {}),
    },
    handler,
  );
}

/**
 * Queues the reply draft of every `draft` decision whose mailbox is configured (files triaged
 * under another name have no Drafts folder), INSIDE the decision's transaction: the draft exists
 * exactly when the decision does, and nothing touches the mailbox before that commit.
 */
export function draftEffect(options: { mailboxes: Mailboxes; enabled: boolean; wake: () => void }): DecisionEffect {
  return {
    wants: (decided) => decided.decision.action === 'draft' && options.enabled && options.mailboxes.get(decided.mailbox) !== undefined,
    async enqueue(trx, decided) {
      return (await enqueueDraft(trx, { emailId: decided.emailId, mailbox: decided.mailbox, acknowledgeOnly: decided.decision.acknowledgeOnly }, decided.now)) !== null;
    },
    wake: options.wake,
  };
}

/** Adds the pending draft row; a second call for the same email does nothing. Returns the new id, or null. */
export async function enqueueDraft(trx: Tx, input: { emailId: string; mailbox: string; acknowledgeOnly: boolean }, now: Date): Promise<string | null> {
  const inserted = await trx
    .insertInto('drafts')
    .values({
      id: newId('dft', now),
      email_id: input.emailId,
      mailbox: input.mailbox,
      acknowledge_only: input.acknowledgeOnly,
      status: 'pending',
      next_attempt_at: now,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.column('email_id').doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted?.id ?? null;
}
