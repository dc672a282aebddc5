import type { ImapFlow } from 'imapflow';
import type { Config, MailboxConfig } from '../config/index.js';
import type { Db } from '../db/index.js';
import type { Logger } from '../util/logger.js';
import type { Metrics } from '../util/metrics.js';
import { backoffDelay, createWakeableSleep, jitter, sleep } from '../util/wait.js';
import type { ConnectGate, LoginSlot } from './connect-gate.js';
import { isLoginRefusal, refusalReason } from './connect-gate.js';
import { type Cursor, prepareCursor } from './cursor.js';
import { describeResolvedFolder, findFolder, type ListedFolder, personalNamespace, resolveFolder } from './folders.js';
import { classifyImapError, createImapClient, describeImapError, imapServerKey } from './imap-client.js';
import { acceptsKeywords, type KeywordSupport } from './keywords.js';
import { LeaseLostError, sweepMailbox } from './sweep-mailbox.js';

/**
 * standby: this process does not hold the mailbox's lease (another one watches it, or it is being
 * handed over); waiting: ours, waiting for a login slot or for the server to take logins again
 * (connect-gate.ts); connecting / reconnecting: trying to reach the server (see lastError);
 * connected: watching (IDLE plus periodic sweeps); releasing: finishing the current sweep before
 * handing the mailbox to another process.
 */
export type WatcherState = 'starting' | 'standby' | 'waiting' | 'connecting' | 'connected' | 'reconnecting' | 'releasing' | 'stopped';

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
  /** How new mail is heard: IDLE alone, or IDLE broken by a NOOP every ingest.idle_poll (a server whose IDLE is lazy). */
  idle: 'push' | 'poll';
}

/** Timings a test may shorten; the defaults are for production. */
export interface WatcherTuning {
  /** ingest.lease_ttl: a dead holder's mailboxes are watched again within it (lease-keeper.ts). */
  leaseTtlMs: number;
  /** How often the processes on this host that hold leases are checked for being alive (a syscall, no query). */
  localProbeMs: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  /** A rejected login is retried at this slow, steady pace (no point hammering, and servers lock accounts). */
  authRetryMs: number;
  /** IDLE is restarted this often: servers drop IDLE sessions after 30 min (RFC 9051). */
  maxIdleMs: number;
  /** How long stop() waits for LOGOUT before closing the socket. */
  logoutTimeoutMs: number;
  /**
   * Mail a timer sweep finds counts as "IDLE did not announce it" only when it arrived at least
   * this long before the sweep (plus a second: INTERNALDATE has whole seconds); a prompt IDLE
   * announces within a second (Dovecot: ~0.5 s).
   */
  unannouncedGraceMs: number;
}

export const DEFAULT_TUNING: WatcherTuning = {
  leaseTtlMs: 30 * 1000,
  localProbeMs: 250,
  reconnectMinMs: 1000,
  reconnectMaxMs: 60 * 1000,
  authRetryMs: 60 * 1000,
  maxIdleMs: 5 * 60 * 1000,
  logoutTimeoutMs: 2000,
  unannouncedGraceMs: 2000,
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
  /** Every login of the process passes it. */
  gate: ConnectGate;
  /** The lease as the process's lease keeper knows it. */
  lease: LeaseView;
  /** Where the watcher records that the server takes no custom keywords (with ingest.keywords). */
  keywordSupport?: KeywordSupport;
}

/** What the watcher needs to know of its lease; lease-keeper.ts takes, renews and gives it. */
export interface LeaseView {
  /** This process holds the lease and has renewed it recently enough to trust it. */
  held(): boolean;
  /** The holder seen last (this process or another), null when free. */
  holder(): string | null;
}

/**
 * Watches one mailbox while this process holds its lease: wait for a login slot, connect, catch up
 * from the cursor, IDLE, sweep on every new-mail notice and every ingest.sweep_interval, reconnect
 * on any failure with backoff and jitter — until the lease keeper hands the mailbox over (after the
 * current sweep), the lease is lost (at once), or stop(). Each state change is logged once.
 */
