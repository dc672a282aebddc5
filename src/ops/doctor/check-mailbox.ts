import { ImapFlow, type ListResponse } from 'imapflow';
import { ConfigError, type MailboxConfig } from '../../config/index.js';
import {
  acceptsKeywords,
  classifyImapError,
  describeMailbox,
  describeResolvedFolder,
  imapOptionsFor,
  NO_CUSTOM_KEYWORDS,
  type PersonalNamespace,
  personalNamespace,
  resolveFolder,
} from '../../ingest/index.js';
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
 * Logs in to one mailbox, says which folders Mailroom would use — the watched one and the Drafts
 * folder (mailboxes[].drafts_folder, or the folder flagged \Drafts), each looked up as written and
 * inside the server's personal namespace — and, with ingest.keywords, whether the server takes
 * custom keywords; then logs out. Changes nothing.
 */
export async function checkMailbox(mailbox: MailboxConfig, options: { timeoutMs?: number; draftsNeeded?: boolean; keywords?: boolean } = {}): Promise<CheckResult[]> {
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
    const namespace = personalNamespace(client);
    const results: CheckResult[] = [];
    const some = folders
      .map((f) => f.path)
      .slice(0, 8)
      .join(', ');
    const watched = resolveFolder(folders, namespace, mailbox.folder);
    results.push(
      watched.found
        ? ok(name, `${where}: logged in; watches ${describeResolvedFolder(watched.path, mailbox.folder, 'mailboxes[].folder', watched.viaNamespace, namespace)}`)
        : fail(
            name,
            `${where}: logged in, but folder "${mailbox.folder}" does not exist (tried ${watched.tried.map((t) => `"${t}"`).join(', ')})`,
            `create the folder or set mailboxes[${mailbox.name}].folder to one of: ${some}`,
          ),
    );
    results.push(draftsCheck(mailbox, folders, namespace, some, options.draftsNeeded !== false));
    if (options.keywords && watched.found) results.push(await keywordsCheck(client, mailbox, watched.path, options.timeoutMs ?? 15_000));
    return results;
  } catch (error) {
    return [fail(name, `${where}: logged in, but listing folders failed: ${(error as Error).message}`, FIXES.other!(mailbox))];
  } finally {
    await client.logout().catch(() => client.close());
  }
}

function draftsCheck(mailbox: MailboxConfig, folders: ListResponse[], namespace: PersonalNamespace | null, some: string, needed: boolean): CheckResult {
  const name = `mailbox ${mailbox.name} drafts`;
  if (mailbox.drafts_folder) {
    const found = resolveFolder(folders, namespace, mailbox.drafts_folder);
    if (found.found) return ok(name, `reply drafts go to ${describeResolvedFolder(found.path, mailbox.drafts_folder, 'mailboxes[].drafts_folder', found.viaNamespace, namespace)}`);
  } else {
    const flagged = folders.filter((f) => f.specialUse === '\\Drafts' && !f.flags.has('\\Noselect'));
    const found = flagged.find((f) => f.specialUseSource === 'extension') ?? flagged[0];
    if (found) return ok(name, `reply drafts go to "${found.path}" (${found.specialUseSource === 'extension' ? 'the server flags it \\Drafts' : 'found by its name'})`);
  }
  const detail = mailbox.drafts_folder ? `drafts folder "${mailbox.drafts_folder}" does not exist` : 'no folder is marked \\Drafts or named like a drafts folder';
  const fix = `set mailboxes[${mailbox.name}].drafts_folder to the folder your mail client uses for drafts (one of: ${some})`;
  return needed ? fail(name, detail, fix) : warn(name, `${detail} (drafts.mode is off)`, fix);
}

/** PERMANENTFLAGS come only with a read-write SELECT; selecting changes no message. */
async function keywordsCheck(client: ImapFlow, mailbox: MailboxConfig, path: string, timeoutMs: number): Promise<CheckResult> {
  const name = `mailbox ${mailbox.name} keywords`;
  await withDeadline(timeoutMs, `${describeMailbox(mailbox)} SELECT`, () => client.mailboxOpen(path));
  const accepts = acceptsKeywords(client);
  if (accepts === false) {
    return warn(
      name,
      `${NO_CUSTOM_KEYWORDS}: decisions will not be marked with $Mailroom-* keywords in "${path}" (Microsoft 365 is such a server)`,
      `nothing to fix on Mailroom's side; set ingest.keywords: false to say so, and follow decisions with \`mailroom decisions list\` or the API`,
    );
  }
  return ok(
    name,
    accepts ? `the server takes custom keywords in "${path}" ($Mailroom-Ticket, -Draft, -Review)` : `the server did not list PERMANENTFLAGS for "${path}"; keywords will be tried and checked`,
  );
}
