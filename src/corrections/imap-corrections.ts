import type { FetchMessageObject, ImapFlow } from 'imapflow';
import type { Config, MailboxConfig } from '../config/index.js';
import type { Action } from '../contract/index.js';
import type { Db } from '../db/index.js';
import { type ConnectGate, connectThroughGate, createImapClient, describeImapError, describeMailbox, imapServerKey } from '../ingest/index.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import { backoffDelay } from '../util/wait.js';
import { rawEmailUrl } from '../webhooks/index.js';
import { CORRECTION_KEYWORDS, correctionFromKeywords } from './keyword-corrections.js';
import { type CorrectionContext, type RecordedCorrection, recordCorrectionOnce } from './record-correction.js';

export interface ImapCorrectionsOptions {
  db: Db;
  config: Config;
  logger: Logger;
  clock: Clock;
  /** Called after a correction queued a webhook (the delivery worker's wake). */
  onEvent: () => void;
  /** Each recorded correction (tests and the benchmark measure the delay). */
  onCorrection?: (correction: RecordedCorrection) => void;
  /** The process's login gate (mailroom run): these logins wait their turn with the watchers'. */
  gate?: ConnectGate;
}

export interface ImapCorrections {
  /** Reads every watched mailbox now (tests, and a sweep the operator asks for). */
  checkNow(): Promise<void>;
  stop(): Promise<void>;
}

/** A change announced during IDLE is read this soon after, so a burst of flag changes is one check. */
const ANNOUNCED_DELAY_MS = 200;
const RECONNECT = { minMs: 2_000, maxMs: 5 * 60_000 };
/** How often a server with CONDSTORE is asked what changed, announced or not. */
const CONDSTORE_CHECK_MS = 4_000;

/**
 * Hears corrections made in the team's mail client: a person setting $Mailroom-Ticket, -Review or
 * -Ignore on a message Mailroom decided, or moving it into a folder of `corrections.folders`. One
 * connection per mailbox, in IDLE between checks, so a change another client makes is announced
 * at once; with CONDSTORE only the messages changed since the last check are fetched
 * (FETCH … (FLAGS) (CHANGEDSINCE modseq)), without it every `corrections.sweep_interval` the
 * flags of the decided range are swept. Runs only for mailboxes with keywords on or folders set.
 */
export function startImapCorrections(options: ImapCorrectionsOptions): ImapCorrections {
  const { config } = options;
  const folders = Object.entries(config.corrections.folders).filter((e): e is [Action, string] => typeof e[1] === 'string');
  const active = config.ingest.keywords || folders.length > 0;
  const watchers = active ? config.mailboxes.map((mailbox) => watchMailbox(options, mailbox, folders)) : [];
  return {
    async checkNow() {
      await Promise.all(watchers.map((w) => w.checkNow()));
    },
    async stop() {
      await Promise.all(watchers.map((w) => w.stop()));
    },
  };
}

