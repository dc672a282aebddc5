import { backoffDelay } from '../util/wait.js';

/**
 * Logins are what an IMAP server counts and limits: each one costs it a login process, an
 * authentication and, after it, a mail process. A thousand mailboxes that all log in at once
 * overrun a stock Dovecot (imap-login's process_limit is 100), and retries per mailbox turn that
 * into a storm of failed logins. So every login of the process passes this gate: at most
 * `concurrency` in flight (ingest.connect_concurrency), first come first served; and when a
 * server refuses or drops logins, that server — not each mailbox — backs off, then lets one login
 * through as a probe, and only after it succeeds lets the rest follow.
 */

/** What a refused or dropped login looks like, as opposed to a refusal of this mailbox's credentials. */
const BUSY_TEXT = /too many|queue full|try again later|maximum number of connections|server (is )?busy|temporar|unavailable|limit/i;
const REFUSED_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'NoConnection', 'EConnectionClosed', 'CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'ETIMEOUT']);

/**
 * True when a login failed because the server would not take one more connection now (refused,
 * dropped before or during login, "Connection queue full", [UNAVAILABLE], [LIMIT]): the server
 * backs off. A wrong password or a missing folder is the mailbox's own problem and is not.
 */
export function isLoginRefusal(error: unknown): boolean {
  const e = (error ?? {}) as { code?: string; serverResponseCode?: string; responseText?: string; message?: string };
  if (e.serverResponseCode === 'UNAVAILABLE' || e.serverResponseCode === 'LIMIT' || e.serverResponseCode === 'INUSE') return true;
  if (e.serverResponseCode === 'AUTHENTICATIONFAILED' || e.serverResponseCode === 'NONEXISTENT') return false;
  if (REFUSED_CODES.has(e.code ?? '')) return true;
  return BUSY_TEXT.test(e.responseText ?? '') || /\bclose|ECONNRESET|ECONNREFUSED|BYE/i.test(e.message ?? '');
}

/** A place in the gate; exactly one of the three ends it (later calls do nothing). */
export interface LoginSlot {
  /** Logged in and the folder is open: the server is healthy. */
  succeeded(): void;
  /** The server refused or dropped the login (see isLoginRefusal): it backs off. */
  refused(reason: string): void;
  /** Ended otherwise (wrong password, stop): says nothing about the server. */
  done(): void;
}

export interface ServerGateStatus {
  server: string;
  inFlight: number;
  queued: number;
  /** Milliseconds until the next login may be tried, while the server is backing off. */
  backoffMs: number | null;
  /** Refusals in a row (0 when the last login succeeded). */
  refusals: number;
  lastRefusal: string | null;
}

export interface GateStatus {
  concurrency: number;
  inFlight: number;
  queued: number;
  servers: ServerGateStatus[];
}

interface ServerState {
  inFlight: number;
  pausedUntil: number;
  refusals: number;
  lastRefusal: string | null;
}

interface Waiter {
  server: string;
  urgent: boolean;
  resolve: (slot: LoginSlot | null) => void;
}

/** The gate closed (the process is stopping) before a slot came free. */
export class GateClosedError extends Error {
  constructor(server: string) {
    super(`no login to ${server}: Mailroom is stopping`);
    this.name = 'GateClosedError';
  }
}

/**
 * Logs `client` in through the gate: waits for a slot for `server`, connects, and tells the gate how
 * it went — so a draft or keyword session counts against ingest.connect_concurrency like a watcher's
 * login, waits while the server backs off, and a refusal it meets backs the server off for all.
 * Throws what connect() threw, or GateClosedError. Without a gate (a one-off command) it just connects.
 */
export async function connectThroughGate(gate: ConnectGate | null | undefined, server: string, client: { connect(): Promise<void> }, signal?: AbortSignal): Promise<void> {
  if (!gate) return client.connect();
  const slot = await gate.acquire(server, signal);
  if (!slot) throw new GateClosedError(server);
  try {
    await client.connect();
    slot.succeeded();
  } catch (error) {
    if (isLoginRefusal(error)) slot.refused(refusalReason(error));
    else slot.done();
    throw error;
  }
}

/** A refusal in a few words for /ready ("connection refused", the server's text). */
export function refusalReason(error: unknown): string {
  const e = (error ?? {}) as { code?: string; responseText?: string; message?: string };
  return e.responseText || e.code || e.message || String(error);
}

