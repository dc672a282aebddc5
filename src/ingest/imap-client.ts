import { isIP } from 'node:net';
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import { ConfigError, type MailboxConfig } from '../config/index.js';
import type { Logger } from '../util/logger.js';
import { type ConnectGate, connectThroughGate, GateClosedError } from './connect-gate.js';

const DEFAULT_PORTS = { tls: 993, starttls: 143, plain: 143 } as const;
const CONNECTION_TIMEOUT_MS = 30 * 1000;
const GREETING_TIMEOUT_MS = 16 * 1000;

/** True for 127.0.0.0/8, ::1 and localhost: the only hosts a plain (unencrypted) login may go to. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || bare === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(bare);
  return false;
}

/** Where a mailbox connects, for messages: `support (support@imap.example.com:993)`. */
export function describeMailbox(mailbox: MailboxConfig): string {
  return `mailbox "${mailbox.name}" (${mailbox.user}@${mailbox.host}:${mailbox.port ?? DEFAULT_PORTS[mailbox.security]})`;
}

/**
 * The imapflow options for a configured mailbox. Throws ConfigError for settings that can never
 * work (checked once at start, not on every reconnect): a plain connection to a non-loopback host,
 * or no credential at all.
 */
export function imapOptionsFor(mailbox: MailboxConfig, logger: Logger): ImapFlowOptions {
  const where = describeMailbox(mailbox);
  if (mailbox.security === 'plain' && !isLoopbackHost(mailbox.host)) {
    throw new ConfigError(
      `${where}: security "plain" would send the password unencrypted, so it is only allowed to a loopback host (127.0.0.1, ::1, localhost). Use security: tls (port 993) or starttls (port 143).`,
    );
  }
  if (!mailbox.password && !mailbox.access_token) {
    throw new ConfigError(`${where}: set mailboxes[].password or mailboxes[].access_token (XOAUTH2), e.g. "\${IMAP_PASSWORD}"`);
  }
  const auth = mailbox.access_token ? { user: mailbox.user, accessToken: mailbox.access_token } : { user: mailbox.user, pass: mailbox.password };
  return {
    host: mailbox.host,
    port: mailbox.port ?? DEFAULT_PORTS[mailbox.security],
    secure: mailbox.security === 'tls',
    // starttls must upgrade or fail; plain (loopback only) never upgrades.
    doSTARTTLS: mailbox.security === 'starttls' ? true : mailbox.security === 'plain' ? false : undefined,
    auth,
    tls: { rejectUnauthorized: mailbox.tls_reject_unauthorized },
    logger: imapFlowLogger(logger, [mailbox.password, mailbox.access_token]) as ImapFlowOptions['logger'],
    // Mailroom starts IDLE itself right after each sweep; auto-IDLE would wait 15 s.
    disableAutoIdle: true,
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    greetingTimeout: GREETING_TIMEOUT_MS,
    clientInfo: { name: 'Mailroom' },
  };
}

/** A new, not yet connected client for the mailbox. */
export function createImapClient(mailbox: MailboxConfig, logger: Logger): ImapFlow {
  return new ImapFlow(imapOptionsFor(mailbox, logger));
}

/** The key the login gate counts and backs off by: host:port, so mailboxes on one server share it. */
export function imapServerKey(mailbox: MailboxConfig): string {
  return `${mailbox.host}:${mailbox.port ?? DEFAULT_PORTS[mailbox.security]}`;
}

/**
 * One short IMAP session for one draft: connect with the mailbox's settings (the same options
 * as ingestion), run `work`, log out. Drafts are few next to incoming
 * mail, so a session per draft costs less than keeping a second connection per mailbox open.
 * With `gate` (mailroom run) the login waits its turn with the watchers' (connect-gate.ts).
 */
export async function withImapSession<T>(mailbox: MailboxConfig, logger: Logger, work: (client: ImapFlow) => Promise<T>, options: { gate?: ConnectGate | null | undefined } = {}): Promise<T> {
  const client = createImapClient(mailbox, logger);
  // Without a listener an 'error' event (connection dropped mid-command) would crash the process;
  // the failing command rejects on its own and is handled by the caller.
  client.on('error', (error: unknown) => logger.debug({ mailbox: mailbox.name, err: error }, 'IMAP session error while storing a draft'));
  await connectThroughGate(options.gate, imapServerKey(mailbox), client);
  try {
    return await work(client);
  } finally {
    await client.logout().catch(() => client.close());
  }
}

export type ImapFailureKind = 'auth' | 'folder' | 'network' | 'tls' | 'protocol' | 'database' | 'other';

interface ErrorLike {
  message?: string;
  code?: string;
  authenticationFailed?: boolean;
  serverResponseCode?: string;
  responseText?: string;
  mailboxMissing?: boolean;
  tlsFailed?: boolean;
}

