import { createHash } from 'node:crypto';
import type { DbOrTx } from '../db/index.js';
import { insertWithRaw, jsonColumn, textColumn } from '../db/index.js';
import { isMalformedEmailError, type ParsedEmail, parseEmail, toStoredEmail, toStoredFailure } from '../parse/index.js';
import { base32Digest, newId, sha256Hex } from '../util/ids.js';

/** A message as it arrives from a mailbox or a file, before anything is decided about it. */
export interface IncomingMessage {
  mailbox: string;
  source: 'imap' | 'file';
  /** The whole message; null when it is over ingest.max_message_bytes and only headers were fetched. */
  raw: Buffer | null;
  /** Header block, required when raw is null. */
  rawHeaders?: string | null;
  sizeBytes: number;
  imap?: { uidvalidity: number; uid: number };
  receivedAt?: Date;
}

export interface StoredMessage {
  /** The email's id: the first arrival's when this one is the same email again. */
  id: string;
  /** False when this email was already stored (the same bytes in this mailbox, or the same email by identity). */
  created: boolean;
  /** True when this arrival was recorded as a sighting of an email stored before (another mailbox, another route). */
  sighting?: boolean;
}

/**
 * Stores an incoming message with its raw bytes (so it can always be re-processed) and its parse,
 * made here once with the classifier's length cap so no later stage parses the bytes again.
 * A message the parser rejects is still stored, with the reason in place of the parse, and decided
 * on like any other: a person gets to see it (a review decision).
 *
 * One email, one decision: the same bytes in the same mailbox are the stored row itself, and the
 * same email by identity (see emailIdentity) that arrives again — in another watched mailbox, or as
 * a `triage` file after it came in over IMAP — becomes a sighting of the first row, never a second
 * email to decide on or a second ticket.
 */
export async function storeMessage(db: DbOrTx, msg: IncomingMessage, options: { maxCleanChars: number; now: Date }): Promise<StoredMessage> {
  const rawHeaders = msg.raw ? headerBlock(msg.raw) : (msg.rawHeaders ?? '');
  const sha256 = msg.raw ? sha256Hex(msg.raw) : sha256Hex(`${rawHeaders}\n(size ${msg.sizeBytes}, body not fetched)`);
  let parsed: ParsedEmail | null = null;
  let error: string | null = null;
  let retry = false;
  try {
    parsed = await parseEmail(msg.raw ?? Buffer.from(`${rawHeaders}\r\n\r\n`, 'latin1'), { maxCleanChars: options.maxCleanChars });
  } catch (cause) {
    error = (cause as Error).message;
    retry = isMalformedEmailError(cause) && cause.reason === 'timeout';
  }
  const identity = emailIdentity(parsed, msg.raw, sha256);
  const id = newId('em', options.now);
  const receivedAt = msg.receivedAt ?? options.now;
  const insert = () =>
    insertWithRaw(db, msg.raw, sha256, (tx, rawColumns) =>
      tx
        .insertInto('messages')
        .values({
          id,
          thread_id: threadIdFor(parsed, id),
          mailbox: msg.mailbox,
          source: msg.source,
          message_id: parsed?.messageId ?? null,
          sha256,
          identity,
          size_bytes: msg.sizeBytes,
          ...rawColumns,
          raw_headers: rawHeaders,
          from_address: parsed?.from?.address || null,
          from_name: parsed?.from?.name || null,
          subject: parsed?.subject ?? null,
          sent_at: parsed?.date ?? null,
          received_at: receivedAt,
          imap_uidvalidity: msg.imap?.uidvalidity ?? null,
          imap_uid: msg.imap?.uid ?? null,
          status: 'pending',
          last_error: null,
          raw_chars: parsed?.rawChars ?? null,
          clean_chars: parsed?.cleanChars ?? null,
          parsed: jsonColumn(parsed ? toStoredEmail(parsed, options.maxCleanChars) : toStoredFailure(error ?? 'unknown parse error', { retry })),
          next_attempt_at: options.now,
          updated_at: options.now,
        })
        // Either key may be taken: (mailbox, sha256) by the same arrival seen again (two processes, a
        // re-scan after a UIDVALIDITY change), identity by the same email through another door. A
        // concurrent insert of either waits for the other's commit, so the lookups below find it.
        // (A sighting's raw file, written before the conflict, is removed by the next sweep.)
        .onConflict((oc) => oc.doNothing())
        .returning('id')
        .executeTakeFirst(),
    );
  // The row that took a key may be deleted between the conflict and the lookups: then the key is
  // free again and the insert is tried anew (a few times; each retry needs another deletion).
  for (let attempt = 1; ; attempt++) {
    const inserted = await insert();
    if (inserted) return { id: inserted.id, created: true };
    const same = await db.selectFrom('messages').select('id').where('mailbox', '=', msg.mailbox).where('sha256', '=', sha256).executeTakeFirst();
    if (same) return { id: same.id, created: false };
    const first = await db.selectFrom('messages').select('id').where('identity', '=', identity).executeTakeFirst();
    if (first) {
      try {
        return await recordSighting(db, first.id, msg, sha256, receivedAt);
      } catch (error) {
        // Deleted between the lookup and the sighting (foreign key): as above. In a caller's
        // transaction the error has aborted it, so it is the caller's to retry.
        if ((error as { code?: string }).code !== '23503' || db.isTransaction) throw error;
      }
    }
    if (attempt === 3)
      throw new Error(`could not store the message for mailbox ${msg.mailbox}: the email it matches was deleted while it was stored, three times; it is fetched again on the next pass`);
  }
}

