import type { ImapFlow } from 'imapflow';
import type { MailboxConfig } from '../config/schema.js';
import { createImapClient } from '../ingest/imap-client.js';
import type { Logger } from '../util/logger.js';

/**
 * One short IMAP session for one draft: connect with the mailbox's settings (the same options
 * as ingestion, src/ingest/imap-client.ts), run `work`, log out. Drafts are few next to incoming
 * mail, so a session per draft costs less than keeping a second connection per mailbox open.
 */
export async function withImapSession<T>(mailbox: MailboxConfig, logger: Logger, work: (client: ImapFlow) => Promise<T>): Promise<T> {
  const client = createImapClient(mailbox, logger);
  // Without a listener an 'error' event (connection dropped mid-command) would crash the process;
  // the failing command rejects on its own and is handled by the caller.
  client.on('error', (error: unknown) => logger.debug({ mailbox: mailbox.name, err: error }, 'IMAP session error while storing a draft'));
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.logout().catch(() => client.close());
  }
}