function watchMailbox(options: ImapCorrectionsOptions, mailbox: MailboxConfig, folders: Array<[Action, string]>) {
  const { logger } = options;
  const ctx: CorrectionContext = {
    db: options.db,
    now: () => options.clock.now(),
    maxCleanChars: options.config.classifier.max_input_chars,
    rawEmailUrl: (emailId, now) => rawEmailUrl(options.config, emailId, now),
  };
  let client: ImapFlow | null = null;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let soon: NodeJS.Timeout | null = null;
  let failures = 0;
  let idling: Promise<void> = Promise.resolve();

  let dueAt = Number.POSITIVE_INFINITY;
  // Only ever brings the next check closer: a change announced during a check must not be pushed
  // back to the next sweep when that check ends.
  const schedule = (ms: number) => {
    if (stopped || Date.now() + ms >= dueAt) return;
    if (soon) clearTimeout(soon);
    dueAt = Date.now() + ms;
    soon = setTimeout(() => {
      dueAt = Number.POSITIVE_INFINITY;
      void check();
    }, ms);
    soon.unref();
  };

  // Checks run one after another; each ends by going back to IDLE and scheduling the next sweep.
  const check = (): Promise<void> => {
    running = running.then(async () => {
      if (stopped) return;
      try {
        const imap = await connection();
        // A NOOP ends the IDLE in progress for sure and has the server report what changed meanwhile.
        await imap.noop();
        await idling;
        const condstore = await checkKeywords(options, ctx, mailbox, imap);
        for (const [action, folder] of folders) await checkFolder(options, ctx, mailbox, imap, action, folder);
        await imap.mailboxOpen(mailbox.folder);
        failures = 0;
        // IDLE again only once the previous IDLE has really ended: started while the old one is still
        // being closed, it would be taken for the old one, and nothing would be announced until the sweep.
        idling = imap.idle().then(
          () => {},
          () => {},
        );
        // With CONDSTORE a check costs a NOOP and a FETCH of what changed (usually nothing), so it
        // also runs every few seconds: the net under an announcement the IDLE session missed.
        schedule(condstore ? Math.min(CONDSTORE_CHECK_MS, options.config.corrections.sweep_interval) : options.config.corrections.sweep_interval);
      } catch (error) {
        failures++;
        client?.close();
        client = null;
        idling = Promise.resolve();
        logger.warn({ mailbox: mailbox.name }, `${describeMailbox(mailbox)}: could not read corrections: ${describeImapError(mailbox, error, 'trying again')}`);
        schedule(backoffDelay(failures, RECONNECT));
      }
    });
    return running;
  };

  async function connection(): Promise<ImapFlow> {
    if (client?.usable) return client;
    // A new session has no IDLE of the old one to wait for.
    idling = Promise.resolve();
    const imap = createImapClient(mailbox, logger);
    imap.on('error', () => {});
    // Another client changed flags or moved mail in: read it now instead of at the next sweep.
    imap.on('flags', () => schedule(ANNOUNCED_DELAY_MS));
    imap.on('exists', () => schedule(ANNOUNCED_DELAY_MS));
    imap.on('close', () => {
      if (client === imap) client = null;
      schedule(backoffDelay(Math.max(1, failures), RECONNECT));
    });
    await connectThroughGate(options.gate, imapServerKey(mailbox), imap);
    await imap.mailboxOpen(mailbox.folder);
    client = imap;
    return imap;
  }

  schedule(0);
  return {
    checkNow: () => check(),
    async stop() {
      stopped = true;
      if (soon) clearTimeout(soon);
      await running.catch(() => {});
      const imap = client;
      client = null;
      if (imap) await Promise.race([imap.logout().catch(() => imap.close()), new Promise((r) => setTimeout(r, 2000).unref())]);
    },
  };
}

/** The keywords of the watched folder: changed since the last modseq with CONDSTORE, all decided messages otherwise. */
async function checkKeywords(options: ImapCorrectionsOptions, ctx: CorrectionContext, mailbox: MailboxConfig, imap: ImapFlow): Promise<boolean> {
  const { db } = options;
  const box = imap.mailbox;
  if (!box) return false;
  const uidvalidity = String(box.uidValidity);
  const cursor = await db.selectFrom('correction_cursors').selectAll().where('mailbox', '=', mailbox.name).where('folder', '=', mailbox.folder).executeTakeFirst();
  const known = cursor && String(cursor.uidvalidity) === uidvalidity ? cursor : null;
  // Read before the FETCH: a change made during it has a higher modseq and is read next time.
  const highest = box.highestModseq;
  const condstore = highest !== undefined && !box.noModseq;
  const first = await db
    .selectFrom('messages')
    .select((eb) => eb.fn.min('imap_uid').as('uid'))
    .where('mailbox', '=', mailbox.name)
    .where('imap_uidvalidity', '=', uidvalidity)
    .where('status', '=', 'decided')
    .executeTakeFirst();
  if (first?.uid !== null && first?.uid !== undefined && box.exists > 0) {
    const since = condstore && known && known.modseq !== '0' ? BigInt(known.modseq) : null;
    const fetched: FetchMessageObject[] = [];
    for await (const message of imap.fetch(`${first.uid}:*`, { uid: true, flags: true }, { uid: true, ...(since !== null ? { changedSince: since } : {}) })) fetched.push(message);
    for (const message of fetched) await keywordCorrection(options, ctx, mailbox, uidvalidity, message);
  }
  const modseq = condstore ? String(highest) : '0';
  if (known?.modseq === modseq) return condstore;
  await db
    .insertInto('correction_cursors')
    .values({ mailbox: mailbox.name, folder: mailbox.folder, uidvalidity, modseq, last_uid: known?.last_uid ?? 0, updated_at: options.clock.now() })
    .onConflict((oc) => oc.columns(['mailbox', 'folder']).doUpdateSet({ uidvalidity, modseq, updated_at: options.clock.now() }))
    .execute();
  return condstore;
}

