import type { DbOrTx } from '../db/database.js';
import type { Cursor, FolderState } from './cursor.js';
import { findStoredCopies } from './sql/find-stored-copies.js';

/**
 * INTERNALDATE is set by the server when mail arrives, ours when we made the first cursor: a
 * message that arrived just after our first start could carry a slightly earlier INTERNALDATE when
 * the clocks differ. The re-scan looks this much further back; anything it finds there that we
 * already have is matched and skipped, so the margin costs a few extra comparisons, never a duplicate.
 */
const CLOCK_MARGIN_MS = 15 * 60 * 1000;

/**
 * A new UIDVALIDITY (the folder was recreated or restored, or the server rebuilt its index) makes
 * every stored UID meaningless. Rather than trust UIDs we re-scan the whole folder from UID 1: what
 * was already there when the cursor was made is caught up only back to the original `since`
 * (mail older than that was never ours), and each candidate is matched against stored mail
 * (Message-ID + size before download, then (mailbox, sha256) by the unique key when stored), so
 * nothing is processed twice and nothing is skipped.
 */
export function cursorAfterUidValidityChange(previous: Cursor, state: FolderState): Cursor {
  return {
    mailbox: previous.mailbox,
    folder: state.folder,
    uidvalidity: state.uidvalidity,
    lastUid: 0,
    catchupUid: state.uidNext - 1,
    since: new Date(previous.since.getTime() - CLOCK_MARGIN_MS),
    rescan: true,
  };
}

export interface RescanCandidate {
  uid: number;
  size: number;
  messageId: string | null;
}

/**
 * The UIDs among `candidates` whose message we already stored (same Message-ID and same size).
 * Messages without a Message-ID are not matched here; they are downloaded and the (mailbox, sha256)
 * unique key recognises them.
 */
export async function alreadyStoredUids(db: DbOrTx, mailbox: string, candidates: RescanCandidate[]): Promise<Set<number>> {
  const withId = candidates.filter((c): c is RescanCandidate & { messageId: string } => !!c.messageId);
  const stored = await findStoredCopies(db, mailbox, [...new Set(withId.map((c) => c.messageId))]);
  const known = new Set(stored.map((s) => `${s.messageId}\u0000${s.sizeBytes}`));
  return new Set(withId.filter((c) => known.has(`${c.messageId}\u0000${c.size}`)).map((c) => c.uid));
}
