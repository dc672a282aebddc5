import type { ImapFlow } from 'imapflow';
import type { MailboxConfig } from '../config/schema.js';
import type { Action } from '../decide/decision.js';
import type { Logger } from '../util/logger.js';
import { createImapClient, describeMailbox } from './imap-client.js';

/** The IMAP keyword that shows each decision in the team's mail client (ingest.keywords). */
export const DECISION_KEYWORDS: Partial<Record<Action, string>> = {
  ticket: '$Mailroom-Ticket',
  draft: '$Mailroom-Draft',
  review: '$Mailroom-Review',
};

/** A keyword connection left unused this long is logged out. */
const IDLE_CLOSE_MS = 60 * 1000;

export interface MessageRef {
  uid: number;
  /** The UIDVALIDITY the UID belongs to; when the folder's differs, the message is found by Message-ID. */
  uidvalidity?: number | null;
  messageId?: string | null;
}

export interface KeywordSetter {
  /**
   * Adds the decision's keyword to the message. Never touches \Seen or other flags. Resolves to
   * false (and logs why) when keywords are off, the action has none, or the message is gone;
   * never rejects: keywords are a courtesy and must not hold up the decision.
   */
  setMessageKeywords(mailbox: string, ref: MessageRef, action: Action): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Keywords go through a connection of their own, not the watcher's: the watcher's is read-only
 * (EXAMINE) and mostly in IDLE, and the decision may be made in a process that is not watching
 * this mailbox at all. One connection per mailbox is kept while in use, commands serialised.
 */
export function createKeywordSetter(params: { mailboxes: MailboxConfig[]; enabled: boolean; logger: Logger }): KeywordSetter {
  const connections = new Map<string, { client: ImapFlow | null; queue: Promise<unknown>; timer: NodeJS.Timeout | null }>();
  let closed = false;

  async function connection(mailbox: MailboxConfig, slot: { client: ImapFlow | null }): Promise<ImapFlow> {
    if (slot.client?.usable) return slot.client;
    slot.client?.close();
    const client = createImapClient(mailbox, params.logger);
    client.on('error', () => {
      // surfaces as the rejection of the command in progress
    });
    client.on('close', () => {
      if (slot.client === client) slot.client = null;
    });
    await client.connect();
    slot.client = client;
    return client;
  }

  async function apply(mailbox: MailboxConfig, slot: { client: ImapFlow | null }, ref: MessageRef, keyword: string): Promise<boolean> {
    const client = await connection(mailbox, slot);
    const lock = await client.getMailboxLock(mailbox.folder);
    try {
      let uids = [ref.uid];
      const current = client.mailbox ? Number(client.mailbox.uidValidity) : null;
      if (ref.uidvalidity != null && current !== null && Number(ref.uidvalidity) !== current) {
        if (!ref.messageId) return false;
        const found = await client.search({ header: { 'message-id': ref.messageId } }, { uid: true });
        uids = Array.isArray(found) ? found : [];
        if (uids.length === 0) return false;
      }
      return await client.messageFlagsAdd(uids.join(','), [keyword], { uid: true });
    } finally {
      lock.release();
    }
  }

  return {
    async setMessageKeywords(mailboxName, ref, action) {
      const keyword = DECISION_KEYWORDS[action];
      if (!params.enabled || !keyword || closed) return false;
      const mailbox = params.mailboxes.find((m) => m.name === mailboxName);
      if (!mailbox) {
        params.logger.warn(`cannot set keyword ${keyword}: no configured mailbox "${mailboxName}"`);
        return false;
      }
      let slot = connections.get(mailboxName);
      if (!slot) {
        slot = { client: null, queue: Promise.resolve(), timer: null };
        connections.set(mailboxName, slot);
      }
      const s = slot;
      const run = s.queue.then(async () => {
        if (s.timer) clearTimeout(s.timer);
        try {
          const ok = await apply(mailbox, s, ref, keyword);
          if (!ok) params.logger.info({ mailbox: mailboxName, uid: ref.uid }, `${describeMailbox(mailbox)}: message UID ${ref.uid} is no longer in "${mailbox.folder}"; keyword ${keyword} not set`);
          return ok;
        } catch (error) {
          s.client?.close();
          s.client = null;
          params.logger.warn({ mailbox: mailboxName, uid: ref.uid }, `${describeMailbox(mailbox)}: could not set keyword ${keyword} on UID ${ref.uid}: ${(error as Error).message}`);
          return false;
        } finally {
          s.timer = setTimeout(() => {
            s.client?.logout().catch(() => s.client?.close());
            s.client = null;
          }, IDLE_CLOSE_MS);
          s.timer.unref();
        }
      });
      s.queue = run.catch(() => {});
      return run;
    },
    async close() {
      closed = true;
      await Promise.all(
        [...connections.values()].map(async (slot) => {
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
