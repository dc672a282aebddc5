import type { Config, MailboxConfig } from './schema.js';

/** What the flow needs to know about a configured mailbox, worked out once from the configuration. */
export interface MailboxFacts {
  name: string;
  config: MailboxConfig;
  /**
   * The mailbox's own addresses, lower-cased: `addresses`, else the login when it is an address.
   * Mail from them is never answered (loop guard); the first is the From of reply drafts.
   */
  ownAddresses: string[];
  /** The From of reply drafts; null when the mailbox has no address at all. */
  replyFrom: string | null;
}

export interface Mailboxes {
  readonly all: readonly MailboxFacts[];
  get(name: string): MailboxFacts | undefined;
  /** Own addresses of a configured mailbox; none for a name that is not configured ("triage"). */
  ownAddresses(name: string): string[];
}

export function mailboxFacts(config: Pick<Config, 'mailboxes'>): Mailboxes {
  const all = config.mailboxes.map((mailbox): MailboxFacts => {
    const listed = mailbox.addresses.length > 0 ? mailbox.addresses : mailbox.user.includes('@') ? [mailbox.user] : [];
    const ownAddresses = listed.map((a) => a.trim().toLowerCase()).filter((a) => a !== '');
    return { name: mailbox.name, config: mailbox, ownAddresses, replyFrom: ownAddresses[0] ?? null };
  });
  const byName = new Map(all.map((m) => [m.name, m]));
  return {
    all,
    get: (name) => byName.get(name),
    ownAddresses: (name) => byName.get(name)?.ownAddresses ?? [],
  };
}
