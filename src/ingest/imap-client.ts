import { isIP } from 'node:net';
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import { ConfigError } from '../config/config-error.js';
import type { MailboxConfig } from '../config/schema.js';
import type { Logger } from '../util/logger.js';
import { imapFlowLogger } from './imap-logger.js';

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
      `${where}: security "plain" would send the password unencrypted, so it is only allowed to a loopback host ` +
        '(127.0.0.1, ::1, localhost). Use security: tls (port 993) or starttls (port 143).',
    );
  }
  if (!mailbox.password && !mailbox.access_token) {
    throw new ConfigError(`${where}: set mailboxes[].password or mailboxes[].access_token (XOAUTH2), e.g. "\${IMAP_PASSWORD}"`);
  }
  const auth = mailbox.access_token
    ? { user: mailbox.user, accessToken: mailbox.access_token }
    : { user: mailbox.user, pass: mailbox.password };
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