/** Error codes of a connection that failed or dropped: Node's socket errors, then imapflow's own. */
const NETWORK_CODES = new Set([
  ...['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE'],
  ...['NoConnection', 'EConnectionClosed', 'CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'ETIMEOUT'],
]);

/** Sorts a session failure so the watcher picks the retry pace and says what the user can do. */
export function classifyImapError(error: unknown): ImapFailureKind {
  const e = (error ?? {}) as ErrorLike;
  // Stopping while the login waited its turn: like a connection that failed, the work is tried again.
  if (error instanceof GateClosedError) return 'network';
  if (e.authenticationFailed || e.serverResponseCode === 'AUTHENTICATIONFAILED') return 'auth';
  if (e.mailboxMissing || e.serverResponseCode === 'NONEXISTENT') return 'folder';
  if (e.tlsFailed || /certificate|self[- ]signed|TLS|SSL/i.test(e.message ?? '') || e.code?.startsWith('ERR_TLS') || e.code?.startsWith('ERR_SSL')) return 'tls';
  if (NETWORK_CODES.has(e.code ?? '')) return 'network';
  if (/ECONN|socket|closed|timeout/i.test(e.message ?? '')) return 'network';
  if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return 'database';
  if (e.responseText || e.serverResponseCode) return 'protocol';
  return 'other';
}

/** One sentence: what went wrong, for which mailbox, and what the user can do. */
export function describeImapError(mailbox: MailboxConfig, error: unknown, retry: string): string {
  const e = (error ?? {}) as ErrorLike;
  const where = describeMailbox(mailbox);
  const server = e.responseText ? ` (server said: ${e.responseText})` : '';
  switch (classifyImapError(error)) {
    case 'auth':
      return mailbox.access_token
        ? `${where}: the server rejected the OAuth2 access token${server}; refresh mailboxes[].access_token — ${retry}`
        : `${where}: the server rejected the user name or password${server}; check mailboxes[].user and password — ${retry}`;
    case 'folder':
      return `${where}: folder "${mailbox.folder}" does not exist on the server${server}; create it or fix mailboxes[].folder — ${retry}`;
    case 'tls':
      return `${where}: TLS failed (${e.message}); check mailboxes[].security and port, or tls_reject_unauthorized for a self-signed test server — ${retry}`;
    case 'network':
      return `${where}: connection failed or dropped (${e.code ?? e.message}) — ${retry}`;
    case 'database':
      return `${where}: database error (${e.message}) — ${retry}`;
    default:
      return `${where}: ${e.message ?? String(error)}${server} — ${retry}`;
  }
}

/** The logger shape imapflow calls (its `Logger` type, restated to keep our types independent of it). */
export interface ImapFlowLogger {
  trace(obj: unknown): void;
  debug(obj: unknown): void;
  info(obj: unknown): void;
  warn(obj: unknown): void;
  error(obj: unknown): void;
  fatal(obj: unknown): void;
}

/**
 * imapflow logs every connection step at info and every protocol line at debug, which would drown
 * Mailroom's own once-per-state-change lines. Its output goes to our debug level (trace for its
 * debug), or nowhere when that is off. Any entry containing one of the secrets is replaced whole:
 * imapflow hides LOGIN and AUTHENTICATE frames itself, this is the second belt.
 */
export function imapFlowLogger(logger: Logger, secrets: Array<string | undefined>): ImapFlowLogger | false {
  if (!logger.isLevelEnabled('debug')) return false;
  const hidden = secrets.filter((s): s is string => typeof s === 'string' && s.length >= 4);
  const child = logger.child({ component: 'imapflow' });
  const emit = (level: 'debug' | 'trace') => (obj: unknown) => {
    if (!logger.isLevelEnabled(level)) return;
    const entry = sanitize(obj, hidden);
    if (entry) child[level](entry, typeof entry.msg === 'string' ? entry.msg : 'imapflow');
  };
  return { trace: emit('trace'), debug: emit('trace'), info: emit('debug'), warn: emit('debug'), error: emit('debug'), fatal: emit('debug') };
}

function sanitize(obj: unknown, secrets: string[]): Record<string, unknown> | null {
  if (typeof obj !== 'object' || obj === null) return { msg: String(obj) };
  let text: string;
  try {
    text = JSON.stringify(obj);
  } catch {
    return null;
  }
  if (secrets.some((s) => text.includes(s) || text.includes(Buffer.from(s).toString('base64')))) {
    return { msg: 'imapflow log entry withheld: it contained a credential' };
  }
  // Keep what helps debugging; drop payload fields that can be large (raw protocol data).
  const { msg, cid, src, err, code, command, ...rest } = obj as Record<string, unknown>;
  void rest;
  return { msg, cid, src, code, command, err: err instanceof Error ? err.message : err };
}
