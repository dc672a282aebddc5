import type { ImapFlow, ListResponse } from 'imapflow';

export type SpecialUse = '\\Drafts' | '\\Sent';

/** Thrown when a mailbox has no folder for drafts (or sent mail) that Mailroom can recognise. */
export class FolderNotFoundError extends Error {
  override readonly name = 'FolderNotFoundError';
}

/**
 * The folder for `use`: the configured one when set, else the one the server marks with the
 * RFC 6154 special-use flag, else one imapflow recognises by a well-known localised name
 * ("Drafts", "[Gmail]/Drafts", "Bozze", "Entwürfe", "Brouillons", "Borradores"…).
 */
export async function findSpecialFolder(client: ImapFlow, use: SpecialUse, configured?: string): Promise<string> {
  const folders = await client.list();
  if (configured) {
    const wanted = configured.toLowerCase();
    const match = folders.find((f) => f.path.toLowerCase() === wanted || f.pathAsListed.toLowerCase() === wanted);
    if (match && !match.flags.has('\\Noselect')) return match.path;
    throw new FolderNotFoundError(`folder "${configured}" (mailboxes[].drafts_folder) does not exist on the server; folders: ${listNames(folders)}`);
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
