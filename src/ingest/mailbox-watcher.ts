import type { ImapFlow } from 'imapflow';
import type { Config, MailboxConfig } from '../config/index.js';
import type { Db } from '../db/index.js';
import type { Logger } from '../util/logger.js';
import type { Metrics } from '../util/metrics.js';
import { backoffDelay, createWakeableSleep, sleep } from '../util/wait.js';
import { type Cursor, prepareCursor } from './cursor.js';
import { classifyImapError, createImapClient, describeImapError } from './imap-client.js';
import { MailboxLease } from './lease.js';
import { LeaseLostError, sweepMailbox } from './sweep-mailbox.js';

/**
 * standby: another process holds this mailbox's lease; connecting / reconnecting: trying to reach
 * the server (see lastError); connected: watching (IDLE plus periodic sweeps).
 */
export type WatcherState = 'starting' | 'standby' | 'connecting' | 'connected' | 'reconnecting' | 'stopped';

/** One mailbox as /ready and `mailroom doctor` show it. */
export interface MailboxStatus {
  mailbox: string;
  folder: string;
  state: WatcherState;
  connected: boolean;
  /** This process holds the mailbox's watch lease. */
  leaseHeld: boolean;
  /** The lease holder seen last (this process or another). */
  leaseHolder: string | null;
  /** When the current state began: connected since, or trying since. */
  since: Date;
  lastError: string | null;
  uidvalidity: number | null;
  lastUid: number | null;
  /** Messages this process stored for the mailbox since it started. */
  stored: number;
}

/** Timings a test may shorten; the defaults are for production. */
export interface WatcherTuning {
  /** The lease expires this long after its last renewal; a dead holder's mailbox is taken over after it. */
  leaseTtlMs: number;
  /** A standby process retries the lease this often (±20 %). */
  leaseRetryMs: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  /** A rejected login is retried at this slow, steady pace (no point hammering, and servers lock accounts). */
  authRetryMs: number;
  /** IDLE is restarted this often: servers drop IDLE sessions after 30 min (RFC 9051). */
  maxIdleMs: number;
  /** How long stop() waits for LOGOUT before closing the socket. */
  logoutTimeoutMs: number;
}

export const DEFAULT_TUNING: WatcherTuning = {
  leaseTtlMs: 30 * 1000,
  leaseRetryMs: 10 * 1000,
  reconnectMinMs: 1000,
  reconnectMaxMs: 60 * 1000,
  authRetryMs: 60 * 1000,
  maxIdleMs: 5 * 60 * 1000,
  logoutTimeoutMs: 2000,
};

export interface MailboxWatcherDeps {
  db: Db;
  mailbox: MailboxConfig;
  ingest: Config['ingest'];
  logger: Logger;
  processId: string;
  onStored?: ((emailId: string) => void) | undefined;
  metrics: Metrics;
  /** The classifier's length cap: messages are parsed once, when stored. */
  maxCleanChars: number;
  tuning: WatcherTuning;
}

/**
 * Watches one mailbox for as long as this process holds its lease: connect, catch up from the
 * cursor, IDLE, sweep on every new-mail notice and every ingest.sweep_interval, reconnect on any
 * failure with backoff and jitter — forever, until stop(). Each state change is logged once.
 */
export class MailboxWatcher {
  readonly #deps: MailboxWatcherDeps;
  readonly #logger: Logger;
  readonly #lease: MailboxLease;
  readonly #stopController = new AbortController();
  #running: Promise<void> | null = null;
  #client: ImapFlow | null = null;
  #state: WatcherState = 'starting';
  #stateSince = new Date();
  #lastError: string | null = null;
  #loggedKey = '';
  #cursor: Cursor | null = null;
  #stored = 0;
  /** Cut short by IMAP events and stop; the session loop waits on it between sweeps. */
  readonly #idle = createWakeableSleep();
  #newMail = false;
  #sessionConnected = false;