export class ConnectGate {
  readonly #concurrency: number;
  readonly #backoff: { minMs: number; maxMs: number };
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #servers = new Map<string, ServerState>();
  #queue: Waiter[] = [];
  #inFlight = 0;
  #timer: NodeJS.Timeout | null = null;
  #timerAt = 0;

  constructor(options: { concurrency: number; backoffMinMs: number; backoffMaxMs: number; now?: () => number; random?: () => number }) {
    this.#concurrency = Math.max(1, options.concurrency);
    this.#backoff = { minMs: options.backoffMinMs, maxMs: options.backoffMaxMs };
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
  }

  /**
   * Waits for a login slot for `server` (host:port); null when `signal` aborts first. An `urgent`
   * login (a mailbox to watch) goes ahead of the others (drafts, keywords, corrections): those
   * can wait seconds, while a mailbox not watched is mail not heard.
   */
  acquire(server: string, signal?: AbortSignal, options: { urgent?: boolean } = {}): Promise<LoginSlot | null> {
    if (signal?.aborted) return Promise.resolve(null);
    const urgent = options.urgent ?? false;
    return new Promise((resolve) => {
      const waiter: Waiter = {
        server,
        urgent,
        resolve: (slot) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(slot);
        },
      };
      const onAbort = () => {
        const at = this.#queue.indexOf(waiter);
        if (at >= 0) this.#queue.splice(at, 1);
        waiter.resolve(null);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const behind = urgent ? this.#queue.findIndex((w) => !w.urgent) : -1;
      if (behind >= 0) this.#queue.splice(behind, 0, waiter);
      else this.#queue.push(waiter);
      this.#pump();
    });
  }

  status(): GateStatus {
    const now = this.#now();
    const queued = new Map<string, number>();
    for (const w of this.#queue) queued.set(w.server, (queued.get(w.server) ?? 0) + 1);
    return {
      concurrency: this.#concurrency,
      inFlight: this.#inFlight,
      queued: this.#queue.length,
      servers: [...this.#servers].map(([server, s]) => ({
        server,
        inFlight: s.inFlight,
        queued: queued.get(server) ?? 0,
        backoffMs: s.pausedUntil > now ? s.pausedUntil - now : null,
        refusals: s.refusals,
        lastRefusal: s.lastRefusal,
      })),
    };
  }

  close(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    for (const w of this.#queue.splice(0)) w.resolve(null);
  }

  #server(server: string): ServerState {
    let state = this.#servers.get(server);
    if (!state) {
      state = { inFlight: 0, pausedUntil: 0, refusals: 0, lastRefusal: null };
      this.#servers.set(server, state);
    }
    return state;
  }

  #pump(): void {
    const now = this.#now();
    let wakeAt = Number.POSITIVE_INFINITY;
    const remaining: Waiter[] = [];
    for (const waiter of this.#queue) {
      const server = this.#server(waiter.server);
      const backingOff = server.pausedUntil > now;
      // After a refusal one login probes the server; the others wait for its outcome.
      const probing = server.refusals > 0 && server.inFlight > 0;
      if (this.#inFlight >= this.#concurrency || backingOff || probing) {
        if (backingOff) wakeAt = Math.min(wakeAt, server.pausedUntil);
        remaining.push(waiter);
        continue;
      }
      this.#inFlight += 1;
      server.inFlight += 1;
      waiter.resolve(this.#slot(server));
    }
    this.#queue = remaining;
    if (wakeAt !== Number.POSITIVE_INFINITY && (!this.#timer || wakeAt < this.#timerAt)) {
      if (this.#timer) clearTimeout(this.#timer);
      this.#timerAt = wakeAt;
      this.#timer = setTimeout(
        () => {
          this.#timer = null;
          this.#pump();
        },
        Math.max(0, wakeAt - now),
      );
      this.#timer.unref();
    }
  }

  #slot(server: ServerState): LoginSlot {
    let ended = false;
    const end = (outcome: () => void) => {
      if (ended) return;
      ended = true;
      this.#inFlight -= 1;
      server.inFlight -= 1;
      outcome();
      this.#pump();
    };
    return {
      succeeded: () =>
        end(() => {
          server.refusals = 0;
          server.pausedUntil = 0;
        }),
      refused: (reason) =>
        end(() => {
          server.lastRefusal = reason;
          const now = this.#now();
          // Logins that were in flight together fail together: one backoff step for the lot.
          if (server.pausedUntil > now) return;
          server.refusals += 1;
          server.pausedUntil = now + backoffDelay(server.refusals, this.#backoff, this.#random);
        }),
      done: () => end(() => {}),
    };
  }
}
