import type { ImapFlow } from 'imapflow';
import type { Db } from '../db/index.js';
import type { Logger } from '../util/logger.js';
import { advanceCursor, alreadyStoredUids, type Cursor } from './cursor.js';
import { storeMessage } from './store-message.js';

/**
 * Bytes of message source held at once, besides one message that alone may be up to
 * ingest.max_message_bytes: a batch of 50 messages of 20 MB each must not mean 1 GB in memory.
 */
const DOWNLOAD_BUDGET_BYTES = 16 * 1024 * 1024;
/** What a headers-only fetch is counted as against the budget. */
const HEADERS_ESTIMATE_BYTES = 64 * 1024;
const DAY_MS = 86_400_000;

/** The lease moved to another process while we were storing: stop, the new holder carries on. */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
}

export interface SweepDeps {
  db: Db;
  client: ImapFlow;
  /** Configured mailbox name. */
  mailbox: string;
  holder: string;
  fetchBatch: number;
  maxMessageBytes: number;
  /** The classifier's length cap, for the parse stored with each message. */
  maxCleanChars: number;
  logger: Logger;
  onStored?: (emailId: string) => void;
  /** Checked between messages: a stop finishes the message in hand and returns. */
  shouldStop: () => boolean;
}

export interface SweepResult {
  cursor: Cursor;
  /** New rows. */
  stored: number;
  /** Already stored (same bytes, or same Message-ID and size after a UIDVALIDITY change). */
  duplicates: number;
  /** Older than the cursor's `since`, or expunged before we fetched them. */
  skipped: number;
  /** Over ingest.max_message_bytes: stored with headers only. */
  headersOnly: number;
  /** The server's INTERNALDATE of each new row: the watcher tells from them whether IDLE should have announced the mail. */
  arrivals: Date[];
}

interface Candidate {
  uid: number;
  size: number;
  internalDate: Date;
  messageId: string | null;
}

/** The first chunk of a sweep (see sweepMailbox). */
const FIRST_CHUNK = 8;

/**
 * Stores every message after the cursor, in UID order, in transactions that also advance the
 * cursor — a crash or a dropped connection at any point loses nothing and stores nothing twice. imapflow deadlocks when a command is issued inside a fetch iteration, so each
 * step first collects what it needs, and only then runs the next command or touches the database.
 */
export async function sweepMailbox(deps: SweepDeps, start: Cursor): Promise<SweepResult> {
  const { client } = deps;
  const cursor: Cursor = { ...start };
  const result: SweepResult = { cursor, stored: 0, duplicates: 0, skipped: 0, headersOnly: 0, arrivals: [] };

  const found = await searchUids(client, { uid: `${cursor.lastUid + 1}:*` });
  // "n:*" always matches the highest UID, even when it is below n.
  let uids = found.filter((uid) => uid > cursor.lastUid).sort((a, b) => a - b);
  if (uids.length === 0) return result;
  const target = uids[uids.length - 1]!;

  const catchingUp = cursor.lastUid < cursor.catchupUid && uids[0]! <= cursor.catchupUid;
  if (catchingUp) {
    // SEARCH SINCE has day granularity in the server's time zone: ask for a day more and filter
    // exactly on INTERNALDATE below.
    const recent = new Set(await searchUids(client, { uid: `${cursor.lastUid + 1}:${cursor.catchupUid}`, since: new Date(cursor.since.getTime() - DAY_MS) }));
    const before = uids.length;
    uids = uids.filter((uid) => uid > cursor.catchupUid || recent.has(uid));
    result.skipped += before - uids.length;
  }

  for (let i = 0; i < uids.length; ) {
    if (deps.shouldStop()) return result;
    // A small first chunk: a backlog's first decisions (and model calls) start while the rest is
    // fetched, instead of after a whole batch was downloaded, parsed and stored (~1.4 s for 50).
    const size = i === 0 ? Math.min(deps.fetchBatch, FIRST_CHUNK) : deps.fetchBatch;
    await processChunk(deps, cursor, uids.slice(i, i + size), result);
    i += size;
  }
  if (deps.shouldStop()) return result;
  // Everything up to the highest UID found is stored or deliberately skipped.
  if (cursor.lastUid < target) await advance(deps, cursor, target);
  return result;
}

