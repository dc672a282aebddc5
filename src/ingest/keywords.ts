import type { ImapFlow } from 'imapflow';
import type { MailboxConfig, Mailboxes } from '../config/index.js';
import type { Action } from '../contract/index.js';
import type { Db, Tx } from '../db/index.js';
import { type Claim, complete, type QueueHandler, reschedule } from '../queue/index.js';
import type { Clock } from '../util/clock.js';
import { newId } from '../util/ids.js';
import type { Logger } from '../util/logger.js';
import { backoffDelay } from '../util/wait.js';
import { type ConnectGate, connectThroughGate } from './connect-gate.js';
import { findFolder } from './folders.js';
import { createImapClient, describeImapError, describeMailbox, imapServerKey } from './imap-client.js';

/** The IMAP keyword that shows each decision in the team's mail client (ingest.keywords). */
export const DECISION_KEYWORDS: Partial<Record<Action, string>> = {
  ticket: '$Mailroom-Ticket',
  draft: '$Mailroom-Draft',
  review: '$Mailroom-Review',
};

/** Every keyword Mailroom sets: the decisions' and the corrections' ($Mailroom-Ignore). */
const MAILROOM_KEYWORDS = ['$Mailroom-Ticket', '$Mailroom-Draft', '$Mailroom-Review', '$Mailroom-Ignore'];

/** A keyword that did not stick after this many attempts is given up on, with the reason logged once. */
const MAX_ATTEMPTS = 8;
const RETRY = { minMs: 5_000, maxMs: 15 * 60 * 1000 };
/** A keyword connection left unused this long is logged out. */
const IDLE_CLOSE_MS = 60 * 1000;

/**
 * Queues the decision's keyword for a message that came over IMAP. Call it INSIDE the transaction
 * that stores the decision: the keyword is then set exactly when the decision exists, after the
 * commit, and a crash in between loses nothing (the row waits for the next worker).
 */
