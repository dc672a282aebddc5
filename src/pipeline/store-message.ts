import type { DbOrTx } from '../db/database.js';
import { textColumn } from '../db/column-text.js';
import { defaultMetrics } from '../ops/metrics.js';
import { parseEmail } from '../parse/parse-email.js';
import type { ParsedEmail } from '../parse/parsed-email.js';
import { headerBlock } from './header-block.js';
import { newEmailId, sha256Hex, threadIdFor } from './ids.js';
import type { IncomingMessage } from './incoming-message.js';
import { insertMessage } from './sql/insert-message.js';

export interface StoredMessage {
  id: string;
  /** False when the same bytes were already stored for this mailbox. */
  created: boolean;
}

/**
 * Stores an incoming message with its raw bytes so it can always be re-processed. Idempotent on
 * (mailbox, sha256). A message the parser rejects is still stored, with status `failed` and the
 * reason, so nothing is lost and an operator can see why it was skipped.
 */
export async function storeMessage(db: DbOrTx, msg: IncomingMessage): Promise<StoredMessage> {
  const rawHeaders = msg.raw ? headerBlock(msg.raw) : (msg.rawHeaders ?? '');
  const sha256 = msg.raw ? sha256Hex(msg.raw) : sha256Hex(`${rawHeaders}\n(size ${msg.sizeBytes}, body not fetched)`);
  // Parsed here only for the columns an operator filters on; the worker parses again with the
  // classifier's settings, so this stage stays independent of them.
  let parsed: ParsedEmail | null = null;
  let error: string | null = null;
  try {
    parsed = await parseEmail(msg.raw ?? Buffer.from(`${rawHeaders}\r\n\r\n`, 'latin1'));
  } catch (cause) {
    error = `cannot parse the message: ${(cause as Error).message}`;
  }
  const id = newEmailId();
  const stored = await insertMessage(db, {
    id,
    thread_id: threadIdFor(parsed, id),
    mailbox: msg.mailbox,
    source: msg.source,
    message_id: parsed?.messageId ?? null,
    sha256,
    size_bytes: msg.sizeBytes,
    raw: msg.raw,
    raw_headers: rawHeaders,
    from_address: parsed?.from?.address || null,
    from_name: parsed?.from?.name || null,
    subject: parsed?.subject ?? null,
    sent_at: parsed?.date ?? null,
    received_at: msg.receivedAt ?? new Date(),
    imap_uidvalidity: msg.imap?.uidvalidity ?? null,
    imap_uid: msg.imap?.uid ?? null,
    status: error ? 'failed' : 'pending',
    error: textColumn(error),
    locked_by: null,
    locked_at: null,
    raw_chars: parsed?.rawChars ?? null,
    clean_chars: parsed?.cleanChars ?? null,
  });
  if (stored.created) defaultMetrics().messagesIngested.inc({ mailbox: msg.mailbox });
  return stored;
}
