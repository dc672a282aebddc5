import { ImapFlow } from 'imapflow';
import { ConfigError, type MailboxConfig } from '../../config/index.js';
import { classifyImapError, describeMailbox, imapOptionsFor } from '../../ingest/index.js';
import { silentLogger } from '../../util/logger.js';
import { type CheckResult, fail, ok, warn, withDeadline } from './checklist.js';

const FIXES: Record<string, (m: MailboxConfig) => string> = {
  auth: (m) =>
    m.access_token ? `refresh mailboxes[${m.name}].access_token (OAuth2 tokens expire)` : `correct mailboxes[${m.name}].user or password (for Gmail/Microsoft 365 use an app password or access_token)`,
  tls: (m) => `check mailboxes[${m.name}].security and port (tls: 993, starttls: 143); for a self-signed test server set tls_reject_unauthorized: false`,
  network: (m) => `check that ${m.host}:${m.port ?? (m.security === 'tls' ? 993 : 143)} is reachable from this host (firewall, host name, port)`,
  other: (m) => `check mailboxes[${m.name}] against what the server expects`,
};

/**
 * Logs in to one mailbox, checks the watched folder and the Drafts folder (named in
 * mailboxes[].drafts_folder, or found by its \Drafts special-use flag), and logs out. Read-only.
 */
export async function checkMailbox(mailbox: MailboxConfig, options: { timeoutMs?: number; draftsNeeded?: boolean } = {}): Promise<CheckResult[]> {
  const name = `mailbox ${mailbox.name}`;
  const where = describeMailbox(mailbox);
  let client: ImapFlow;
  try {
    const timeout = options.timeoutMs ?? 15_000;
    client = new ImapFlow({
      ...imapOptionsFor(mailbox, silentLogger()),
      logger: false,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout * 2,
    });
  } catch (error) {
    if (error instanceof ConfigError) return [fail(name, error.message, `fix mailboxes[${mailbox.name}] in the configuration`)];
    throw error;
  }
  client.on('error', () => {
    // Reported through the rejected promise below; an unhandled 'error' event would crash the doctor.
  });
  try {
    await withDeadline(options.timeoutMs ?? 15_000, `${where} login`, () => client.connect());
  } catch (error) {
    const e = error as { message?: string; responseText?: string; code?: string };
    const kind = classifyImapError(error);
    const said = e.responseText ? ` (server said: ${e.responseText})` : '';
    const what = kind === 'auth' ? 'login refused' : kind === 'tls' ? 'TLS failed' : kind === 'network' ? 'cannot connect' : 'login failed';
    client.close();
    return [fail(name, `${where}: ${what}: ${e.code && kind === 'network' ? e.code : (e.message ?? String(error))}${said}`, (FIXES[kind] ?? FIXES.other!)(mailbox))];
  }
  try {
    const folders = await withDeadline(options.timeoutMs ?? 15_000, `${where} LIST`, () => client.list());
    const results: CheckResult[] = [];
    const watched = folders.find((f) => f.path === mailbox.folder || (mailbox.folder.toUpperCase() === 'INBOX' && f.path.toUpperCase() === 'INBOX'));
    results.push(
      watched
        ? ok(name, `${where}: logged in; folder "${mailbox.folder}" exists`)
        : fail(
            name,
            `${where}: logged in, but folder "${mailbox.folder}" does not exist`,
            `create the folder or set mailboxes[${mailbox.name}].folder to one of: ${folders
              .map((f) => f.path)
              .slice(0, 8)
              .join(', ')}`,
          ),
    );
    const drafts = mailbox.drafts_folder ? folders.find((f) => f.path === mailbox.drafts_folder) : folders.find((f) => f.specialUse === '\\Drafts');
    const draftsName = `${name} drafts`;
    if (drafts && !drafts.flags.has('\\Noselect')) results.push(ok(draftsName, `reply drafts go to "${drafts.path}"`));
    else {
      const detail = mailbox.drafts_folder ? `drafts folder "${mailbox.drafts_folder}" does not exist` : 'no folder is marked \\Drafts';
      const fix = `set mailboxes[${mailbox.name}].drafts_folder to the folder your mail client uses for drafts (one of: ${folders
        .map((f) => f.path)
        .slice(0, 8)
        .join(', ')})`;
      results.push(options.draftsNeeded === false ? warn(draftsName, `${detail} (drafts.mode is off)`, fix) : fail(draftsName, detail, fix));
    }
    return results;
  } catch (error) {
    return [fail(name, `${where}: logged in, but listing folders failed: ${(error as Error).message}`, FIXES.other!(mailbox))];
  } finally {
    await client.logout().catch(() => client.close());
  }
}
