import { ClassifierUnavailableError } from '../classify/classifier.js';
import type { MailboxConfig } from '../config/schema.js';
import { describeImapError } from '../ingest/describe-imap-error.js';
import { parseEmail } from '../parse/parse-email.js';
import type { EmailAddress, ParsedEmail } from '../parse/parsed-email.js';
import { ownAddressesOf } from '../pipeline/pipeline-context.js';
import { isReplyableSender } from '../prefilter/run-prefilters.js';
import { findByEmailId, storeOnce, type StoredCopy } from './append-draft.js';
import { replyLanguage } from './attribution-line.js';
import { composeReply, replyTarget } from './compose-reply.js';
import { mailboxAddress, type ResolvedDraftContext } from './draft-context.js';
import { draftRetryDelayMs } from './draft-retry-delay.js';
import { findSpecialFolder, FolderNotFoundError } from './find-special-folder.js';
import { withImapSession } from './imap-session.js';
import { SendFailedError, sendReply } from './send-reply.js';
import type { ClaimedDraft } from './sql/claim-due-drafts.js';
import { loadDraftSource, type DraftSource } from './sql/load-draft-source.js';
import { clearSendStarted, completeDraft, markSent, rescheduleDraft, saveReplyText, skipDraft } from './sql/update-draft.js';
import { reserveSend } from './sql/reserve-send.js';
import type { WrittenReply } from './write-reply.js';

export type DraftOutcome =
  | { status: 'drafted'; draftId: string; folder: string; uid: number | null; existing: boolean; note: string | null }
  | { status: 'sent'; draftId: string; folder: string; uid: number | null }
  | { status: 'skipped'; draftId: string; reason: string }
  | { status: 'postponed'; draftId: string; error: string; nextAttemptAt: Date }
  /** Another worker took the draft over (our lease went stale); nothing was recorded. */
  | { status: 'lost'; draftId: string };

/** Everything one draft needs once the stored email is loaded and checked. */
interface Prepared {
  row: ClaimedDraft;
  mailbox: MailboxConfig;
  email: ParsedEmail;
  from: EmailAddress;
  to: EmailAddress;
  acknowledgeOnly: boolean;
}

/**
 * Takes one claimed draft to `drafted` (stored in the mailbox's Drafts folder), `sent` (send
 * mode), `skipped` (nobody to answer) or back to the queue (model, IMAP or SMTP unreachable).
 * State is written before each side effect and every side effect is safe to repeat: the reply
 * text is stored before the APPEND, the APPEND looks for an earlier copy first, and a send is
 * booked before it happens and never repeated when its outcome is unknown.
 */
