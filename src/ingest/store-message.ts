import { createHash } from 'node:crypto';
import type { DbOrTx } from '../db/index.js';
import { insertWithRaw, jsonColumn, textColumn } from '../db/index.js';
import { type ParsedEmail, parseEmail, toStoredEmail, toStoredFailure } from '../parse/index.js';
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
  id: string;
  /** False when the same bytes were already stored for this mailbox. */
  created: boolean;
}

/**
 * Stores an incoming message with its raw bytes (so it can always be re-processed) and its parse,
 * made here once with the classifier's length cap so no later stage parses the bytes again.
 * Idempotent on (mailbox, sha256). A message the parser rejects is still stored, with the reason in
 * place of the parse, and decided on like any other: a person gets to see it (a review decision).
 */
export async function storeMessage(db: DbOrTx, msg: IncomingMessage, options: { maxCleanChars: number; now: Date }): Promise<StoredMessage> {
  const rawHeaders = msg.raw ? headerBlock(msg.raw) : (msg.rawHeaders ?? '');
  const sha256 = msg.raw ? sha256Hex(msg.raw) : sha256Hex(`${rawHeaders}\n(size ${msg.sizeBytes}, body not fetched)`);
  let parsed: ParsedEmail | null = null;
  let error: string | null = null;
  try {
    parsed = await parseEmail(msg.raw ?? Buffer.from(`${rawHeaders}\r\n\r\n`, 'latin1'), { maxCleanChars: options.maxCleanChars });
  } catch (cause) {
    error = (cause as Error).message;
  }
  const id = newId('em', options.now);
  const inserted = await insertWithRaw(db, msg.raw, sha256, (tx, rawColumns) =>
    tx
      .insertInto('messages')
      .values({
        id,
        thread_id: threadIdFor(parsed, id),
        mailbox: msg.mailbox,
        source: msg.source,
        message_id: parsed?.messageId ?? null,
        sha256,
        size_bytes: msg.sizeBytes,
        ...rawColumns,
        raw_headers: rawHeaders,
        from_address: parsed?.from?.address || null,
        from_name: parsed?.from?.name || null,
        subject: parsed?.subject ?? null,
        sent_at: parsed?.date ?? null,
        received_at: msg.receivedAt ?? options.now,
        imap_uidvalidity: msg.imap?.uidvalidity ?? null,
        imap_uid: msg.imap?.uid ?? null,
        status: 'pending',
        last_error: null,
        raw_chars: parsed?.rawChars ?? null,
        clean_chars: parsed?.cleanChars ?? null,
        parsed: jsonColumn(parsed ? toStoredEmail(parsed, options.maxCleanChars) : toStoredFailure(error ?? 'unknown parse error')),
        next_attempt_at: options.now,
        updated_at: options.now,
      })
      // The same bytes in the same mailbox (two processes, a re-scan after a UIDVALIDITY change) are one email.
      .onConflict((oc) => oc.columns(['mailbox', 'sha256']).doNothing())
      .returning('id')
      .executeTakeFirst(),
  );
  if (inserted) return { id: inserted.id, created: true };
  const existing = await db.selectFrom('messages').select('id').where('mailbox', '=', msg.mailbox).where('sha256', '=', sha256).executeTakeFirstOrThrow();
  return { id: existing.id, created: false };
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