export class MailboxWatcher {
  readonly #deps: MailboxWatcherDeps;
  readonly #logger: Logger;
  readonly #server: string;
  readonly #stopController = new AbortController();
  #running: Promise<void> | null = null;
  #client: ImapFlow | null = null;
  #state: WatcherState = 'starting';
  #stateSince = new Date();
  #lastError: string | null = null;
  #loggedKey = '';
  #cursor: Cursor | null = null;
  #stored = 0;
  /** Break IDLE with a NOOP every ingest.idle_poll: set by ingest.lazy_idle, or once a sweep found mail IDLE did not announce. */
  #pollIdle: boolean;
  /** PERMANENTFLAGS checked for keywords (once per watcher: it costs a SELECT). */
  #keywordsChecked = false;
  /** The server's name of the watched folder (mailboxes[].folder resolved in the personal namespace), and how to say it. */
  #folderPath: string;
  #folder: string;
  /** Cut short by IMAP events, lease changes and stop; the loops wait on it. */
  readonly #idle = createWakeableSleep();
  #newMail = false;
  #announcedByIdle = false;
  #sessionConnected = false;
  /** The current session got past LOGIN: a failure after that is this mailbox's, not the server refusing logins. */
  #loggedIn = false;
  /** The keeper gave us the lease and has not asked for it back. */
  #assigned = false;
  /** Resolved once a requested hand-over has closed the session. */
  #handOver: { done: Promise<void>; resolve: () => void } | null = null;
  /** Aborts a wait for a login slot or a reconnect delay when the lease goes or we stop. */
  #waitAbort = new AbortController();

  constructor(deps: MailboxWatcherDeps) {
    this.#deps = deps;
    this.#logger = deps.logger.child({ mailbox: deps.mailbox.name });
    this.#server = imapServerKey(deps.mailbox);
    this.#pollIdle = deps.ingest.lazy_idle === 'always';
    this.#folderPath = deps.mailbox.folder;
    this.#folder = `"${deps.mailbox.folder}"`;
  }