export async function processDraft(ctx: ResolvedDraftContext, row: ClaimedDraft): Promise<DraftOutcome> {
  const log = ctx.logger.child({ draft_id: row.id, email_id: row.email_id, mailbox: row.mailbox });
  const skip = async (reason: string): Promise<DraftOutcome> => {
    if (!(await skipDraft(ctx.db, row.id, ctx.workerId, reason, ctx.clock.now()))) return lost(row, log);
    log.info({ reason }, 'no reply draft written');
    return { status: 'skipped', draftId: row.id, reason };
  };
  const postpone = async (error: string, options: { retryAfterMs?: number | null; permanent?: boolean } = {}): Promise<DraftOutcome> => {
    const now = ctx.clock.now();
    const nextAttemptAt = new Date(now.getTime() + draftRetryDelayMs(row.attempts, options, ctx.random));
    if (!(await rescheduleDraft(ctx.db, row.id, ctx.workerId, nextAttemptAt, error, now))) return lost(row, log);
    (options.permanent ? log.error.bind(log) : log.warn.bind(log))({ next_attempt_at: nextAttemptAt.toISOString() }, `reply draft postponed: ${error}`);
    return { status: 'postponed', draftId: row.id, error, nextAttemptAt };
  };

  if (ctx.config.drafts.mode === 'off') return skip('drafts.mode is off: no reply draft is written');
  const mailbox = ctx.config.mailboxes.find((m) => m.name === row.mailbox);
  if (!mailbox) return skip(`mailbox "${row.mailbox}" is not configured: there is no Drafts folder to store the reply in`);
  const source = await loadDraftSource(ctx.db, row.email_id);
  if (!source) return skip('the email is no longer stored');
  let email: ParsedEmail;
  try {
    const raw = source.raw ?? Buffer.from(`${source.rawHeaders ?? ''}\r\n\r\n`, 'latin1');
    email = await parseEmail(raw, { maxCleanChars: ctx.config.classifier.max_input_chars });
  } catch (error) {
    return skip(`cannot parse the email: ${(error as Error).message}`);
  }
  // The decision already avoided these; checked again because a draft to the wrong place is the
  // one mistake a person reviewing drafts may not catch in time.
  if (!isReplyableSender(email, ownAddressesOf(ctx.config, row.mailbox))) {
    return skip('the sender cannot be answered (a no-reply or automatic sender, or this mailbox itself): no reply draft');
  }
  const to = replyTarget(email);
  if (!to) return skip('the email has no address to reply to');
  const fromAddress = mailboxAddress(mailbox);
  if (!fromAddress) {
    return postpone(`mailbox "${mailbox.name}" has no address for the draft's From: set mailboxes[].addresses`, { permanent: true });
  }
  const prepared: Prepared = {
    row,
    mailbox,
    email,
    from: { name: '', address: fromAddress },
    to: { name: to.name, address: to.address.toLowerCase() },
    acknowledgeOnly: row.acknowledge_only || source.decisionAcknowledgeOnly === true || isFlagged(source),
  };

  // 1. The words, written once and kept.
  let reply: WrittenReply;
  const messageId = row.message_id ?? draftMessageId(row.id, fromAddress);
  if (row.reply_text !== null) {
    reply = { text: row.reply_text, language: row.language ?? 'en', writer: row.writer ?? '' };
  } else {
    try {
      reply = await ctx.writer.write({ emailId: row.email_id, email, classification: source.classification, acknowledgeOnly: prepared.acknowledgeOnly });
    } catch (error) {
      if (!(error instanceof ClassifierUnavailableError)) throw error;
      return postpone(`the model could not write the reply: ${error.message}`, { retryAfterMs: error.retryAfterMs, permanent: error.permanent });
    }
    const saved = await saveReplyText(ctx.db, row.id, ctx.workerId, { ...reply, recipient: prepared.to.address, messageId }, ctx.clock.now());
    if (!saved) return lost(row, log);
  }
  const compose = (date: Date, autoReply: boolean) =>
    composeReply({ original: email, emailId: row.email_id, from: prepared.from, replyText: reply.text, language: replyLanguage(reply.language), messageId, date, autoReply }).then((c) => c.raw);

  try {
    // 2. Send mode, for mail that may be answered automatically.
    let note: string | null = null;
    if (ctx.config.drafts.mode === 'send') {
      const sent = await trySend(ctx, prepared, compose);
      if (sent.kind === 'done') return sent.outcome;
      note = sent.note;
      log.info({ note }, 'send mode: the reply stays a draft');
    }

    // 3. The draft.
    const stored = await withImapSession(mailbox, ctx.logger, async (client) => {
      const folder = await findSpecialFolder(client, '\\Drafts', mailbox.drafts_folder);
      return storeOnce(client, {
        folder,
        emailId: row.email_id,
        flags: ['\\Draft', '\\Seen'],
        compose: () => compose(ctx.clock.now(), false),
        afterAppend: ctx.hooks?.afterAppend ? () => ctx.hooks!.afterAppend!(row.id, folder) : undefined,
      });
    });
    const done = await completeDraft(
      ctx.db,
      row.id,
      ctx.workerId,
      { status: 'drafted', folder: stored.folder, uidvalidity: stored.uidvalidity, uid: stored.uid, messageId, note },
      ctx.clock.now(),
    );
    if (!done) return lost(row, log);
    log.info({ folder: stored.folder, uid: stored.uid, existing: stored.existing, writer: reply.writer, language: reply.language }, stored.existing ? 'reply draft found in Drafts from an earlier attempt; recorded' : 'reply draft stored in Drafts');
    return { status: 'drafted', draftId: row.id, folder: stored.folder, uid: stored.uid, existing: stored.existing, note };
  } catch (error) {
    if (error instanceof FolderNotFoundError) return postpone(`mailbox "${mailbox.name}": ${error.message}`, { permanent: true });
    if (error instanceof SendFailedError) return postpone(error.message);
    if (isImapFailure(error)) return postpone(describeImapError(mailbox, error, 'the draft waits and is tried again later'));
    throw error;
  }
}

type SendResult = { kind: 'done'; outcome: DraftOutcome } | { kind: 'draft'; note: string };

/**
 * Send mode. Returns `draft` with the reason when the reply must stay a draft: flagged mail, no
 * SMTP settings, the per-recipient limit, a permanent refusal, or an earlier attempt whose outcome
 * is unknown (never sent twice: the copy in Sent proves a send, its absence proves nothing).
 * Throws SendFailedError (postpone) when the server was unreachable and nothing was sent.
 */
