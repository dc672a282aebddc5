import { type Selectable, sql } from 'kysely';
import type { RateLimiter } from '../classify/index.js';
import { ClassifierUnavailableError } from '../classify/index.js';
import type { Config, Mailboxes, MailboxFacts } from '../config/index.js';
import type { Classification, Flags } from '../contract/index.js';
import { type Db, type DraftsTable, parseSource, readRawMessage, type SecretBox } from '../db/index.js';
import { type ConnectGate, classifyImapError, describeImapError, withImapSession } from '../ingest/index.js';
import { type EmailAddress, fromStoredEmail, type ParsedEmail, parseEmail } from '../parse/index.js';
import { isReplyableSender } from '../prefilter/index.js';
import { type Claim, complete, reschedule, updateClaimed } from '../queue/index.js';
import { redactionKinds } from '../redact/index.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { retryDelay } from '../util/wait.js';
import { composeReply, replyLanguage, replyTarget } from './compose-reply.js';
import { FolderNotFoundError, findByEmailId, findSpecialFolder, type StoredCopy, storeOnce } from './imap-store.js';
import { loadStoredMapping, type ReplyPrivacy, replyPrivacy } from './reply-privacy.js';
import { SendFailedError, sendReply } from './send-reply.js';
import { type ReplyWriter, replyModelConfigured, type WrittenReply } from './write-reply.js';

/** What the draft worker needs; the optional parts are for sharing with the classifier and for tests. */
export interface DraftContext {
  db: Db;
  config: Pick<Config, 'drafts' | 'classifier' | 'mailboxes'>;
  logger: Logger;
  clock?: Clock;
  /** Names this process in claims. */
  workerId?: string;
  /** Pass the classifier's limiter so replies and classifications share one rpm budget. */
  limiter?: RateLimiter;
  /** Replaces the model-backed writer (tests, or a caller that built one already). */
  writer?: ReplyWriter;
  /** Drafts written at the same time (default 2: each holds a model request and an IMAP session). */
  concurrency?: number;
  /** How often the worker looks for drafts coming due (default 1 s). */
  pollIntervalMs?: number;
  random?: () => number;
  /** Opens the placeholder mapping stored with a redacted email (the webhook secrets' key). */
  secretBox?: () => SecretBox;
  /** The process's login gate (mailroom run): draft logins wait their turn with the watchers' (ingest.connect_concurrency). */
  gate?: ConnectGate;
  /** Test hooks; see StoreOptions.afterAppend. */
  hooks?: { afterAppend?: (draftId: string, folder: string) => Promise<void> | void };
}

export interface ResolvedDraftContext extends DraftContext {
  clock: Clock;
  workerId: string;
  writer: ReplyWriter;
  mailboxes: Mailboxes;
  random: () => number;
}

export type ClaimedDraft = Selectable<DraftsTable>;

export type DraftOutcome =
  | { status: 'drafted'; draftId: string; folder: string; uid: number | null; existing: boolean; note: string | null }
  | { status: 'sent'; draftId: string; folder: string; uid: number | null }
  | { status: 'skipped'; draftId: string; reason: string }
  | { status: 'postponed'; draftId: string; error: string; nextAttemptAt: Date };

/** Everything one draft needs once the stored email is loaded and checked. */
interface Prepared {
  row: ClaimedDraft;
  fence: Claim<'drafts'>;
  mailbox: MailboxFacts;
  email: ParsedEmail;
  from: EmailAddress;
  /** Whom a draft for review is addressed to. */
  to: EmailAddress;
  /** Whom an automatic send goes to (drafts.mode send): Reply-To only when trusted, else From; null: nobody. */
  sendTo: EmailAddress | null;
  acknowledgeOnly: boolean;
  /** The model's view of the email and the way back to the values (classifier.redact). */
  privacy: ReplyPrivacy;
}

type Sendable = Prepared & { sendTo: EmailAddress };

/** After the model, IMAP or SMTP was unreachable: 30 s doubling to 30 min. */
const UNAVAILABLE_RETRY = { minMs: 30_000, maxMs: 30 * 60 * 1000 };