  start(): void {
    this.#running ??= this.#run().catch((error) => {
      this.#logger.error({ err: error }, `mailbox "${this.#deps.mailbox.name}": watcher stopped unexpectedly: ${(error as Error).message}`);
    });
  }

  get #stopping(): boolean {
    return this.#stopController.signal.aborted;
  }

  /** The session is open, or about to be: a hand-over of this one costs a logout. */
  get busy(): boolean {
    return this.#state === 'connected' || this.#state === 'connecting';
  }

  /** Logged in and watching (the lease keeper hands surplus over only once a takeover's mailboxes are). */
  get connected(): boolean {
    return this.#state === 'connected';
  }

  /** The lease keeper took the lease for us: start watching. */
  take(): void {
    this.#assigned = true;
    this.#waitAbort = new AbortController();
    this.#wakeUp();
  }

  /**
   * The keeper wants the mailbox for another process: finish the current sweep, log out, and
   * resolve — only then may the lease row go, so two processes never watch the mailbox at once.
   */
  handOver(): Promise<void> {
    if (!this.#assigned) return Promise.resolve();
    if (!this.#handOver) {
      let resolve = () => {};
      const done = new Promise<void>((r) => (resolve = r));
      this.#handOver = { done, resolve };
      this.#waitAbort.abort();
      this.#wakeUp();
    }
    return this.#handOver.done;
  }

  /** The lease is gone (another process took it, or it could not be renewed in time): drop the session now. */
  lose(reason: string): void {
    if (!this.#assigned) return;
    this.#assigned = false;
    this.#waitAbort.abort();
    if (this.#state !== 'releasing') {
      this.#logger.warn({ mailbox: this.#deps.mailbox.name }, `mailbox "${this.#deps.mailbox.name}": lost the watch lease (${reason}); stopping this watcher's IMAP session`);
    }
    // The new holder may already be reading this mailbox.
    this.#client?.close();
    this.#wakeUp();
  }

  /**
   * The lease keeper renewed the lease. A watcher finds it untrusted when a renewal comes late (a
   * busy event loop or database) and stands by; the lapse timer would wake it with lose(), but a
   * renewal that beats the timer gives nothing back to take, so without this it slept out its
   * standby (a minute) while nobody watched the mailbox. A watcher at work is not woken: that would
   * cut its next IDLE short for nothing.
   */
  renewed(): void {
    if (this.#assigned && this.#state === 'standby') this.#wakeUp();
  }

  /** Finishes the message in hand, logs out; the lease keeper releases the lease after. */
  async stop(): Promise<void> {
    this.#stopController.abort();
    this.#waitAbort.abort();
    this.#wakeUp();
    // A connect or a large download in progress is cut short rather than waited for: what was
    // not committed is fetched again by the next holder.
    const graceMs = this.#deps.tuning.logoutTimeoutMs + 3000;
    const finished = await Promise.race([this.#running?.then(() => true), sleep(graceMs).then(() => false)]);
    if (!finished) this.#client?.close();
    await this.#running;
    this.#transition('stopped');
  }

  /** Test hook: drop the connection and stop, without logging out, like a process that froze or died. */
  async freeze(): Promise<void> {
    this.#stopController.abort();
    this.#waitAbort.abort();
    this.#client?.close();
    this.#wakeUp();
    await this.#running;
  }

  status(): MailboxStatus {
    return {
      mailbox: this.#deps.mailbox.name,
      folder: this.#folderPath,
      state: this.#state,
      connected: this.#state === 'connected' || (this.#state === 'releasing' && this.#client !== null),
      leaseHeld: this.#deps.lease.held(),
      leaseHolder: this.#deps.lease.holder(),
      since: this.#stateSince,
      lastError: this.#lastError,
      uidvalidity: this.#cursor?.uidvalidity ?? null,
      lastUid: this.#cursor?.lastUid ?? null,
      stored: this.#stored,
      idle: this.#pollIdle ? 'poll' : 'push',
    };
  }

  /** Ours to watch: assigned, the lease still trusted, and not being handed over. */
  #watching(): boolean {
    return this.#assigned && !this.#handOver && this.#deps.lease.held();
  }

  #finishHandOver(): void {
    if (!this.#handOver) return;
    const { resolve } = this.#handOver;
    this.#handOver = null;
    this.#assigned = false;
    resolve();
  }

  async #run(): Promise<void> {
    const { tuning, gate } = this.#deps;
    let failures = 0;
    while (!this.#stopping) {
      if (this.#handOver) this.#finishHandOver();
      if (!this.#watching()) {
        const holder = this.#deps.lease.holder();
        this.#transition('standby', null, holder && holder !== this.#deps.processId ? `watched by process ${holder}; standing by` : undefined);
        await this.#idle.sleep(60_000);
        continue;
      }
      if (this.#state !== 'reconnecting') this.#transition('waiting');
      const slot = await gate.acquire(this.#server, this.#waitAbort.signal, { urgent: true });
      if (!slot) continue;
      if (!this.#watching() || this.#stopping) {
        slot.done();
        continue;
      }
      this.#sessionConnected = false;
      this.#loggedIn = false;
      try {
        await this.#session(slot);
        slot.done();
        failures = 0;
      } catch (error) {
        if (this.#stopping) break;
        if (error instanceof LeaseLostError || !this.#watching()) {
          slot.done();
          continue;
        }
        // A drop after a healthy session starts the backoff over.
        failures = this.#sessionConnected ? 1 : failures + 1;
        this.#deps.metrics.imapReconnects.inc({ mailbox: this.#deps.mailbox.name });
        if (!this.#loggedIn && isLoginRefusal(error)) {
          // The server would not take this login: the gate backs the whole server off, so this
          // mailbox queues again at once instead of adding a retry of its own to the storm.
          slot.refused(refusalReason(error));
          this.#transition('reconnecting', describeImapError(this.#deps.mailbox, error, 'waiting for the server to take logins again (the whole server backs off)'));
          continue;
        }
        slot.done();
        const auth = classifyImapError(error) === 'auth';
        const delay = auth ? tuning.authRetryMs : backoffDelay(failures, { minMs: tuning.reconnectMinMs, maxMs: tuning.reconnectMaxMs });
        const retry = auth ? `retrying every ${seconds(tuning.authRetryMs)}` : `retrying with backoff (at most every ${seconds(tuning.reconnectMaxMs)})`;
        this.#transition('reconnecting', describeImapError(this.#deps.mailbox, error, retry));
        await sleep(delay, this.#waitAbort.signal);
      }
    }
    this.#finishHandOver();
  }

  /** One connection, from connect to close. Returns on stop, hand-over or lease loss; throws on failure. */
  async #session(slot: LoginSlot): Promise<void> {
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
      // A lazy server reports new mail only at the end of a command (the sweep's own, or a NOOP):
      // only an EXISTS that comes while IDLE runs is IDLE announcing it.
      if (client.idling) this.#announcedByIdle = true;
      this.#wakeUp();
    });
    // A new UIDVALIDITY on the open folder mid-session: reconnect, and prepareCursor() re-scans.
    let watchingUidValidity: number | null = null;
    client.on('mailboxOpen', (opened) => {
      if (watchingUidValidity !== null && Number(opened.uidValidity) !== watchingUidValidity) fail(new Error(`UIDVALIDITY of "${mailbox.folder}" changed to ${opened.uidValidity}`));
    });
    if (this.#state !== 'reconnecting') this.#transition('connecting');
    let graceful = false;
    try {
      await client.connect();
      // Logged in: the server has paid for the login (a login process, the authentication, the
      // mail process), so the slot goes to the next login now. Listing and opening the folder are
      // ordinary commands and need not hold back a takeover of a hundred mailboxes.
      this.#loggedIn = true;
      slot.succeeded();
      const folder = await findFolder(client, mailbox.folder, 'mailboxes[].folder');
      this.#folder = describeResolvedFolder(folder.path, mailbox.folder, 'mailboxes[].folder', folder.viaNamespace, personalNamespace(client)) + (await this.#draftsFolder(client, folder.listed));
      this.#folderPath = folder.path;
      await this.#checkKeywords(client, folder.path);
      const opened = await client.mailboxOpen(folder.path, { readOnly: true });
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
      // The first periodic sweep comes at a random point of the interval, so a thousand mailboxes
      // that connected together do not sweep together ever after.
      let nextSweepMs = Math.max(1, Math.round(ingest.sweep_interval * Math.random()));
      // After the catch-up sweep, every sweep follows an IDLE: one the server did not cut short.
      let afterIdle = false;
      for (;;) {
        if (this.#stopping || !this.#watching()) {
          graceful = this.#stopping || this.#handOver !== null;
          return;
        }
        if (failure) throw failure;
        const announced = this.#announcedByIdle;
        const sweptAt = Date.now();
        this.#newMail = false;
        this.#announcedByIdle = false;
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
            // A hand-over waits for the sweep to finish; a stop or a lost lease does not.
            shouldStop: () => this.#stopping || !this.#assigned || !this.#deps.lease.held(),
          },
          this.#cursor,
        );
        this.#cursor = result.cursor;
        this.#stored += result.stored;
        if (result.stored + result.duplicates + result.headersOnly > 0) {
          this.#logger.debug({ ...result, cursor: undefined, arrivals: undefined, lastUid: result.cursor.lastUid }, `mailbox "${mailbox.name}": stored ${result.stored} new message(s)`);
        }
        if (afterIdle && !announced && !this.#pollIdle) this.#noticeUnannounced(result.arrivals, sweptAt);
        if (this.#handOver) this.#transition('releasing');
        if (this.#newMail || failure) continue;
        if (this.#stopping || !this.#watching()) continue;
        afterIdle = true;
        await this.#waitForMail(client, Date.now() + nextSweepMs, () => failure !== null);
        nextSweepMs = jitter(ingest.sweep_interval);
      }
    } finally {
      this.#client = null;
      if (graceful && !failure && client.usable) {
        await Promise.race([client.logout().catch(() => {}), sleep(tuning.logoutTimeoutMs)]);
      }
      client.close();
    }
  }

  #wakeUp(): void {
    this.#idle.wake();
  }

  /** `; reply drafts go to "INBOX.Drafts" (…)` for a configured drafts_folder, said with the watched folder at connect. */
  async #draftsFolder(client: ImapFlow, listed: ListedFolder[] | null): Promise<string> {
    const configured = this.#deps.mailbox.drafts_folder;
    if (!configured) return '';
    const folders = listed ?? (await client.list());
    const found = resolveFolder(folders, personalNamespace(client), configured);
    if (!found.found) return `; mailboxes[].drafts_folder "${configured}" does not exist (tried ${found.tried.map((t) => `"${t}"`).join(', ')}), so reply drafts wait`;
    return `; reply drafts go to ${describeResolvedFolder(found.path, configured, 'mailboxes[].drafts_folder', found.viaNamespace, personalNamespace(client))}`;
  }

  /**
   * IDLE until new mail, `until` (the next sweep), a stop or a failure; the next command ends the
   * IDLE. On a server whose IDLE is lazy a NOOP every ingest.idle_poll makes it report new mail
   * (RFC 3501 lets a server hold EXISTS back until a command); an EXISTS in its answer wakes us.
   */
  async #waitForMail(client: ImapFlow, until: number, failed: () => boolean): Promise<void> {
    const pollMs = Math.max(200, this.#deps.ingest.idle_poll);
    for (;;) {
      const idling = client.idle().catch(() => false);
      void idling;
      const now = Date.now();
      if (!this.#pollIdle) return this.#idle.sleep(until - now);
      await this.#idle.sleep(Math.min(until, now + pollMs) - now);
      if (this.#newMail || failed() || this.#stopping || !this.#watching() || Date.now() >= until) return;
      await client.noop();
      if (this.#newMail) return;
    }
  }

  /**
   * A timer sweep found mail that had been in the folder a while without IDLE saying so: this
   * server's IDLE is lazy (Courier checks its maildir every 60 s; Dovecot past the kernel's inotify
   * limit every 30 s). Said once; from now on IDLE is broken by a NOOP every ingest.idle_poll.
   */
  #noticeUnannounced(arrivals: Date[], sweptAt: number): void {
    if (this.#deps.ingest.lazy_idle !== 'auto') return;
    const latest = sweptAt - this.#deps.tuning.unannouncedGraceMs - 1000;
    const missed = arrivals.filter((arrived) => arrived.getTime() <= latest);
    if (missed.length === 0) return;
    this.#pollIdle = true;
    const oldest = Math.round((sweptAt - Math.min(...missed.map((d) => d.getTime()))) / 1000);
    this.#logger.warn(
      { unannounced: missed.length, idle_poll_ms: this.#deps.ingest.idle_poll },
      `mailbox "${this.#deps.mailbox.name}": the server's IDLE did not announce ${missed.length} message(s) that a sweep found (waiting up to ${oldest} s); ` +
        `from now on Mailroom breaks IDLE with a NOOP every ${seconds(this.#deps.ingest.idle_poll)} (ingest.idle_poll) so new mail is picked up within seconds. ` +
        "Set ingest.lazy_idle: always to start so, or switch on the server's immediate IDLE (Courier: IMAP_ENHANCEDIDLE=1).",
    );
  }

  /**
   * With ingest.keywords, reads the folder's PERMANENTFLAGS once (a read-write SELECT: the watched
   * folder is otherwise opened read-only, where servers list no flags at all). A server that takes
   * no custom keywords (`\*` missing, as on Microsoft 365) is said once and spared every STORE.
   */
  async #checkKeywords(client: ImapFlow, path: string): Promise<void> {
    const support = this.#deps.keywordSupport;
    if (!this.#deps.ingest.keywords || !support || this.#keywordsChecked) return;
    await client.mailboxOpen(path);
    this.#keywordsChecked = true;
    if (acceptsKeywords(client) === false) support.refuse(this.#deps.mailbox);
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
    else if (state === 'connected') this.#logger.info({ state, folder: this.#folderPath }, `mailbox "${name}": connected, watching ${this.#folder}`);
    // A thousand mailboxes standing by (or handed over) are not a thousand lines: the lease keeper logs the summary.
    else if (state === 'standby' || state === 'waiting') this.#logger.debug({ state }, `mailbox "${name}": ${note ?? state}`);
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