async function trySend(ctx: ResolvedDraftContext, p: Prepared, compose: (date: Date, autoReply: boolean) => Promise<Buffer>): Promise<SendResult> {
  const { row } = p;
  const smtp = ctx.config.drafts.smtp;
  if (p.acknowledgeOnly) return { kind: 'draft', note: 'payment, legal or VIP mail is never answered automatically: kept as a draft' };
  if (!smtp) return { kind: 'draft', note: 'drafts.mode is "send" but drafts.smtp is not configured: kept as a draft' };
  const sentDate = row.send_started_at ?? ctx.clock.now();

  if (row.send_started_at !== null && row.sent_at === null) {
    const copy = await findInSent(ctx, p);
    if (copy === null) {
      return { kind: 'draft', note: 'an earlier send attempt was interrupted and may have reached the recipient: kept as a draft so a person decides' };
    }
    return { kind: 'done', outcome: await completeSent(ctx, p, copy) };
  }

  if (row.sent_at === null) {
    const booking = await reserveSend(ctx.db, {
      id: row.id,
      workerId: ctx.workerId,
      recipient: p.to.address,
      maxPerDay: ctx.config.drafts.max_sends_per_recipient_per_day,
      now: sentDate,
    });
    if (!booking.reserved) {
      if (booking.sentToday < ctx.config.drafts.max_sends_per_recipient_per_day) return { kind: 'done', outcome: lost(row, ctx.logger) };
      return {
        kind: 'draft',
        note: `${booking.sentToday} automatic replies went to ${p.to.address} in the last 24 hours (drafts.max_sends_per_recipient_per_day is ${ctx.config.drafts.max_sends_per_recipient_per_day}): kept as a draft`,
      };
    }
    const raw = await compose(sentDate, true);
    try {
      const { response } = await sendReply(smtp, { raw, from: p.from.address, to: p.to.address });
      if (!(await markSent(ctx.db, row.id, ctx.workerId, { sentAt: ctx.clock.now(), response }, ctx.clock.now()))) {
        return { kind: 'done', outcome: lost(row, ctx.logger) };
      }
    } catch (error) {
      if (!(error instanceof SendFailedError) || error.outcome === 'unknown') throw error;
      await clearSendStarted(ctx.db, row.id, ctx.workerId, ctx.clock.now());
      if (error.permanent) return { kind: 'draft', note: `${error.message}: kept as a draft` };
      throw error;
    }
    const copy = await storeSentCopy(ctx, p, () => Promise.resolve(raw));
    return { kind: 'done', outcome: await completeSent(ctx, p, copy) };
  }

  // Sent earlier, but the copy in Sent was not recorded: store (or find) it now.
  const copy = await storeSentCopy(ctx, p, () => compose(sentDate, true));
  return { kind: 'done', outcome: await completeSent(ctx, p, copy) };
}

function storeSentCopy(ctx: ResolvedDraftContext, p: Prepared, compose: () => Promise<Buffer>): Promise<StoredCopy> {
  return withImapSession(p.mailbox, ctx.logger, async (client) => {
    const folder = await findSpecialFolder(client, '\\Sent');
    return storeOnce(client, { folder, emailId: p.row.email_id, flags: ['\\Seen'], compose });
  });
}

function findInSent(ctx: ResolvedDraftContext, p: Prepared): Promise<StoredCopy | null> {
  return withImapSession(p.mailbox, ctx.logger, async (client) => {
    const folder = await findSpecialFolder(client, '\\Sent');
    const lock = await client.getMailboxLock(folder);
    try {
      const uid = await findByEmailId(client, p.row.email_id);
      return uid === null ? null : { folder, uidvalidity: null, uid, existing: true };
    } finally {
      lock.release();
    }
  });
}

async function completeSent(ctx: ResolvedDraftContext, p: Prepared, copy: StoredCopy): Promise<DraftOutcome> {
  const { row } = p;
  const done = await completeDraft(
    ctx.db,
    row.id,
    ctx.workerId,
    { status: 'sent', folder: copy.folder, uidvalidity: copy.uidvalidity, uid: copy.uid, messageId: row.message_id ?? draftMessageId(row.id, p.from.address) },
    ctx.clock.now(),
  );
  if (!done) return lost(row, ctx.logger);
  ctx.logger.info({ draft_id: row.id, email_id: row.email_id, to: p.to.address, folder: copy.folder }, 'reply sent (drafts.mode send); copy stored in Sent');
  return { status: 'sent', draftId: row.id, folder: copy.folder, uid: copy.uid };
}

/** Stable per draft, so every attempt and the copy in Sent carry the same Message-ID. */
export function draftMessageId(draftId: string, fromAddress: string): string {
  const domain = fromAddress.split('@')[1] || 'mailroom.invalid';
  return `<${draftId.toLowerCase()}.mailroom@${domain}>`;
}

function isFlagged(source: DraftSource): boolean {
  return Boolean(source.flags && (source.flags.payment || source.flags.legal || source.flags.vip));
}

function isImapFailure(error: unknown): boolean {
  const e = error as { code?: unknown; responseText?: unknown; serverResponseCode?: unknown; authenticationFailed?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  return typeof e.code === 'string' || typeof e.responseText === 'string' || typeof e.serverResponseCode === 'string' || e.authenticationFailed === true || /ECONN|socket|closed|timeout|connection/i.test((error as Error).message ?? '');
}

function lost(row: ClaimedDraft, log: { warn: (obj: object, msg: string) => void }): DraftOutcome {
  log.warn({ draft_id: row.id, email_id: row.email_id }, 'the draft was taken over by another worker (this claim went stale); nothing recorded here');
  return { status: 'lost', draftId: row.id };
}