/**
 * Takes one claimed draft to `drafted` (stored in the mailbox's Drafts folder), `sent` (send
 * mode), `skipped` (nobody to answer) or back to the queue (model, IMAP or SMTP unreachable).
 * State is written before each side effect and every side effect is safe to repeat: the reply
 * text is stored before the APPEND, the APPEND looks for an earlier copy first, and a send is
 * booked before it happens and never repeated when its outcome is unknown. Every write is fenced
 * on the claim (a worker whose claim went stale writes nothing).
 */
export async function processDraft(ctx: ResolvedDraftContext, row: ClaimedDraft, claim: Claim): Promise<DraftOutcome> {
  const fence = claim as Claim<'drafts'>;
  const log = ctx.logger.child({ draft_id: row.id, email_id: row.email_id, mailbox: row.mailbox });
  const skip = async (reason: string): Promise<DraftOutcome> => {
    const now = ctx.clock.now();
    await complete(ctx.db, fence, { status: 'skipped', last_error: reason, completed_at: now }, now);
    log.info({ reason }, 'no reply draft written');
    return { status: 'skipped', draftId: row.id, reason };
  };
  const postpone = async (error: string, hints: { retryAfterMs?: number | null; permanent?: boolean } = {}): Promise<DraftOutcome> => {
    const now = ctx.clock.now();
    const nextAttemptAt = new Date(now.getTime() + retryDelay(row.attempts, UNAVAILABLE_RETRY, hints, ctx.random));
    await reschedule(ctx.db, fence, nextAttemptAt, error, now);
    (hints.permanent ? log.error.bind(log) : log.warn.bind(log))({ next_attempt_at: nextAttemptAt.toISOString() }, `reply draft postponed: ${error}`);
    return { status: 'postponed', draftId: row.id, error, nextAttemptAt };
  };

  if (ctx.config.drafts.mode === 'off') return skip('drafts.mode is off: no reply draft is written');
  const mailbox = ctx.mailboxes.get(row.mailbox);
  if (!mailbox) return skip(`mailbox "${row.mailbox}" is not configured: there is no Drafts folder to store the reply in`);
  const source = await loadDraftSource(ctx, row.email_id);
  if (!source) return skip('the email is no longer stored');
  if (!source.email) return skip(`cannot parse the email: ${source.parseError}`);
  const email = source.email;
  // The decision already avoided these; checked again because a draft to the wrong place is the
  // one mistake a person reviewing drafts may not catch in time.
  if (!isReplyableSender(email, mailbox.ownAddresses)) {
    return skip('the sender cannot be answered (a no-reply or automatic sender, or this mailbox itself): no reply draft');
  }
  const to = replyTarget(email);
  if (!to) return skip('the email has no address to reply to');
  // Sent replies may go elsewhere than drafts: see replyTarget. Drafts keep the Reply-To, a person reviews them.
  const sendTo = replyTarget(email, { sending: true, trustReplyTo: ctx.config.drafts.send_to_reply_to });
  if (!mailbox.replyFrom) return postpone(`mailbox "${mailbox.name}" has no address for the draft's From: set mailboxes[].addresses`, { permanent: true });
  const prepared: Prepared = {
    row,
    fence,
    mailbox,
    email,
    from: { name: '', address: mailbox.replyFrom },
    to: { name: to.name, address: to.address.toLowerCase() },
    sendTo: sendTo ? { name: sendTo.name, address: sendTo.address.toLowerCase() } : null,
    acknowledgeOnly: row.acknowledge_only || source.acknowledgeOnly === true || isFlagged(source.flags),
    privacy: replyPrivacy(email, modelRedaction(ctx), await loadStoredMapping(ctx.db, row.email_id, ctx.secretBox)),
  };

  // 1. The words, written once and kept.
  let reply: WrittenReply;
  const messageId = row.message_id ?? draftMessageId(row.id, mailbox.replyFrom);
  if (row.reply_text !== null) {
    reply = { text: row.reply_text, language: row.language ?? 'en', writer: row.writer ?? '' };
  } else {
    try {
      reply = await ctx.writer.write({
        emailId: row.email_id,
        email,
        classification: source.classification,
        acknowledgeOnly: prepared.acknowledgeOnly,
        redacted: prepared.privacy.view,
      });
    } catch (error) {
      if (!(error instanceof ClassifierUnavailableError)) throw error;
      return postpone(`the model could not write the reply: ${error.message}`, error);
    }
    const saved = {
      reply_text: reply.text,
      language: reply.language,
      writer: reply.writer,
      recipient: ctx.config.drafts.mode === 'send' && prepared.sendTo ? prepared.sendTo.address : prepared.to.address,
      message_id: messageId,
    };
    await updateClaimed(ctx.db, fence, saved, ctx.clock.now());
  }
  // The model wrote placeholders where the reply needs personal data; the values go back in here, never into the stored reply_text.
  const restored = prepared.privacy.restore(reply.text);
  if (restored.note) log.warn({ note: restored.note }, 'reply draft: placeholders');
  const compose = (date: Date, autoReply: boolean) =>
    composeReply({
      original: email,
      emailId: row.email_id,
      from: prepared.from,
      replyText: restored.text,
      language: replyLanguage(reply.language),
      messageId,
      date,
      autoReply,
      // autoReply is set exactly when the message is sent rather than stored as a draft.
      to: autoReply && sendTo ? sendTo : to,
    }).then((c) => c.raw);

  try {
    // 2. Send mode, for mail that may be answered automatically.
    let note: string | null = restored.note;
    if (ctx.config.drafts.mode === 'send') {
      const sent = restored.note ? ({ kind: 'draft', note: `${restored.note}: kept as a draft` } as const) : await trySend(ctx, prepared, compose, messageId);
      if (sent.kind === 'done') return sent.outcome;
      note = sent.note;
      log.info({ note }, 'send mode: the reply stays a draft');
    }

    // 3. The draft.
    const stored = await withImapSession(
      mailbox.config,
      ctx.logger,
      async (client) => {
        const folder = await findSpecialFolder(client, '\\Drafts', mailbox.config.drafts_folder);
        const afterAppend = ctx.hooks?.afterAppend;
        return storeOnce(client, {
          folder,
          emailId: row.email_id,
          flags: ['\\Draft', '\\Seen'],
          compose: () => compose(ctx.clock.now(), false),
          ...(afterAppend ? { afterAppend: () => afterAppend(row.id, folder) } : {}),
        });
      },
      { gate: ctx.gate },
    );
    await finish(ctx, prepared, 'drafted', stored, messageId, { note });
    log.info(
      { folder: stored.folder, uid: stored.uid, existing: stored.existing, writer: reply.writer, language: reply.language },
      stored.existing ? 'reply draft found in Drafts from an earlier attempt; recorded' : 'reply draft stored in Drafts',
    );
    return { status: 'drafted', draftId: row.id, folder: stored.folder, uid: stored.uid, existing: stored.existing, note };
  } catch (error) {
    if (error instanceof FolderNotFoundError) return postpone(`mailbox "${mailbox.name}": ${error.message}`, { permanent: true });
    if (error instanceof SendFailedError) return postpone(error.message);
    if (classifyImapError(error) !== 'other') return postpone(describeImapError(mailbox.config, error, 'the draft waits and is tried again later'));
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
async function trySend(ctx: ResolvedDraftContext, prepared: Prepared, compose: (date: Date, autoReply: boolean) => Promise<Buffer>, messageId: string): Promise<SendResult> {
  const { row } = prepared;
  const smtp = ctx.config.drafts.smtp;
  const limit = ctx.config.drafts.max_sends_per_recipient_per_day;
  if (prepared.acknowledgeOnly) return { kind: 'draft', note: 'payment, legal or VIP mail is never answered automatically: kept as a draft' };
  if (!smtp) return { kind: 'draft', note: 'drafts.mode is "send" but drafts.smtp is not configured: kept as a draft' };
  const { sendTo } = prepared;
  const answersFrom = !sendTo || sendTo.address !== prepared.to.address;
  if (!sendTo || (answersFrom && !isReplyableSender({ ...prepared.email, replyTo: null }, prepared.mailbox.ownAddresses))) {
    return { kind: 'draft', note: `the Reply-To ${prepared.to.address} is not on the sender's domain and the From cannot be answered automatically: kept as a draft` };
  }
  const p: Sendable = { ...prepared, sendTo };
  const sentDate = row.send_started_at ?? ctx.clock.now();

  if (row.send_started_at !== null && row.sent_at === null) {
    const copy = await findInSent(ctx, p);
    if (copy === null) return { kind: 'draft', note: 'an earlier send attempt was interrupted and may have reached the recipient: kept as a draft so a person decides' };
    return { kind: 'done', outcome: await completeSent(ctx, p, copy, messageId) };
  }

  if (row.sent_at === null) {
    const sentToday = await reserveSend(ctx, p, sentDate, limit);
    if (sentToday !== null)
      return {
        kind: 'draft',
        note: `${sentToday} automatic replies went to ${p.sendTo.address} in the last 24 hours (drafts.max_sends_per_recipient_per_day is ${limit}): kept as a draft`,
      };
    const raw = await compose(sentDate, true);
    try {
      const { response } = await sendReply(smtp, { raw, from: p.from.address, to: p.sendTo.address });
      await updateClaimed(ctx.db, p.fence, { sent_at: ctx.clock.now(), smtp_response: response }, ctx.clock.now());
    } catch (error) {
      if (!(error instanceof SendFailedError) || error.outcome === 'unknown') throw error;
      await updateClaimed(ctx.db, p.fence, { send_started_at: null }, ctx.clock.now());
      if (error.permanent) return { kind: 'draft', note: `${error.message}: kept as a draft` };
      throw error;
    }
    const copy = await storeSentCopy(ctx, p, () => Promise.resolve(raw));
    return { kind: 'done', outcome: await completeSent(ctx, p, copy, messageId) };
  }

  // Sent earlier, but the copy in Sent was not recorded: store (or find) it now.
  const copy = await storeSentCopy(ctx, p, () => compose(sentDate, true));
  return { kind: 'done', outcome: await completeSent(ctx, p, copy, messageId) };
}

/**
 * Books one automatic send to the recipient if fewer than `limit` were started to that address in
 * the last 24 hours, by setting send_started_at on the draft. Count and booking happen in one
 * transaction under an advisory lock on the recipient, so two workers (or processes) answering the
 * same address at once cannot both slip under the limit. Started sends count even when their
 * outcome is unknown: the limit exists so two auto-responders cannot loop, and it errs on the side
 * of sending less. Returns null when booked, else how many went out today.
 */
async function reserveSend(ctx: ResolvedDraftContext, p: Sendable, now: Date, limit: number): Promise<number | null> {
  return ctx.db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`mailroom-send:${p.sendTo.address}`}, 0))`.execute(trx);
    const since = new Date(now.getTime() - 24 * 60 * 60 * 1000);
    const row = await trx
      .selectFrom('drafts')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('recipient', '=', p.sendTo.address)
      .where('send_started_at', '>', since)
      .executeTakeFirstOrThrow();
    const sentToday = Number(row.n);
    if (sentToday >= limit) return sentToday;
    await updateClaimed(trx, p.fence, { send_started_at: now, recipient: p.sendTo.address }, now);
    return null;
  });
}

function storeSentCopy(ctx: ResolvedDraftContext, p: Prepared, compose: () => Promise<Buffer>): Promise<StoredCopy> {
  return withImapSession(
    p.mailbox.config,
    ctx.logger,
    async (client) => {
      const folder = await findSpecialFolder(client, '\\Sent');
      return storeOnce(client, { folder, emailId: p.row.email_id, flags: ['\\Seen'], compose });
    },
    { gate: ctx.gate },
  );
}

function findInSent(ctx: ResolvedDraftContext, p: Prepared): Promise<StoredCopy | null> {
  return withImapSession(
    p.mailbox.config,
    ctx.logger,
    async (client) => {
      const folder = await findSpecialFolder(client, '\\Sent');
      const lock = await client.getMailboxLock(folder);
      try {
        const uid = await findByEmailId(client, p.row.email_id);
        return uid === null ? null : { folder, uidvalidity: null, uid, existing: true };
      } finally {
        lock.release();
      }
    },
    { gate: ctx.gate },
  );
}

async function completeSent(ctx: ResolvedDraftContext, p: Sendable, copy: StoredCopy, messageId: string): Promise<DraftOutcome> {
  await finish(ctx, p, 'sent', copy, messageId, {});
  ctx.logger.info({ draft_id: p.row.id, email_id: p.row.email_id, to: p.sendTo.address, folder: copy.folder }, 'reply sent (drafts.mode send); copy stored in Sent');
  return { status: 'sent', draftId: p.row.id, folder: copy.folder, uid: copy.uid };
}

/** The draft is in the Drafts folder (`drafted`) or was sent (`sent`); the claim ends. */
function finish(ctx: ResolvedDraftContext, p: Prepared, status: 'drafted' | 'sent', copy: StoredCopy, messageId: string, extra: { note?: string | null }): Promise<void> {
  const now = ctx.clock.now();
  const uidvalidity = copy.uidvalidity === null ? null : String(copy.uidvalidity);
  return complete(ctx.db, p.fence, { status, folder: copy.folder, imap_uidvalidity: uidvalidity, imap_uid: copy.uid, message_id: messageId, last_error: null, completed_at: now, ...extra }, now);
}

/** The kinds the reply model must not see, as for the classifier: only when a model writes replies. */
function modelRedaction(ctx: ResolvedDraftContext) {
  return replyModelConfigured(ctx.config.classifier) ? redactionKinds(ctx.config.classifier) : null;
}

/** Stable per draft, so every attempt and the copy in Sent carry the same Message-ID. */
export function draftMessageId(draftId: string, fromAddress: string): string {
  const domain = fromAddress.split('@')[1] || 'mailroom.invalid';
  return `<${draftId.toLowerCase()}.mailroom@${domain}>`;
}

function isFlagged(flags: Flags | null): boolean {
  return Boolean(flags && (flags.payment || flags.legal || flags.vip));
}

interface DraftSource {
  email: ParsedEmail | null;
  parseError: string | null;
  /** The validated classification the decision used, when there was one. */
  classification: Classification | null;
  /** Flags as the decision applied them; null when the email has no decision row. */
  flags: Flags | null;
  acknowledgeOnly: boolean | null;
}

/** The stored email a draft answers (its stored parse, or its raw bytes parsed), with its decision; null when the email is gone. */
async function loadDraftSource(ctx: ResolvedDraftContext, emailId: string): Promise<DraftSource | null> {
  const row = await ctx.db
    .selectFrom('messages as m')
    .leftJoin('decisions as d', 'd.email_id', 'm.id')
    .leftJoin('classifications as c', 'c.id', 'd.classification_id')
    .select(['m.parsed', 'c.output', 'd.flags', 'd.acknowledge_only'])
    .where('m.id', '=', emailId)
    .executeTakeFirst();
  if (!row) return null;
  const decided = {
    classification: (row.output ?? null) as Classification | null,
    flags: (row.flags ?? null) as Flags | null,
    acknowledgeOnly: row.acknowledge_only,
  };
  const maxCleanChars = ctx.config.classifier.max_input_chars;
  const stored = fromStoredEmail(row.parsed, maxCleanChars);
  if (stored) return { ...decided, email: stored, parseError: null };
  const source = await readRawMessage(ctx.db, emailId);
  if (!source) return null;
  try {
    return { ...decided, email: await parseEmail(parseSource(source), { maxCleanChars }), parseError: null };
  } catch (error) {
    return { ...decided, email: null, parseError: (error as Error).message };
  }
}
