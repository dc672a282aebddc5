import type { RateLimiter } from '../classify/rate-limiter.js';
import type { Config, MailboxConfig } from '../config/schema.js';
import type { Db } from '../db/database.js';
import { systemClock, type Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { createReplyWriter, type ReplyWriter } from './write-reply.js';

/** What the draft worker needs; the optional parts are for sharing with the classifier and for tests. */
export interface DraftContext {
  db: Db;
  config: Config;
  logger: Logger;
  clock?: Clock;
  /** Identifies this worker's claims: host, pid and a random part. */
  workerId: string;
  /** Pass the classifier's limiter so replies and classifications share one rpm budget. */
  limiter?: RateLimiter;
  /** Replaces the model-backed writer (tests, or a caller that built one already). */
  writer?: ReplyWriter;
  /** Drafts written at the same time (default 2: each holds a model request and an IMAP session). */
  concurrency?: number;
  /** How often the worker looks for drafts coming due (default 1 s). */
  pollIntervalMs?: number;
  random?: () => number;
  /** Test hooks; see StoreOptions.afterAppend. */
  hooks?: { afterAppend?: (draftId: string, folder: string) => Promise<void> | void };
}

export interface ResolvedDraftContext extends DraftContext {
  clock: Clock;
  writer: ReplyWriter;
  concurrency: number;
  pollIntervalMs: number;
  random: () => number;
}

export function resolveDraftContext(ctx: DraftContext): ResolvedDraftContext {
  return {
    ...ctx,
    clock: ctx.clock ?? systemClock,
    writer: ctx.writer ?? createReplyWriter({ config: ctx.config, logger: ctx.logger, ...(ctx.limiter ? { limiter: ctx.limiter } : {}) }),
    concurrency: Math.max(1, ctx.concurrency ?? 2),
    pollIntervalMs: ctx.pollIntervalMs ?? 1000,
    random: ctx.random ?? Math.random,
  };
}

/** The draft's From: the mailbox's first own address, else its login when that is an address. */
export function mailboxAddress(mailbox: MailboxConfig): string | null {
  const address = mailbox.addresses[0] ?? (mailbox.user.includes('@') ? mailbox.user : null);
  return address ? address.trim().toLowerCase() : null;
}
