import type { MailboxConfig } from '../config/schema.js';
import { describeMailbox } from './imap-client.js';

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

/** Sorts a session failure so the watcher picks the retry pace and says what the user can do. */
export function classifyImapError(error: unknown): ImapFailureKind {
  const e = (error ?? {}) as ErrorLike;
  if (e.authenticationFailed || e.serverResponseCode === 'AUTHENTICATIONFAILED') return 'auth';
  if (e.mailboxMissing || e.serverResponseCode === 'NONEXISTENT') return 'folder';
  if (e.tlsFailed || /certificate|self[- ]signed|TLS|SSL/i.test(e.message ?? '') || e.code?.startsWith('ERR_TLS') || e.code?.startsWith('ERR_SSL')) return 'tls';
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'NoConnection', 'EConnectionClosed', 'CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'ETIMEOUT'].includes(e.code ?? '')) return 'network';
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