async function processChunk(deps: SweepDeps, cursor: Cursor, chunk: number[], result: SweepResult): Promise<void> {
  const { client } = deps;
  const needMessageId = cursor.rescan && chunk[0]! <= cursor.catchupUid;
  const metas = new Map<number, Candidate>();
  for (const msg of await client.fetchAll(uidSet(chunk), { uid: true, size: true, internalDate: true, envelope: needMessageId }, { uid: true })) {
    metas.set(msg.uid, {
      uid: msg.uid,
      size: msg.size ?? 0,
      internalDate: msg.internalDate ? new Date(msg.internalDate) : new Date(),
      messageId: msg.envelope?.messageId ?? null,
    });
  }

  let wanted: Candidate[] = [];
  for (const uid of chunk) {
    const meta = metas.get(uid);
    if (!meta) {
      result.skipped += 1; // expunged since the SEARCH
      continue;
    }
    if (uid <= cursor.catchupUid && meta.internalDate < cursor.since) {
      result.skipped += 1; // was in the folder before our responsibility starts
      continue;
    }
    wanted.push(meta);
  }
  if (needMessageId) {
    const known = await alreadyStoredUids(
      deps.db,
      deps.mailbox,
      wanted.filter((c) => c.uid <= cursor.catchupUid),
    );
    result.duplicates += known.size;
    wanted = wanted.filter((c) => !known.has(c.uid));
  }

  for (const group of byDownloadBudget(wanted, deps.maxMessageBytes)) {
    if (deps.shouldStop()) return;
    const whole = group.filter((c) => c.size <= deps.maxMessageBytes);
    const large = group.filter((c) => c.size > deps.maxMessageBytes);
    const sources = new Map<number, Buffer>();
    if (whole.length > 0) {
      // `source` is fetched as BODY.PEEK[]: reading never sets \Seen (the folder is also opened read-only).
      for await (const msg of client.fetch(uidSet(whole.map((c) => c.uid)), { uid: true, source: true }, { uid: true })) {
        if (msg.source) sources.set(msg.uid, msg.source);
      }
    }
    const headers = new Map<number, string>();
    if (large.length > 0) {
      for await (const msg of client.fetch(uidSet(large.map((c) => c.uid)), { uid: true, headers: true }, { uid: true })) {
        if (msg.headers) headers.set(msg.uid, msg.headers.toString('latin1').replace(/(\r?\n)+$/, ''));
      }
    }
    const missing = group.filter((c) => !sources.has(c.uid) && !headers.has(c.uid)).map((c) => c.uid);
    if (missing.length > 0) {
      const still = await searchUids(client, { uid: uidSet(missing) });
      if (still.length > 0) {
        throw new Error(`the server listed UID ${still.join(', ')} but returned no content for it; will retry on the next sweep`);
      }
    }

    if (deps.shouldStop()) return;
    const downloaded = group.flatMap((c) => {
      const raw = sources.get(c.uid) ?? null;
      const rawHeaders = headers.get(c.uid) ?? null;
      return raw === null && rawHeaders === null ? [] : [{ candidate: c, raw, rawHeaders }];
    });
    result.skipped += group.length - downloaded.length; // expunged between SEARCH and FETCH
    await storeGroup(deps, cursor, downloaded, group[group.length - 1]!.uid, result);
  }
  if (!deps.shouldStop() && cursor.lastUid < chunk[chunk.length - 1]!) await advance(deps, cursor, chunk[chunk.length - 1]!);
}

/**
 * Stores a downloaded group in UID order in ONE transaction that also moves the cursor to the
 * group's last UID: the cursor never passes a message that is not committed, and a group of up
 * to ingest.fetch_batch messages costs one commit instead of one per message. A message the
 * parser rejects is stored as failed by storeMessage, so it cannot hold the group back; a database
 * error rolls the whole group back and the next sweep fetches it again.
 */
