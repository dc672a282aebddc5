import type { ImapFlow } from 'imapflow';

/** What resolveFolder needs of a LIST entry (imapflow's ListResponse has more). */
export interface ListedFolder {
  path: string;
  flags: Set<string>;
}

/** The personal namespace (RFC 2342): where the user's own folders live, and how names nest. */
export interface PersonalNamespace {
  prefix: string;
  delimiter: string;
}

export type FolderResolution = { found: true; path: string; viaNamespace: boolean } | { found: false; tried: string[] };

/**
 * Finds the server's folder for a configured name. Servers that keep the user's folders under a
 * namespace prefix (Courier, Cyrus: prefix `INBOX.`, separator `.`) call `Drafts` `INBOX.Drafts`
 * and `Support/Urgent` `INBOX.Support.Urgent`, so a name written the way mail clients show it
 * is looked up as written first, then inside the personal namespace. INBOX is INBOX on every
 * server (RFC 3501: case-insensitive). A \Noselect folder holds no mail and does not count.
 */
export function resolveFolder(folders: readonly ListedFolder[], namespace: PersonalNamespace | null, configured: string): FolderResolution {
  if (configured.toUpperCase() === 'INBOX') return { found: true, path: 'INBOX', viaNamespace: false };
  const selectable = folders.filter((f) => !f.flags.has('\\Noselect') && !f.flags.has('\\NonExistent'));
  const exact = selectable.find((f) => f.path === configured) ?? selectable.find((f) => f.path.toLowerCase() === configured.toLowerCase());
  if (exact) return { found: true, path: exact.path, viaNamespace: false };
  const tried = [configured];
  if (namespace && (namespace.prefix || namespace.delimiter !== '/')) {
    const relative = namespace.prefix && configured.toLowerCase().startsWith(namespace.prefix.toLowerCase()) ? configured.slice(namespace.prefix.length) : configured;
    const inside = namespace.prefix + (namespace.delimiter && namespace.delimiter !== '/' ? relative.split('/').join(namespace.delimiter) : relative);
    if (inside !== configured) {
      tried.push(inside);
      const match = selectable.find((f) => f.path === inside) ?? selectable.find((f) => f.path.toLowerCase() === inside.toLowerCase());
      if (match) return { found: true, path: match.path, viaNamespace: true };
    }
  }
  return { found: false, tried };
}

/** The server's personal namespace, when it announced one (NAMESPACE, fetched by imapflow at login). */
export function personalNamespace(client: ImapFlow): PersonalNamespace | null {
  const personal = client.namespace ?? client.namespaces?.personal[0];
  if (!personal) return null;
  return { prefix: personal.prefix ?? '', delimiter: personal.delimiter ?? '/' };
}

/** Thrown when a configured folder is not on the server, under its name or inside the personal namespace. */
export class FolderMissingError extends Error {
  override readonly name = 'FolderMissingError';
  /** Lets classifyImapError sort it with the server's own "no such mailbox" answers. */
  readonly mailboxMissing = true;
}

/** Lists the server's folders (not for INBOX, which every server has) and resolves `configured` among them; throws FolderMissingError with the names tried and some that exist. */
export async function findFolder(client: ImapFlow, configured: string, setting: string): Promise<{ path: string; viaNamespace: boolean; listed: ListedFolder[] | null }> {
  if (configured.toUpperCase() === 'INBOX') return { path: 'INBOX', viaNamespace: false, listed: null };
  const folders = await client.list();
  const found = resolveFolder(folders, personalNamespace(client), configured);
  if (found.found) return { path: found.path, viaNamespace: found.viaNamespace, listed: folders };
  const names = folders.map((f) => f.path);
  throw new FolderMissingError(
    `folder "${configured}" (${setting}) does not exist on the server (tried ${found.tried.map((t) => `"${t}"`).join(', ')}); folders: ${names.slice(0, 20).join(', ') || '(none)'}${names.length > 20 ? ', …' : ''}`,
  );
}

/** "INBOX.Drafts", or "INBOX.Drafts (mailboxes[].drafts_folder "Drafts" in the personal namespace "INBOX.")". */
export function describeResolvedFolder(path: string, configured: string, setting: string, viaNamespace: boolean, namespace: PersonalNamespace | null): string {
  if (!viaNamespace) return `"${path}"`;
  return `"${path}" (${setting} "${configured}" inside the personal namespace "${namespace?.prefix ?? ''}", separator "${namespace?.delimiter ?? '/'}")`;
}