/** This arrival as a sighting of the email stored before: another mailbox, another route, one decision. */
async function recordSighting(db: DbOrTx, emailId: string, msg: IncomingMessage, sha256: string, receivedAt: Date): Promise<StoredMessage> {
  await db
    .insertInto('message_sightings')
    .values({
      email_id: emailId,
      mailbox: msg.mailbox,
      source: msg.source,
      sha256,
      size_bytes: msg.sizeBytes,
      imap_uidvalidity: msg.imap?.uidvalidity ?? null,
      imap_uid: msg.imap?.uid ?? null,
      received_at: receivedAt,
    })
    .onConflict((oc) => oc.columns(['mailbox', 'sha256']).doNothing())
    .execute();
  return { id: emailId, created: false, sighting: true };
}

/**
 * The stored email a message would join, without storing anything: the same bytes in the mailbox
 * (as the email itself or a sighting) or the same email by identity. Null when it is new.
 */
export async function findStoredEmail(db: DbOrTx, msg: { mailbox: string; raw: Buffer; maxCleanChars: number }): Promise<string | null> {
  const sha256 = sha256Hex(msg.raw);
  const parsed = await parseEmail(msg.raw, { maxCleanChars: msg.maxCleanChars }).catch(() => null);
  const identity = emailIdentity(parsed, msg.raw, sha256);
  const row = await db
    .selectFrom('messages')
    .select('id')
    .where((eb) => eb.or([eb.and([eb('mailbox', '=', msg.mailbox), eb('sha256', '=', sha256)]), eb('identity', '=', identity)]))
    .executeTakeFirst();
  if (row) return row.id;
  const seen = await db.selectFrom('message_sightings').select('email_id').where('mailbox', '=', msg.mailbox).where('sha256', '=', sha256).executeTakeFirst();
  return seen?.email_id ?? null;
}

/**
 * What makes two arrivals one email, whatever bytes each server added on the way:
 * - with a Message-ID: the Message-ID and the sender's address. The sender is part of it so that a
 *   message reusing someone else's Message-ID (by mistake or on purpose) cannot silence theirs.
 * - without one: a content hash of the sender, the Date and Subject headers and the body bytes
 *   (everything after the header block), which stay the same in every copy of one sending.
 * - unparseable, or only the headers of an oversized message were fetched: the hash of what was
 *   received, so only identical bytes match.
 * migrations/0008_one_email.sql computes the first form in SQL for older rows: keep them equal.
 */
export function emailIdentity(parsed: ParsedEmail | null, raw: Buffer | null, sha256: string): string {
  if (!parsed) return `raw:${sha256}`;
  const sender = (parsed.from?.address ?? '').toLowerCase();
  if (parsed.messageId) return `mid:${sha256Hex(`${parsed.messageId}\n${sender}`)}`;
  if (!raw) return `raw:${sha256}`;
  const date = parsed.date ? parsed.date.toISOString() : '';
  return `body:${sha256Hex(`${sender}\n${date}\n${parsed.subject}\n${sha256Hex(bodyBytes(raw))}`)}`;
}

/** The bytes after the header block (after the first empty line). */
function bodyBytes(raw: Buffer): Buffer {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf <= lf)) return raw.subarray(crlf + 4);
  if (lf >= 0) return raw.subarray(lf + 2);
  return Buffer.alloc(0);
}

/**
 * Every message of a conversation gets the same thread id: derived from the root of its
 * References chain (or In-Reply-To, or its own Message-ID), so receivers can group tickets
 * without asking us.
 */
export function threadIdFor(email: Pick<ParsedEmail, 'references' | 'inReplyTo' | 'messageId'> | null, fallback: string): string {
  const root = email?.references[0] ?? email?.inReplyTo ?? email?.messageId ?? fallback;
  return `th_${base32Digest(createHash('sha256').update(root.toLowerCase()).digest())}`;
}

/** The header block of a raw message (up to the first empty line), as text. */
export function headerBlock(raw: Buffer, limit = 256 * 1024): string {
  const head = raw.subarray(0, Math.min(raw.length, limit));
  const crlf = head.indexOf('\r\n\r\n');
  const lf = head.indexOf('\n\n');
  const ends = [crlf, lf].filter((i) => i >= 0);
  const end = ends.length > 0 ? Math.min(...ends) : head.length;
  return textColumn(head.subarray(0, end).toString('latin1'));
}
