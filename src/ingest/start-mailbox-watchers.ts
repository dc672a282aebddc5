import { type Config, ConfigError } from '../config/index.js';
import type { Db } from '../db/index.js';
import type { Logger } from '../util/logger.js';
import { createMetrics, type Metrics } from '../util/metrics.js';
import { imapOptionsFor } from './imap-client.js';
import { DEFAULT_TUNING, type MailboxStatus, MailboxWatcher, type WatcherTuning } from './mailbox-watcher.js';

export interface MailboxWatchersContext {
  db: Db;
  config: Pick<Config, 'mailboxes' | 'ingest' | 'classifier'>;
  logger: Logger;
  /** Counts stored messages and reconnects (a private registry when omitted). */
  metrics?: Metrics;
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
}

/**
 * Starts one watcher per configured mailbox. Each watches only while this process holds the
 * mailbox's lease, so any number of processes sharing a PostgreSQL database can run this: one
 * watches each mailbox, the others stand by and take over when it stops or dies.
 * Throws ConfigError (before connecting anywhere) for a mailbox that can never work.
 */
export function startMailboxWatchers(ctx: MailboxWatchersContext): MailboxWatchers {
  const names = new Set<string>();
  for (const mailbox of ctx.config.mailboxes) {
    imapOptionsFor(mailbox, ctx.logger);
    // The name keys the cursor and the lease: two watchers under one name would share both.
    if (names.has(mailbox.name)) throw new ConfigError(`mailboxes: the name "${mailbox.name}" is used twice; give each mailbox its own name`);
    names.add(mailbox.name);
  }
  const tuning = { ...DEFAULT_TUNING, ...ctx.tuning };
  const logger = ctx.logger.child({ component: 'ingest' });
  const metrics = ctx.metrics ?? createMetrics({ defaultMetrics: false });
  const watchers = ctx.config.mailboxes.map(
    (mailbox) =>
      new MailboxWatcher({
        db: ctx.db,
        mailbox,
        ingest: ctx.config.ingest,
        logger,
        metrics,
        maxCleanChars: ctx.config.classifier.max_input_chars,
        processId: ctx.processId,
        onStored: ctx.onStored,
        tuning,
      }),
  );
  for (const watcher of watchers) watcher.start();
  return {
    stop: async () => void (await Promise.all(watchers.map((w) => w.stop()))),
    status: () => watchers.map((w) => w.status()),
  };
}
