import type { ImapFlow, ListResponse } from 'imapflow';
import { personalNamespace, resolveFolder } from '../ingest/index.js';
import { EMAIL_ID_HEADER } from './compose-reply.js';

export type SpecialUse = '\\Drafts' | '\\Sent';

/** Thrown when a mailbox has no folder for drafts (or sent mail) that Mailroom can recognise. */
export class FolderNotFoundError extends Error {
  override readonly name = 'FolderNotFoundError';
}

/**
 * The folder for `use`: the configured one when set (as named, or inside the server's personal
 * namespace: `Drafts` is `INBOX.Drafts` on Courier and Cyrus), else the one the server marks with the
 * RFC 6154 special-use flag, else one imapflow recognises by a well-known localised name
 * ("Drafts", "[Gmail]/Drafts", "Bozze", "Entwürfe", "Brouillons", "Borradores"…).
 */
export async function findSpecialFolder(client: ImapFlow, use: SpecialUse, configured?: string): Promise<string> {
  const folders = await client.list();
  if (configured) {
    const match = resolveFolder(folders, personalNamespace(client), configured);
    if (match.found) return match.path;
    const tried = match.tried.map((t) => `"${t}"`).join(', ');
    throw new FolderNotFoundError(`folder "${configured}" (mailboxes[].drafts_folder) does not exist on the server (tried ${tried}); folders: ${listNames(folders)}`);
  }
  const candidates = folders.filter((f) => f.specialUse === use && !f.flags.has('\\Noselect'));
  const byServer = candidates.find((f) => f.specialUseSource === 'extension');
  const found = byServer ?? candidates[0];
  if (found) return found.path;
  const what = use === '\\Drafts' ? 'drafts' : 'sent mail';
  const hint = use === '\\Drafts' ? 'set mailboxes[].drafts_folder' : 'create a folder named "Sent"';
  throw new FolderNotFoundError(`no folder for ${what} found (none has the ${use} flag or a known name); ${hint}. Folders: ${listNames(folders)}`);
}

function listNames(folders: ListResponse[]): string {
  const names = folders.map((f) => f.path);
  return names.length > 20 ? `${names.slice(0, 20).join(', ')}, …` : names.join(', ') || '(none)';
}

export interface StoredCopy {
  folder: string;
  uidvalidity: bigint | null;
  uid: number | null;
  /** True when the message was already there (an earlier attempt stored it) and nothing was appended. */
  existing: boolean;
}

export interface StoreOptions {
  folder: string;
  emailId: string;
  /** The message; only built when nothing is found in the folder. */
  compose: () => Promise<Buffer>;
  /** `\Draft` and `\Seen` for Drafts, `\Seen` for Sent. */
  flags: string[];
  /**
   * Test hook: runs after the server stored the message and before anything is recorded, where a
   * crash is most costly. A throw here stands in for a killed process.
   */
  afterAppend?: () => Promise<void> | void;
}

/**
 * Stores the message in `folder` at most once per email. BEFORE appending, the folder is searched
 * for the X-Mailroom-Email-Id header: a process that died between an APPEND and the database
 * update left its draft there, and the retry records that one instead of appending a second.
 * With UIDPLUS (RFC 4315) the server reports the new UID; without it the same header search
 * finds it, so the result has the same shape either way.
 *
 * Rejected: marking the row "appending" before the APPEND and skipping such rows on retry (a
 * crash before the server stored the message would lose the draft). Two workers appending the
 * same draft at the same moment cannot happen while the claim lease holds; only a worker that
 * outlives its lease (10 min) could race the one that took over.
 */
export async function storeOnce(client: ImapFlow, options: StoreOptions): Promise<StoredCopy> {
  const lock = await client.getMailboxLock(options.folder);
  try {
    const found = await findByEmailId(client, options.emailId);
    const uidvalidity = currentUidValidity(client);
    if (found !== null) return { folder: options.folder, uidvalidity, uid: found, existing: true };
    const raw = await options.compose();
    const appended = await client.append(options.folder, raw, options.flags);
    await options.afterAppend?.();
    const reported = appended === false ? null : appended;
    const uid = reported?.uid ? reported.uid : await findByEmailId(client, options.emailId);
    return { folder: options.folder, uidvalidity: reported?.uidValidity ? reported.uidValidity : uidvalidity, uid, existing: false };
  } finally {
    lock.release();
  }
}

/** UID of the newest message in the open folder carrying our header for `emailId`, or null. */
export async function findByEmailId(client: ImapFlow, emailId: string): Promise<number | null> {
  // IMAP HEADER search is a case-insensitive substring match; email ids have a fixed length and
  // a unique ULID, so no other id contains this one.
  const uids = await client.search({ header: { [EMAIL_ID_HEADER]: emailId } }, { uid: true });
  if (!uids || uids.length === 0) return null;
  return Math.max(...uids);
}

function currentUidValidity(client: ImapFlow): bigint | null {
  const mailbox = client.mailbox;
  return mailbox && typeof mailbox === 'object' && mailbox.uidValidity ? mailbox.uidValidity : null;
}