async function storeGroup(deps: SweepDeps, cursor: Cursor, items: Array<{ candidate: Candidate; raw: Buffer | null; rawHeaders: string | null }>, lastUid: number, result: SweepResult): Promise<void> {
  let outcomes: Array<{ id: string; created: boolean; headersOnly: boolean; arrived: Date }>;
  try {
    outcomes = await deps.db.transaction().execute(async (trx) => {
      const saved: Array<{ id: string; created: boolean; headersOnly: boolean; arrived: Date }> = [];
      for (const { candidate, raw, rawHeaders } of items) {
        try {
          const stored = await storeMessage(
            trx,
            {
              mailbox: deps.mailbox,
              source: 'imap',
              raw,
              rawHeaders: raw ? null : rawHeaders,
              // RFC822.SIZE, the number a re-scan compares with, also for messages stored with headers only.
              sizeBytes: candidate.size || raw?.length || 0,
              imap: { uidvalidity: cursor.uidvalidity, uid: candidate.uid },
              receivedAt: candidate.internalDate,
            },
            { maxCleanChars: deps.maxCleanChars, now: new Date() },
          );
          saved.push({ ...stored, headersOnly: !raw, arrived: candidate.internalDate });
        } catch (error) {
          throw new Error(`storing UID ${candidate.uid} (UIDVALIDITY ${cursor.uidvalidity}) failed: ${(error as Error).message}`, { cause: error });
        }
      }
      const advanced = await advanceCursor(trx, { mailbox: deps.mailbox, uidvalidity: cursor.uidvalidity, uid: lastUid, holder: deps.holder });
      if (!advanced)
        throw new LeaseLostError(`mailbox "${deps.mailbox}": this process no longer holds the watch lease (or the cursor moved to a new UIDVALIDITY); UIDs up to ${lastUid} left to the new holder`);
      return saved;
    });
  } catch (error) {
    if (error instanceof LeaseLostError) throw error;
    throw new Error(`mailbox "${deps.mailbox}": ${(error as Error).message}`, { cause: error });
  }
  cursor.lastUid = Math.max(cursor.lastUid, lastUid);
  for (const outcome of outcomes) {
    if (outcome.headersOnly) result.headersOnly += 1;
    if (!outcome.created) {
      result.duplicates += 1;
      continue;
    }
    result.stored += 1;
    result.arrivals.push(outcome.arrived);
    try {
      deps.onStored?.(outcome.id);
    } catch (error) {
      deps.logger.warn({ emailId: outcome.id }, `onStored callback failed for ${outcome.id}: ${(error as Error).message}`);
    }
  }
}

async function advance(deps: SweepDeps, cursor: Cursor, uid: number): Promise<void> {
  const advanced = await advanceCursor(deps.db, { mailbox: deps.mailbox, uidvalidity: cursor.uidvalidity, uid, holder: deps.holder });
  if (!advanced) throw new LeaseLostError(`mailbox "${deps.mailbox}": this process no longer holds the watch lease`);
  cursor.lastUid = uid;
}

/** Consecutive groups whose downloads fit the budget; a message bigger than the budget goes alone. */
function* byDownloadBudget(candidates: Candidate[], maxMessageBytes: number): Generator<Candidate[]> {
  let group: Candidate[] = [];
  let bytes = 0;
  for (const c of candidates) {
    const cost = c.size > maxMessageBytes ? HEADERS_ESTIMATE_BYTES : c.size;
    if (group.length > 0 && bytes + cost > DOWNLOAD_BUDGET_BYTES) {
      yield group;
      group = [];
      bytes = 0;
    }
    group.push(c);
    bytes += cost;
  }
  if (group.length > 0) yield group;
}

async function searchUids(client: ImapFlow, query: { uid: string; since?: Date }): Promise<number[]> {
  const found = await client.search(query, { uid: true });
  if (!Array.isArray(found)) {
    throw new Error(`the server refused UID SEARCH ${query.uid}${query.since ? ` SINCE ${query.since.toISOString().slice(0, 10)}` : ''}`);
  }
  return found;
}

/** "1,2,3,7" → "1:3,7": short UID sets keep command lines small for large batches. */
export function uidSet(uids: number[]): string {
  const sorted = [...uids].sort((a, b) => a - b);
  const parts: string[] = [];
  let start = sorted[0];
  let prev = start;
  for (const uid of sorted.slice(1)) {
    if (uid === prev! + 1) {
      prev = uid;
      continue;
    }
    parts.push(start === prev ? `${start}` : `${start}:${prev}`);
    start = uid;
    prev = uid;
  }
  if (start !== undefined) parts.push(start === prev ? `${start}` : `${start}:${prev}`);
  return parts.join(',');
}
