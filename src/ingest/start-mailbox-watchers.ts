import { ConfigError } from '../config/config-error.js';
import type { Config } from '../config/schema.js';
import type { Db } from '../db/database.js';
import type { Action } from '../decide/decision.js';
import type { Logger } from '../util/logger.js';
import { imapOptionsFor } from './imap-client.js';
import type { MailboxStatus } from './mailbox-status.js';
import { DEFAULT_TUNING, MailboxWatcher, type WatcherTuning } from './mailbox-watcher.js';
import { createKeywordSetter, DECISION_KEYWORDS, type MessageRef } from './message-keywords.js';

export interface MailboxWatchersContext {
  db: Db;
  config: Config;
  logger: Logger;
  /** Unique per process (and per watcher set): the lease holder's name. */
  processId: string;
  /** Called after a new message was committed (not for duplicates): wake a worker. */
  onStored?: (emailId: string) => void;
  /** Shorter timings for tests. */
  tuning?: Partial<WatcherTuning>;
}

export interface MailboxWatchers {
  /** Finishes the message in hand, logs out of every mailbox, releases the leases. */
  stop(): Promise<void>;
  status(): MailboxStatus[];
  /** Adds $Mailroom-Ticket / -Draft / -Review when ingest.keywords is on; never rejects. */
  setMessageKeywords(mailbox: string, ref: MessageRef, action: Action): Promise<boolean>;
  /**
   * For the pipeline's onDecided: sets the decision's keyword on an IMAP message when
   * ingest.keywords is on (looks up its UIDVALIDITY and Message-ID). Never rejects.
   */
  onDecided(event: { emailId: string; mailbox: string; decision: { action: Action }; imapUid: number | null }): Promise<boolean>;
}

/**
 * Starts one watcher per configured mailbox. Each watches only while this process holds the
 * mailbox's lease, so any number of processes sharing a PostgreSQL database can run this: one
 * watches each mailbox, the others stand by and take over when it stops or dies.
 * Throws ConfigError (before connecting anywhere) for a mailbox that can never work.
 */
export async function startMailboxWatchers(ctx: MailboxWatchersContext): Promise<MailboxWatchers> {
  const names = new Set<string>();
  for (const mailbox of ctx.config.mailboxes) {
    imapOptionsFor(mailbox, ctx.logger);
    // The name keys the cursor and the lease: two watchers under one name would share both.
    if (names.has(mailbox.name)) throw new ConfigError(`mailboxes: the name "${mailbox.name}" is used twice; give each mailbox its own name`);
    names.add(mailbox.name);
  }
  const tuning = { ...DEFAULT_TUNING, ...ctx.tuning };
  const logger = ctx.logger.child({ component: 'ingest' });
  const watchers = ctx.config.mailboxes.map(
    (mailbox) =>
      new MailboxWatcher({ db: ctx.db, mailbox, ingest: ctx.config.ingest, logger, processId: ctx.processId, onStored: ctx.onStored, tuning }),
  );
  for (const watcher of watchers) watcher.start();
  const keywords = createKeywordSetter({ mailboxes: ctx.config.mailboxes, enabled: ctx.config.ingest.keywords, logger });
  return {
    async stop() {
      await Promise.all([...watchers.map((w) => w.stop()), keywords.close()]);
    },
    status: () => watchers.map((w) => w.status()),
    setMessageKeywords: (mailbox, ref, action) => keywords.setMessageKeywords(mailbox, ref, action),
    async onDecided(event) {
      if (!ctx.config.ingest.keywords || event.imapUid === null || !DECISION_KEYWORDS[event.decision.action]) return false;
      try {
        const row = await ctx.db.selectFrom('messages').select(['imap_uidvalidity', 'message_id']).where('id', '=', event.emailId).executeTakeFirst();
        const uidvalidity = row?.imap_uidvalidity == null ? null : Number(row.imap_uidvalidity);
        return await keywords.setMessageKeywords(event.mailbox, { uid: event.imapUid, uidvalidity, messageId: row?.message_id ?? null }, event.decision.action);
      } catch (error) {
        logger.warn({ emailId: event.emailId }, `could not set the decision keyword for ${event.emailId}: ${(error as Error).message}`);
        return false;
      }
    },
  };
}
