import type { DbOrTx } from '../db/database.js';
import { readCursor } from './sql/read-cursor.js';
import { writeCursor } from './sql/write-cursor.js';
import { cursorAfterUidValidityChange } from './uidvalidity-change.js';

/**
 * Where a mailbox's watcher stands: every UID up to `lastUid` of folder `folder` at `uidvalidity`
 * is stored or deliberately skipped. UIDs up to `catchupUid` were already in the folder when the
 * cursor was made; of those only mail with INTERNALDATE at or after `since` is ours.
 */
export interface Cursor {
  mailbox: string;
  folder: string;
  uidvalidity: number;
  lastUid: number;
  catchupUid: number;
  since: Date;
  /** Made after a UIDVALIDITY change: catch-up messages are matched against stored mail first. */
  rescan: boolean;
}

/** What SELECT told us about the folder. */
export interface FolderState {
  folder: string;
  uidvalidity: number;
  uidNext: number;
}

export type CursorChange = 'none' | 'first-start' | 'uidvalidity-changed' | 'folder-changed';

/**
 * The cursor for a new session: the stored one when the folder and its UIDVALIDITY are unchanged;
 * on the first start one that takes only new mail (UIDNEXT-1), plus mail since `backfillMs` ago
 * when backfill is set; after a UIDVALIDITY or folder change one that re-scans the folder.
 */
export async function prepareCursor(
  db: DbOrTx,
  params: { mailbox: string; state: FolderState; backfillMs: number; now: Date },
): Promise<{ cursor: Cursor; change: CursorChange; previous: Cursor | null }> {
  const { mailbox, state, backfillMs, now } = params;
  const stored = await readCursor(db, mailbox);
  if (stored && stored.folder === state.folder && stored.uidvalidity === state.uidvalidity) {
    return { cursor: stored, change: 'none', previous: stored };
  }
  let cursor: Cursor;
  let change: CursorChange;
  if (!stored) {
    change = 'first-start';
    cursor = {
      mailbox,
      folder: state.folder,
      uidvalidity: state.uidvalidity,
      lastUid: backfillMs > 0 ? 0 : state.uidNext - 1,
      catchupUid: state.uidNext - 1,
      since: new Date(now.getTime() - backfillMs),
      rescan: false,
    };
  } else {
    change = stored.folder === state.folder ? 'uidvalidity-changed' : 'folder-changed';
    cursor = cursorAfterUidValidityChange(stored, state);
  }
  await writeCursor(db, cursor);
  return { cursor, change, previous: stored };
}