  constructor(deps: MailboxWatcherDeps) {
    this.#deps = deps;
    this.#logger = deps.logger.child({ mailbox: deps.mailbox.name });
    this.#lease = new MailboxLease({
      db: deps.db,
      mailbox: deps.mailbox.name,
      holder: deps.processId,
      ttlMs: deps.tuning.leaseTtlMs,
      logger: this.#logger,
      onLost: () => {
        // Drop the session now: the new holder is already reading this mailbox.
        this.#client?.close();
        this.#wakeUp();
      },
    });
  }

  start(): void {
    this.#running ??= this.#run().catch((error) => {
      this.#logger.error({ err: error }, `mailbox "${this.#deps.mailbox.name}": watcher stopped unexpectedly: ${(error as Error).message}`);
    });
  }

  get #stopping(): boolean {
    return this.#stopController.signal.aborted;
  }

  /** Finishes the message in hand, logs out, releases the lease. */
  async stop(): Promise<void> {
    this.#stopController.abort();
    this.#wakeUp();
    // A connect or a large download in progress is cut short rather than waited for: what was
    // not committed is fetched again by the next holder.
    const graceMs = this.#deps.tuning.logoutTimeoutMs + 3000;
    const finished = await Promise.race([this.#running?.then(() => true), sleep(graceMs).then(() => false)]);
    if (!finished) this.#client?.close();
    await this.#running;
    this.#transition('stopped');
  }

  /** Test hook: stop renewing the lease and drop the connection without releasing, like a frozen process. */
  async freeze(): Promise<void> {
    this.#lease.abandon();
    this.#stopController.abort();
    this.#client?.close();
    this.#wakeUp();
    await this.#running;
  }

  status(): MailboxStatus {
    return {
      mailbox: this.#deps.mailbox.name,
      folder: this.#deps.mailbox.folder,
      state: this.#state,
      connected: this.#state === 'connected',
      leaseHeld: this.#lease.held,
      leaseHolder: this.#lease.holder,
      since: this.#stateSince,
      lastError: this.#lastError,
      uidvalidity: this.#cursor?.uidvalidity ?? null,
      lastUid: this.#cursor?.lastUid ?? null,
      stored: this.#stored,
    };
  }

  async #run(): Promise<void> {
    const { tuning } = this.#deps;
    const signal = this.#stopController.signal;
    let failures = 0;
    while (!this.#stopping) {
      if (!this.#lease.held) {
        let acquired = false;
        try {
          acquired = await this.#lease.tryAcquire();
        } catch (error) {
          this.#transition('standby', `mailbox "${this.#deps.mailbox.name}": cannot take the watch lease: database error (${(error as Error).message}); retrying`);
        }
        if (!acquired) {
          if (this.#lease.holder && this.#lease.holder !== this.#deps.processId) {
            this.#transition('standby', null, `watched by process ${this.#lease.holder}; standing by`);
          }
          await sleep(backoffDelay(1, { minMs: tuning.leaseRetryMs, maxMs: tuning.leaseRetryMs }), signal);
          continue;
        }
        failures = 0;
      }
      this.#sessionConnected = false;
      try {
        await this.#session();
        failures = 0;
      } catch (error) {
        if (this.#stopping) break;
        if (error instanceof LeaseLostError || !this.#lease.held) continue;
        // A drop after a healthy session starts the backoff over.
        failures = this.#sessionConnected ? 1 : failures + 1;
        const auth = classifyImapError(error) === 'auth';
        const delay = auth ? tuning.authRetryMs : backoffDelay(failures, { minMs: tuning.reconnectMinMs, maxMs: tuning.reconnectMaxMs });
        const retry = auth ? `retrying every ${seconds(tuning.authRetryMs)}` : `retrying with backoff (at most every ${seconds(tuning.reconnectMaxMs)})`;
        this.#transition('reconnecting', describeImapError(this.#deps.mailbox, error, retry));
        this.#deps.metrics.imapReconnects.inc({ mailbox: this.#deps.mailbox.name });
        await sleep(delay, signal);
      }
    }
    await this.#lease.release().catch((error) => {
      this.#logger.warn({ err: error }, `mailbox "${this.#deps.mailbox.name}": could not release the watch lease (${(error as Error).message}); another process takes over when it expires`);
    });
  }

  /** One connection, from connect to close. Returns on stop or lease loss; throws on failure. */
  async #session(): Promise<void> {
    const { db, mailbox, ingest, tuning } = this.#deps;
    const client = createImapClient(mailbox, this.#logger);
    client.maxIdleTime = tuning.maxIdleMs;
    this.#client = client;
    let failure: Error | null = null;
    const fail = (error: Error) => {
      failure ??= error;
      this.#wakeUp();
    };
    client.on('error', (error) => fail(error));
    client.on('close', () => fail(Object.assign(new Error('the server closed the connection'), { code: 'NoConnection' })));
    client.on('exists', () => {
      this.#newMail = true;
      this.#wakeUp();
    });
    // A new UIDVALIDITY on the open folder mid-session: reconnect, and prepareCursor() re-scans.
    let watchingUidValidity: number | null = null;
    client.on('mailboxOpen', (opened) => {
      if (watchingUidValidity !== null && Number(opened.uidValidity) !== watchingUidValidity) fail(new Error(`UIDVALIDITY of "${mailbox.folder}" changed to ${opened.uidValidity}`));
    });
    if (this.#state !== 'reconnecting') this.#transition('connecting');
    try {
      await client.connect();
      const opened = await client.mailboxOpen(mailbox.folder, { readOnly: true });
      const uidNext = opened.uidNext || (await highestUid(client)) + 1;
      const { cursor, change, previous } = await prepareCursor(db, {
        mailbox: mailbox.name,
        state: { folder: opened.path, uidvalidity: Number(opened.uidValidity), uidNext },
        backfillMs: ingest.backfill,
        now: new Date(),
      });
      this.#cursor = cursor;
      watchingUidValidity = cursor.uidvalidity;
      this.#logCursorChange(change, cursor, previous);
      this.#transition('connected');
      this.#sessionConnected = true;
      for (;;) {
        if (this.#stopping || !this.#lease.held) return;
        if (failure) throw failure;
        this.#newMail = false;
        const result = await sweepMailbox(
          {
            db,
            client,
            mailbox: mailbox.name,
            holder: this.#deps.processId,
            fetchBatch: ingest.fetch_batch,
            maxMessageBytes: ingest.max_message_bytes,
            maxCleanChars: this.#deps.maxCleanChars,
            logger: this.#logger,
            onStored: (emailId) => {
              this.#deps.metrics.messagesIngested.inc({ mailbox: mailbox.name });
              this.#deps.onStored?.(emailId);
            },
            shouldStop: () => this.#stopping || !this.#lease.held,
          },
          this.#cursor,
        );
        this.#cursor = result.cursor;
        this.#stored += result.stored;
        if (result.stored + result.duplicates + result.headersOnly > 0) {
          this.#logger.debug({ ...result, cursor: undefined, lastUid: result.cursor.lastUid }, `mailbox "${mailbox.name}": stored ${result.stored} new message(s)`);
        }
        if (this.#newMail || failure) continue;
        if (this.#stopping || !this.#lease.held) return;
        // IDLE until new mail, the next sweep, a stop or a failure; the next command ends it.
        const idling = client.idle().catch(() => false);
        await this.#idle.sleep(ingest.sweep_interval);
        void idling;
      }
    } finally {
      this.#client = null;
      if (this.#stopping && !failure && client.usable) {
        await Promise.race([client.logout().catch(() => {}), sleep(tuning.logoutTimeoutMs)]);
      }
      client.close();
    }
  }

  #wakeUp(): void {
    this.#idle.wake();
  }

  #logCursorChange(change: string, cursor: Cursor, previous: Cursor | null): void {
    const name = this.#deps.mailbox.name;
    if (change === 'first-start') {
      const backfill = this.#deps.ingest.backfill;
      this.#logger.info(
        { uidvalidity: cursor.uidvalidity, lastUid: cursor.lastUid },
        backfill > 0
          ? `mailbox "${name}": first start; taking mail since ${cursor.since.toISOString()} (ingest.backfill) and everything new`
          : `mailbox "${name}": first start; taking only mail that arrives from now on (set ingest.backfill, e.g. 7d, to take older mail)`,
      );
    } else if (change === 'uidvalidity-changed' || change === 'folder-changed') {
      this.#logger.warn(
        { previous: previous && { folder: previous.folder, uidvalidity: previous.uidvalidity }, uidvalidity: cursor.uidvalidity },
        `mailbox "${name}": ${change === 'folder-changed' ? `folder changed to "${cursor.folder}"` : `UIDVALIDITY of "${cursor.folder}" changed (${previous?.uidvalidity} → ${cursor.uidvalidity})`}; ` +
          're-scanning the folder and matching against stored mail, so nothing is processed twice',
      );
    }
  }

  /** Logs once per change of state or error text, so a server that stays down is one line, not thousands. */
  #transition(state: WatcherState, error: string | null = null, note?: string): void {
    const key = `${state}|${error ?? ''}|${note ?? ''}`;
    const changed = state !== this.#state;
    if (changed) this.#stateSince = new Date();
    this.#state = state;
    if (error !== null || state === 'connected') this.#lastError = error;
    if (key === this.#loggedKey) return;
    this.#loggedKey = key;
    const name = this.#deps.mailbox.name;
    if (error) this.#logger.warn({ state }, error);
    else if (state === 'connected') this.#logger.info({ state, folder: this.#deps.mailbox.folder }, `mailbox "${name}": connected, watching "${this.#deps.mailbox.folder}"`);
    else if (note) this.#logger.info({ state }, `mailbox "${name}": ${note}`);
    else if (state === 'stopped') this.#logger.info({ state }, `mailbox "${name}": stopped`);
    else this.#logger.debug({ state }, `mailbox "${name}": ${state}`);
  }
}

async function highestUid(client: ImapFlow): Promise<number> {
  const last = await client.fetchOne('*', { uid: true });
  return last ? last.uid : 0;
}

function seconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}
