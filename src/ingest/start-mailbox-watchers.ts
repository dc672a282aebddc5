import { type Config, ConfigError } from '../config/index.js';
import type { Db } from '../db/index.js';
import type { Logger } from '../util/logger.js';
import { createMetrics, type Metrics } from '../util/metrics.js';
import { ConnectGate, type GateStatus } from './connect-gate.js';
import { imapOptionsFor } from './imap-client.js';
import { createKeywordSupport, type KeywordSupport } from './keywords.js';
import { LeaseKeeper, type ShareStatus } from './lease-keeper.js';
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
  /** Where a watcher records that its server takes no custom keywords (checked at connect with ingest.keywords). */
  keywordSupport?: KeywordSupport;
  /**
   * The process's login gate, shared with the draft and keyword sessions (loginGate()); stop()
   * leaves it open then. Without one the watchers get a gate of their own.
   */
  gate?: ConnectGate;
}

/** The gate every IMAP login of a `mailroom run` passes: ingest.connect_concurrency, and a backoff per server. */
export function loginGate(ingest: Pick<Config['ingest'], 'connect_concurrency'>, tuning: Partial<Pick<WatcherTuning, 'reconnectMinMs' | 'reconnectMaxMs'>> = {}): ConnectGate {
  const { reconnectMinMs, reconnectMaxMs } = { ...DEFAULT_TUNING, ...tuning };
  return new ConnectGate({ concurrency: ingest.connect_concurrency, backoffMinMs: reconnectMinMs, backoffMaxMs: reconnectMaxMs });
}

/** The process's mailboxes at a glance, for /ready: how many are watched here, and why the rest wait. */
export interface IngestSummary {
  mailboxes: number;
  /** Watched by this process now. */
  connected: number;
  /** Watched by another process (or passing between processes). */
  standby: number;
  /** Ours, waiting for a login slot or for the server to take logins again. */
  waiting: number;
  /** Ours, connecting or reconnecting after a failure (each says why in its lastError). */
  connecting: number;
  share: ShareStatus;
  logins: GateStatus;
  /** One sentence: what the numbers mean. */
  note: string;
}

export interface MailboxWatchers {
  /** Finishes the message in hand, logs out of every mailbox, releases the leases. */
  stop(): Promise<void>;
  status(): MailboxStatus[];
  summary(): IngestSummary;
  /** Test hook: stop heartbeats and renewals and drop every connection without releasing, like a frozen or killed process. */
  freeze(): Promise<void>;
}

/**
 * Starts one watcher per configured mailbox and the lease keeper that decides which of them this
 * process watches: any number of processes sharing a PostgreSQL database can run this, each
 * watching its fair share and taking over from one that stops or dies. Every login passes one
 * gate (ingest.connect_concurrency), so a thousand mailboxes connect without overrunning the server.
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
  const ownGate = !ctx.gate;
  const gate = ctx.gate ?? loginGate(ctx.config.ingest, tuning);
  const keeper = new LeaseKeeper({ db: ctx.db, holder: ctx.processId, mailboxes: [...names], leaseTtlMs: tuning.leaseTtlMs, localProbeMs: tuning.localProbeMs, logger });
  const keywordSupport = ctx.keywordSupport ?? createKeywordSupport(logger);
  const watchers = ctx.config.mailboxes.map((mailbox) => {
    const watcher = new MailboxWatcher({
      db: ctx.db,
      mailbox,
      ingest: ctx.config.ingest,
      logger,
      metrics,
      maxCleanChars: ctx.config.classifier.max_input_chars,
      processId: ctx.processId,
      onStored: ctx.onStored,
      tuning,
      gate,
      lease: keeper.view(mailbox.name),
      keywordSupport,
    });
    keeper.follow(mailbox.name, watcher);
    return watcher;
  });
  for (const watcher of watchers) watcher.start();
  keeper.start();
  return {
    stop: async () => {
      // Renewals go on while the sessions log out, so no other process takes a mailbox before then.
      keeper.drain();
      await Promise.all(watchers.map((w) => w.stop()));
      if (ownGate) gate.close();
      await keeper.release().catch((error: unknown) => {
        logger.warn({ err: error }, `could not release the watch leases (${(error as Error).message}); other processes take the mailboxes over when they expire`);
      });
    },
    freeze: async () => {
      await keeper.halt();
      await Promise.all(watchers.map((w) => w.freeze()));
      if (ownGate) gate.close();
    },
    status: () => watchers.map((w) => w.status()),
    summary: () =>
      summarize(
        watchers.map((w) => w.status()),
        keeper.status(),
        gate.status(),
      ),
  };
}

function summarize(statuses: MailboxStatus[], share: ShareStatus, logins: GateStatus): IngestSummary {
  const count = (states: string[]) => statuses.filter((s) => states.includes(s.state)).length;
  const connected = statuses.filter((s) => s.connected).length;
  const waiting = count(['waiting']);
  const connecting = count(['connecting', 'reconnecting']);
  const standby = count(['standby', 'starting']);
  const parts = [`${connected} of ${statuses.length} mailboxes watched by this process`];
  if (standby > 0) parts.push(`${standby} by other processes (${share.processes} share them; this one's share is ${share.target})`);
  if (waiting > 0) {
    const backingOff = logins.servers.filter((s) => s.backoffMs !== null);
    const why =
      backingOff.length > 0
        ? backingOff.map((s) => `${s.server} refused logins (${s.lastRefusal ?? 'refused'}), next try in ${Math.ceil((s.backoffMs ?? 0) / 1000)} s`).join('; ')
        : `at most ${logins.concurrency} logins at once (ingest.connect_concurrency), ${logins.inFlight} in flight`;
    parts.push(`${waiting} waiting to log in: ${why}`);
  }
  if (connecting > 0) parts.push(`${connecting} connecting or retrying (see each mailbox's error)`);
  return { mailboxes: statuses.length, connected, standby, waiting, connecting, share, logins, note: parts.join('; ') };
}
