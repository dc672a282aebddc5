/** Shared by the ingest tests (not a test file itself). */
import { randomBytes } from 'node:crypto';
import type { ImapFlow } from 'imapflow';
import { sql } from 'kysely';
import { type Config, configSchema } from '../../src/config/index.js';
import type { Db } from '../../src/db/index.js';
import type { WatcherTuning } from '../../src/ingest/mailbox-watcher.js';
import type { PrivateDovecot } from '../support/dovecot.js';

/** Fast enough for tests, still exercising every path. */
export const FAST_TUNING: Partial<WatcherTuning> = {
  leaseTtlMs: 1500,
  localProbeMs: 200,
  reconnectMinMs: 100,
  reconnectMaxMs: 1000,
  authRetryMs: 500,
  logoutTimeoutMs: 1000,
};

export function ingestConfig(dovecot: PrivateDovecot, options: { name?: string; user?: string; password?: string; folder?: string; ingest?: Record<string, unknown> } = {}): Config {
  const user = options.user ?? dovecot.users[0]!.user;
  return configSchema.parse({
    mailboxes: [
      {
        name: options.name ?? 'support',
        host: dovecot.host,
        port: dovecot.port,
        security: 'plain',
        user,
        password: options.password ?? dovecot.users.find((u) => u.user === user)!.password,
        folder: options.folder ?? 'INBOX',
      },
    ],
    ingest: { sweep_interval: '2s', ...options.ingest },
  });
}

let counter = 0;

/** A small, unique, well-formed message. */
export function makeMessage(label: string, options: { bodyBytes?: number; date?: Date; noMessageId?: boolean } = {}): string {
  counter += 1;
  const id = `<${label}.${counter}.${randomBytes(6).toString('hex')}@test.mailroom>`;
  const body = options.bodyBytes ? `${'x'.repeat(76)}\r\n`.repeat(Math.ceil(options.bodyBytes / 78)) : `Hello, this is message ${label}.\r\n`;
  return [
    'From: Maria Rossi <maria@example.com>',
    'To: support@example.com',
    `Subject: ${label}`,
    ...(options.noMessageId ? [] : [`Message-ID: ${id}`]),
    `Date: ${(options.date ?? new Date()).toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    body,
  ].join('\r\n');
}

/** APPENDs many messages over `connections` parallel connections. */
export async function appendMany(dovecot: PrivateDovecot, user: string, folder: string, messages: string[], connections = 4): Promise<void> {
  const clients: ImapFlow[] = await Promise.all(Array.from({ length: connections }, () => dovecot.client(user)));
  let next = 0;
  try {
    await Promise.all(
      clients.map(async (client) => {
        while (next < messages.length) {
          const raw = messages[next++]!;
          await client.append(folder, raw);
        }
      }),
    );
  } finally {
    await Promise.all(clients.map((c) => c.logout().catch(() => c.close())));
  }
}

export async function waitFor<T>(what: string, check: () => Promise<T | false | null | undefined> | T | false | null | undefined, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function storedSubjects(db: Db, mailbox = 'support'): Promise<string[]> {
  const rows = await db.selectFrom('messages').select('subject').where('mailbox', '=', mailbox).orderBy('imap_uid').execute();
  return rows.map((r) => r.subject ?? '');
}

export async function messageCount(db: Db, mailbox = 'support'): Promise<number> {
  const row = await db.selectFrom('messages').select(sql<string>`count(*)`.as('n')).where('mailbox', '=', mailbox).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Every Message-ID stored at most once, returned with its count. */
export async function duplicateMessageIds(db: Db, mailbox = 'support'): Promise<Array<{ message_id: string | null; n: string }>> {
  const { rows } = await sql<{ message_id: string | null; n: string }>`
    select message_id, count(*) as n from messages where mailbox = ${mailbox} group by message_id having count(*) > 1`.execute(db);
  return rows;
}

export async function cleanIngest(db: Db): Promise<void> {
  await sql`truncate messages, ingest_cursors, ingest_leases, ingest_processes cascade`.execute(db);
}