async function keywordCorrection(options: ImapCorrectionsOptions, ctx: CorrectionContext, mailbox: MailboxConfig, uidvalidity: string, message: FetchMessageObject): Promise<void> {
  const flags = message.flags ?? new Set<string>();
  const ours = new Set(Object.values(CORRECTION_KEYWORDS).map((k) => k.toLowerCase()));
  if (![...flags].some((f) => ours.has(f.toLowerCase()))) return;
  const { db } = options;
  const email = await db
    .selectFrom('messages as m')
    .innerJoin('decisions as d', 'd.email_id', 'm.id')
    .select(['m.id', 'd.action'])
    .where('m.mailbox', '=', mailbox.name)
    .where('m.imap_uidvalidity', '=', uidvalidity)
    .where('m.imap_uid', '=', String(message.uid))
    .executeTakeFirst();
  if (!email) return;
  const corrections = await db.selectFrom('corrections').select(['to_action', 'via']).where('email_id', '=', email.id).orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
  const setByMailroom = await db.selectFrom('keyword_updates').select('keyword').where('email_id', '=', email.id).execute();
  const action = correctionFromKeywords({
    present: flags,
    standing: corrections[0]?.to_action ?? email.action,
    setByMailroom: new Set(setByMailroom.map((k) => k.keyword)),
    alreadyRecorded: new Set(corrections.filter((c) => c.via === 'imap_keyword').map((c) => c.to_action)),
  });
  if (action) await record(options, ctx, { emailId: email.id, action, by: mailbox.user, via: 'imap_keyword', note: `keyword ${CORRECTION_KEYWORDS[action]} set in the mail client` });
}

/** New messages in a correction folder: matched to the emails Mailroom decided by Message-ID. */
async function checkFolder(options: ImapCorrectionsOptions, ctx: CorrectionContext, mailbox: MailboxConfig, imap: ImapFlow, action: Action, folder: string): Promise<void> {
  const { db } = options;
  let box: Awaited<ReturnType<ImapFlow['mailboxOpen']>>;
  try {
    box = await imap.mailboxOpen(folder, { readOnly: true });
  } catch {
    // A folder nobody created yet holds no corrections; it is looked for again at the next check.
    return;
  }
  const uidvalidity = String(box.uidValidity);
  const cursor = await db.selectFrom('correction_cursors').selectAll().where('mailbox', '=', mailbox.name).where('folder', '=', folder).executeTakeFirst();
  const lastUid = cursor && String(cursor.uidvalidity) === uidvalidity ? Number(cursor.last_uid) : 0;
  let highest = lastUid;
  if (box.exists > 0 && box.uidNext > lastUid + 1) {
    for await (const message of imap.fetch(`${lastUid + 1}:*`, { uid: true, envelope: true }, { uid: true })) {
      if (message.uid <= lastUid) continue;
      highest = Math.max(highest, message.uid);
      const messageId = message.envelope?.messageId;
      if (!messageId) continue;
      const email = await db
        .selectFrom('messages as m')
        .innerJoin('decisions as d', 'd.email_id', 'm.id')
        .select('m.id')
        .where('m.mailbox', '=', mailbox.name)
        .where('m.message_id', '=', messageId)
        .executeTakeFirst();
      if (email) await record(options, ctx, { emailId: email.id, action, by: mailbox.user, via: 'imap_folder', note: `moved to ${folder} in the mail client` });
    }
  }
  await db
    .insertInto('correction_cursors')
    .values({ mailbox: mailbox.name, folder, uidvalidity, last_uid: highest, updated_at: options.clock.now() })
    .onConflict((oc) => oc.columns(['mailbox', 'folder']).doUpdateSet({ uidvalidity, last_uid: highest, updated_at: options.clock.now() }))
    .execute();
}

async function record(
  options: ImapCorrectionsOptions,
  ctx: CorrectionContext,
  input: { emailId: string; action: Action; by: string; via: 'imap_keyword' | 'imap_folder'; note: string },
): Promise<void> {
  const recorded = await recordCorrectionOnce(ctx, input);
  if (!recorded) return;
  options.logger.info({ email_id: recorded.emailId, from: recorded.from, to: recorded.to, by: recorded.by, via: recorded.via }, 'decision corrected in the mail client');
  if (recorded.effects.suggested + recorded.effects.retracted > 0) options.onEvent();
  options.onCorrection?.(recorded);
}
