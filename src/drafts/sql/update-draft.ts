import { textColumn } from '../../db/column-text.js';
import type { DbOrTx } from '../../db/database.js';

/**
 * Every write a worker makes to a claimed draft is conditional on still holding the claim
 * (locked_by = us, status pending): a worker whose lease went stale and was taken over writes
 * nothing. Each returns whether the row was updated.
 */
function claimed(db: DbOrTx, id: string, workerId: string) {
  return db.updateTable('drafts').where('id', '=', id).where('locked_by', '=', workerId).where('status', '=', 'pending');
}

async function updated(result: Promise<{ numUpdatedRows: bigint }>): Promise<boolean> {
  return (await result).numUpdatedRows > 0n;
}

/** Keeps the written reply so a retry stores the same text without another model call. */
export function saveReplyText(
  db: DbOrTx,
  id: string,
  workerId: string,
  reply: { text: string; language: string; writer: string; recipient: string; messageId: string },
  now: Date,
): Promise<boolean> {
  return updated(
    claimed(db, id, workerId)
      .set({ reply_text: reply.text, language: reply.language, writer: reply.writer, recipient: reply.recipient, message_id: reply.messageId, updated_at: now })
      .executeTakeFirst(),
  );
}

/** The draft is in the Drafts folder (`drafted`) or was sent (`sent`); the claim ends. */
export function completeDraft(
  db: DbOrTx,
  id: string,
  workerId: string,
  done: {
    status: 'drafted' | 'sent';
    folder: string;
    uidvalidity: bigint | number | null;
    uid: number | null;
    messageId: string;
    note?: string | null;
    smtpResponse?: string | null;
    sentAt?: Date | null;
  },
  now: Date,
): Promise<boolean> {
  return updated(
    claimed(db, id, workerId)
      .set({
        status: done.status,
        folder: done.folder,
        imap_uidvalidity: done.uidvalidity === null ? null : String(done.uidvalidity),
        imap_uid: done.uid,
        message_id: done.messageId,
        ...(done.note !== undefined ? { note: done.note } : {}),
        ...(done.smtpResponse !== undefined ? { smtp_response: done.smtpResponse } : {}),
        ...(done.sentAt !== undefined ? { sent_at: done.sentAt } : {}),
        last_error: null,
        locked_by: null,
        locked_at: null,
        completed_at: now,
        updated_at: now,
      })
      .executeTakeFirst(),
  );
}

/** Deliberately no draft (the sender cannot be answered, the mailbox is gone…), with the reason. */
export function skipDraft(db: DbOrTx, id: string, workerId: string, reason: string, now: Date): Promise<boolean> {
  return updated(
    claimed(db, id, workerId)
      .set({ status: 'skipped', last_error: textColumn(reason), locked_by: null, locked_at: null, completed_at: now, updated_at: now })
      .executeTakeFirst(),
  );
}

/** Back to the queue for a later attempt (model, IMAP or SMTP unreachable), with the reason. */
export function rescheduleDraft(db: DbOrTx, id: string, workerId: string, nextAttemptAt: Date, error: string, now: Date): Promise<boolean> {
  return updated(
    claimed(db, id, workerId)
      .set({ next_attempt_at: nextAttemptAt, last_error: textColumn(error), locked_by: null, locked_at: null, updated_at: now })
      .executeTakeFirst(),
  );
}

/** The SMTP server refused before taking the message: nothing was sent, a later send may go ahead. */
export function clearSendStarted(db: DbOrTx, id: string, workerId: string, now: Date): Promise<boolean> {
  return updated(claimed(db, id, workerId).set({ send_started_at: null, updated_at: now }).executeTakeFirst());
}

/** Releases this worker's claims on shutdown so another process can take the drafts at once. */
export async function releaseDraftClaims(db: DbOrTx, workerId: string): Promise<void> {
  await db.updateTable('drafts').set({ locked_by: null, locked_at: null }).where('locked_by', '=', workerId).where('status', '=', 'pending').execute();
}

/**
 * The SMTP server accepted the reply. Recorded at once, before the copy goes to Sent: a retry
 * after a failed copy must know the reply went out and only store the copy.
 */
export function markSent(db: DbOrTx, id: string, workerId: string, sent: { sentAt: Date; response: string }, now: Date): Promise<boolean> {
  return updated(claimed(db, id, workerId).set({ sent_at: sent.sentAt, smtp_response: sent.response, updated_at: now }).executeTakeFirst());
}
