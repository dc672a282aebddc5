import { sql } from 'kysely';
import type { DbOrTx } from '../db/index.js';

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

export async function readCursor(db: DbOrTx, mailbox: string): Promise<Cursor | null> {
  const row = await db.selectFrom('ingest_cursors').selectAll().where('mailbox', '=', mailbox).executeTakeFirst();
  if (!row) return null;
  return {
    mailbox: row.mailbox,
    folder: row.folder,
    uidvalidity: Number(row.uidvalidity),
    lastUid: Number(row.last_uid),
    catchupUid: Number(row.catchup_uid),
    since: new Date(row.since),
    rescan: row.rescan,
  };
}

/**
 * Creates the mailbox's cursor, or replaces it whole (a new UIDVALIDITY or folder makes every old
 * UID meaningless).
 */
export async function writeCursor(db: DbOrTx, cursor: Cursor): Promise<void> {
  const values = {
    folder: cursor.folder,
    uidvalidity: cursor.uidvalidity,
    last_uid: cursor.lastUid,
    catchup_uid: cursor.catchupUid,
    since: cursor.since,
    rescan: cursor.rescan,
    updated_at: new Date(),
  };
  await db
    .insertInto('ingest_cursors')
    .values({ mailbox: cursor.mailbox, ...values })
    .onConflict((oc) => oc.column('mailbox').doUpdateSet(values))
    .execute();
}

/**
 * Moves the cursor to `uid` (never backwards) — only while `holder` still holds the mailbox's
 * lease and the UIDVALIDITY is still the one the UID belongs to. Called in the transaction that
 * stores the message, so a lost lease rolls the store back too (fencing: a process that was
 * paused past its lease cannot write behind the new holder's back).
 * Returns false when the lease or the UIDVALIDITY no longer match.
 */
export async function advanceCursor(db: DbOrTx, params: { mailbox: string; uidvalidity: number; uid: number; holder: string }): Promise<boolean> {
  const result = await sql`
    update ingest_cursors
       set last_uid = greatest(last_uid, ${params.uid}), updated_at = now()
     where mailbox = ${params.mailbox}
       and uidvalidity = ${params.uidvalidity}
       and exists (select 1 from ingest_leases l where l.mailbox = ${params.mailbox} and l.holder = ${params.holder})`.execute(db);
  return Number(result.numAffectedRows ?? 0n) > 0;
}

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

/**
 * Of the given Message-IDs, those already stored for the mailbox, with their sizes: after a
 * UIDVALIDITY change a message with the same Message-ID and size is the one we already have, and
 * is not downloaded again.
 */
export async function findStoredCopies(db: DbOrTx, mailbox: string, messageIds: string[]): Promise<Array<{ messageId: string; sizeBytes: number }>> {
  if (messageIds.length === 0) return [];
  const rows = await db.selectFrom('messages').select(['message_id', 'size_bytes']).where('mailbox', '=', mailbox).where('message_id', 'in', messageIds).execute();
  // An email first stored from another mailbox was seen here as a sighting, with this copy's size.
  const seen = await db
    .selectFrom('message_sightings as s')
    .innerJoin('messages as m', 'm.id', 's.email_id')
    .select(['m.message_id', 's.size_bytes'])
    .where('s.mailbox', '=', mailbox)
    .where('m.message_id', 'in', messageIds)
    .execute();
  return [...rows, ...seen].map((r) => ({ messageId: r.message_id ?? '', sizeBytes: Number(r.size_bytes) }));
}