export async function enqueueKeyword(trx: Tx, input: { emailId: string; mailbox: string; keyword: string }, now: Date): Promise<void> {
  await trx
    .insertInto('keyword_updates')
    .values({
      id: newId('kw', now),
      email_id: input.emailId,
      mailbox: input.mailbox,
      keyword: input.keyword,
      next_attempt_at: now,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.columns(['email_id', 'keyword']).doNothing())
    .execute();
}

/**
 * Queues the keyword of a correction made outside the mail client (CLI, API), in the correction's
 * transaction, for a message that came over IMAP. A correction back to an action whose keyword was
 * set before sets it again (a person may have removed it). Being Mailroom's own, the keyword is never
 * read back as a correction (corrections/keyword-corrections.ts). Returns true when one was queued.
 */
export async function enqueueCorrectionKeyword(trx: Tx, input: { emailId: string; keyword: string }, now: Date): Promise<boolean> {
  const message = await trx.selectFrom('messages').select(['mailbox', 'imap_uid']).where('id', '=', input.emailId).executeTakeFirst();
  if (!message || message.imap_uid === null) return false;
  await trx
    .insertInto('keyword_updates')
    .values({ id: newId('kw', now), email_id: input.emailId, mailbox: message.mailbox, keyword: input.keyword, exclusive: true, next_attempt_at: now, created_at: now, updated_at: now })
    .onConflict((oc) =>
      oc
        .columns(['email_id', 'keyword'])
        .doUpdateSet({ status: 'pending', exclusive: true, attempts: 0, next_attempt_at: now, locked_by: null, locked_at: null, last_error: null, completed_at: null, updated_at: now }),
    )
    .execute();
  return true;
}

export interface KeywordRow {
  id: string;
  email_id: string;
  mailbox: string;
  keyword: string;
  exclusive: boolean;
  attempts: number;
  locked_by: string | null;
}

export type KeywordOutcome = { status: 'done' | 'skipped' | 'failed' | 'postponed'; reason?: string };

export const NO_CUSTOM_KEYWORDS = 'the server accepts no custom keywords (PERMANENTFLAGS without \\*)';

/**
 * Which mailboxes' servers take no custom keywords (Microsoft 365, a read-only ACL), as this
 * process has seen it: at the watcher's connect or in a keyword session, whichever comes first.
 * The first sighting is logged; after it no keyword is queued or sent for that mailbox.
 */
export interface KeywordSupport {
  refused(mailbox: string): boolean;
  /** Records that the mailbox's server refuses keywords; logs it the first time. */
  refuse(mailbox: MailboxConfig): void;
}

export function createKeywordSupport(logger: Logger): KeywordSupport {
  const refused = new Set<string>();
  return {
    refused: (mailbox) => refused.has(mailbox),
    refuse(mailbox) {
      if (refused.has(mailbox.name)) return;
      refused.add(mailbox.name);
      logger.warn(
        { mailbox: mailbox.name },
        `${describeMailbox(mailbox)}: ${NO_CUSTOM_KEYWORDS}, so decisions are not marked with $Mailroom-* keywords in this mailbox (ingest.keywords); they are still recorded (mailroom decisions list, the API) and reply drafts still go to the Drafts folder`,
      );
    },
  };
}

/** True when the selected folder's PERMANENTFLAGS allow new keywords (`\*`); null when the server did not say. */
export function acceptsKeywords(client: ImapFlow): boolean | null {
  const permanent = client.mailbox ? client.mailbox.permanentFlags : undefined;
  if (!permanent) return null;
  return permanent.has('\\*');
}

interface Slot {
  client: ImapFlow | null;
  /** mailboxes[].folder as the server names it, resolved once per connection. */
  folder: string | null;
  queue: Promise<unknown>;
  timer: NodeJS.Timeout | null;
}

/**
 * Sets the keywords of decided messages, through a connection of its own per mailbox (the
 * watcher's is read-only and mostly in IDLE, and the decision may be made in a process that is
 * not watching this mailbox at all), commands serialised, closed after a minute unused.
 */
export function keywordHandler(ctx: {
  db: Db;
  mailboxes: Mailboxes;
  logger: Logger;
  clock: Clock;
  support?: KeywordSupport;
  /** The process's login gate (mailroom run): keyword logins wait their turn with the watchers'. */
  gate?: ConnectGate;
}): QueueHandler<KeywordRow, KeywordOutcome> & {
  close(): Promise<void>;
} {
  const slots = new Map<string, Slot>();
  const support = ctx.support ?? createKeywordSupport(ctx.logger);
  const end = async (claim: Claim, status: 'done' | 'skipped' | 'failed', reason: string | null): Promise<KeywordOutcome> => {
    const now = ctx.clock.now();
    await complete(ctx.db, claim as Claim<'keyword_updates'>, { status, last_error: reason, completed_at: now }, now);
    return reason === null ? { status } : { status, reason };
  };

  async function handle(row: KeywordRow, claim: Claim): Promise<KeywordOutcome> {
    const mailbox = ctx.mailboxes.get(row.mailbox);
    if (!mailbox) return end(claim, 'skipped', `mailbox "${row.mailbox}" is not configured`);
    if (support.refused(row.mailbox)) return end(claim, 'skipped', NO_CUSTOM_KEYWORDS);
    const message = await ctx.db.selectFrom('messages').select(['imap_uid', 'imap_uidvalidity', 'message_id', 'subject']).where('id', '=', row.email_id).executeTakeFirst();
    if (!message || message.imap_uid === null) return end(claim, 'skipped', 'the email did not come over IMAP');
    if (await supersededCorrection(row)) return end(claim, 'skipped', `a later correction of email ${row.email_id} stands: ${row.keyword} no longer applies`);
    const slot = slotFor(row.mailbox);
    const run = slot.queue.then(() =>
      setKeyword(slot, mailbox.config, row, {
        uid: Number(message.imap_uid),
        uidvalidity: message.imap_uidvalidity === null ? null : Number(message.imap_uidvalidity),
        messageId: message.message_id,
      }),
    );
    slot.queue = run.catch(() => {});
    let result: { ok: true } | { ok: false; why: string; permanent: boolean };
    try {
      result = await run;
    } catch (error) {
      closeSlot(slot);
      result = { ok: false, why: describeImapError(mailbox.config, error, 'retried later'), permanent: false };
    }
    if (result.ok) return end(claim, 'done', null);
    if (result.permanent) return end(claim, 'skipped', result.why);
    if (row.attempts >= MAX_ATTEMPTS) {
      const what = `message ${message.message_id ?? '(no Message-ID)'}${message.subject ? ` "${message.subject}"` : ''}`;
      ctx.logger.warn(
        { email_id: row.email_id, mailbox: row.mailbox, keyword: row.keyword, message_id: message.message_id },
        `${describeMailbox(mailbox.config)}: keyword ${row.keyword} could not be set on ${what} after ${row.attempts} attempts; giving up (the decision stands; \`mailroom decisions list\` shows it): ${result.why}`,
      );
      return end(claim, 'failed', result.why);
    }
    const now = ctx.clock.now();
    await reschedule(ctx.db, claim, new Date(now.getTime() + backoffDelay(row.attempts, RETRY)), result.why, now);
    return { status: 'postponed', reason: result.why };
  }

  /** The latest correction of the email asks for another action than this keyword's (two corrections in quick succession). */
  async function supersededCorrection(row: KeywordRow): Promise<boolean> {
    const latest = await ctx.db.selectFrom('corrections').select('to_action').where('email_id', '=', row.email_id).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
    if (!latest) return false;
    const wanted = latest.to_action === 'ignore' ? '$Mailroom-Ignore' : DECISION_KEYWORDS[latest.to_action];
    return wanted?.toLowerCase() !== row.keyword.toLowerCase();
  }

  /**
   * Makes the session see the message before the STORE (a NOOP: some servers, Courier among them,
   * announce UIDs other sessions added only then, and RFC 3501 lets them ignore a STORE to an
   * unknown UID with OK), then reads the flags back: only a keyword seen on the message counts.
   */
  async function setKeyword(slot: Slot, mailbox: Parameters<typeof createImapClient>[0], row: KeywordRow, ref: { uid: number; uidvalidity: number | null; messageId: string | null }) {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = setTimeout(() => closeSlot(slot, true), IDLE_CLOSE_MS);
    slot.timer.unref();
    const client = await connection(slot, mailbox);
    slot.folder ??= (await findFolder(client, mailbox.folder, 'mailboxes[].folder')).path;
    const folder = slot.folder;
    const lock = await client.getMailboxLock(folder);
    try {
      await client.noop();
      if (acceptsKeywords(client) === false) {
        support.refuse(mailbox);
        return { ok: false as const, why: NO_CUSTOM_KEYWORDS, permanent: true };
      }
      let uid: number | null = ref.uid;
      const current = client.mailbox ? Number(client.mailbox.uidValidity) : null;
      if (ref.uidvalidity !== null && current !== null && ref.uidvalidity !== current) uid = await findByMessageId(client, ref.messageId);
      if (uid === null) return { ok: false as const, why: `the message is no longer in "${folder}"`, permanent: true };
      await client.messageFlagsAdd(String(uid), [row.keyword], { uid: true });
      // A correction's keyword replaces Mailroom's others: the mail client shows the action that stands.
      if (row.exclusive)
        await client.messageFlagsRemove(
          String(uid),
          MAILROOM_KEYWORDS.filter((k) => k.toLowerCase() !== row.keyword.toLowerCase()),
          { uid: true },
        );
      const after = await client.fetchOne(String(uid), { flags: true }, { uid: true });
      if (!after) return { ok: false as const, why: `the message is no longer in "${folder}"`, permanent: true };
      if (after.flags?.has(row.keyword)) return { ok: true as const };
      return { ok: false as const, why: `the server answered OK but keyword ${row.keyword} is not on UID ${uid}`, permanent: false };
    } finally {
      lock.release();
    }
  }

  async function connection(slot: Slot, mailbox: Parameters<typeof createImapClient>[0]): Promise<ImapFlow> {
    if (slot.client?.usable) return slot.client;
    slot.client?.close();
    slot.folder = null;
    const client = createImapClient(mailbox, ctx.logger);
    // An 'error' event surfaces as the rejection of the command in progress.
    client.on('error', () => {});
    client.on('close', () => {
      if (slot.client === client) slot.client = null;
    });
    await connectThroughGate(ctx.gate, imapServerKey(mailbox), client);
    slot.client = client;
    return client;
  }

  function slotFor(name: string): Slot {
    const existing = slots.get(name);
    if (existing) return existing;
    const slot: Slot = { client: null, folder: null, queue: Promise.resolve(), timer: null };
    slots.set(name, slot);
    return slot;
  }

  function closeSlot(slot: Slot, logout = false): void {
    const client = slot.client;
    slot.client = null;
    if (!client) return;
    if (logout) client.logout().catch(() => client.close());
    else client.close();
  }

  return {
    table: 'keyword_updates',
    concurrency: 2,
    pollMs: 1000,
    handle,
    describe: (row) => ({ email_id: row.email_id, mailbox: row.mailbox, keyword: row.keyword }),
    async close() {
      await Promise.all(
        [...slots.values()].map(async (slot) => {
          await slot.queue;
          if (slot.timer) clearTimeout(slot.timer);
          const client = slot.client;
          slot.client = null;
          if (client) await Promise.race([client.logout().catch(() => {}), new Promise((r) => setTimeout(r, 2000).unref())]);
          client?.close();
        }),
      );
    },
  };
}

async function findByMessageId(client: ImapFlow, messageId: string | null): Promise<number | null> {
  if (!messageId) return null;
  const found = await client.search({ header: { 'message-id': messageId } }, { uid: true });
  return Array.isArray(found) && found.length > 0 ? Math.max(...found) : null;
}
