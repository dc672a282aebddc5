/**
 * What must hold after a chaos run, checked against the database, the receiver's log and the
 * Drafts folder on the IMAP server — each check a row of the pass/fail table.
 */
import { sql } from 'kysely';
import type { Db } from '../src/db/index.js';
import type { PrivateDovecot } from '../test/support/dovecot.js';
import type { ReceivedRequest } from '../test/support/webhook-receiver.js';
import type { ChaosMessage } from './chaos-messages.js';

export interface CheckRow {
  check: string;
  ok: boolean;
  detail: string;
}

const sample = (items: readonly string[], n = 5) => (items.length <= n ? items.join(', ') : `${items.slice(0, n).join(', ')} … (${items.length})`);

interface StoredRow {
  id: string;
  message_id: string | null;
  status: string;
  decisions: string;
  action: string | null;
}

export async function storedMessages(db: Db): Promise<StoredRow[]> {
  const { rows } = await sql<StoredRow>`
    select m.id, m.message_id, m.status, count(d.id)::text as decisions, min(d.action) as action
    from messages m left join decisions d on d.email_id = m.id
    group by m.id, m.message_id, m.status`.execute(db);
  return rows;
}

/** Counts of work not finished: the run is settled when all are zero and every message is decided. */
export async function unfinishedWork(db: Db): Promise<{ pendingMessages: number; pendingDeliveries: number; pendingDrafts: number; decided: number }> {
  const { rows } = await sql<{ pm: string; pd: string; pr: string; dc: string }>`
    select (select count(*) from messages where status = 'pending')::text as pm,
           (select count(*) from webhook_deliveries where status = 'pending')::text as pd,
           (select count(*) from drafts where status = 'pending')::text as pr,
           (select count(*) from decisions)::text as dc`.execute(db);
  const r = rows[0]!;
  return { pendingMessages: Number(r.pm), pendingDeliveries: Number(r.pd), pendingDrafts: Number(r.pr), decided: Number(r.dc) };
}

/** X-Mailroom-Email-Id of every message in the Drafts folder. */
async function draftsInFolder(dovecot: PrivateDovecot, user: string): Promise<string[]> {
  const client = await dovecot.client(user);
  try {
    const mailbox = await client.mailboxOpen('Drafts');
    if (mailbox.exists === 0) return [];
    const ids: string[] = [];
    for await (const message of client.fetch('1:*', { uid: true, headers: ['x-mailroom-email-id'] })) {
      const value = /x-mailroom-email-id:\s*(\S+)/i.exec(message.headers?.toString('utf8') ?? '')?.[1];
      ids.push(value ?? '(no X-Mailroom-Email-Id)');
    }
    return ids;
  } finally {
    await client.logout().catch(() => client.close());
  }
}

export interface CheckInput {
  db: Db;
  dovecot: PrivateDovecot;
  user: string;
  messages: readonly ChaosMessage[];
  requests: readonly ReceivedRequest[];
  /** Status the receiver answered each request with, by request index. */
  answered: ReadonlyMap<number, number>;
}

export async function runChecks(input: CheckInput): Promise<CheckRow[]> {
  const { db } = input;
  const rows: CheckRow[] = [];
  const stored = await storedMessages(db);
  const byMessageId = new Map<string, StoredRow[]>();
  for (const row of stored) byMessageId.set(row.message_id ?? '', [...(byMessageId.get(row.message_id ?? '') ?? []), row]);

  // 1. Stored once.
  const missing = input.messages.filter((m) => !byMessageId.has(m.messageId)).map((m) => `#${m.index}`);
  const twice = input.messages.filter((m) => (byMessageId.get(m.messageId)?.length ?? 0) > 1).map((m) => `#${m.index}`);
  const foreign = stored.filter((s) => !input.messages.some((m) => m.messageId === s.message_id)).map((s) => s.id);
  rows.push({
    check: 'every message stored exactly once',
    ok: missing.length === 0 && twice.length === 0 && foreign.length === 0,
    detail: `${stored.length} stored of ${input.messages.length} appended${missing.length ? `; missing ${sample(missing)}` : ''}${twice.length ? `; twice ${sample(twice)}` : ''}${foreign.length ? `; unexpected ${sample(foreign)}` : ''}`,
  });

  // 2. Exactly one decision.
  const notOne = stored.filter((s) => s.decisions !== '1').map((s) => `${s.id} (${s.decisions} decisions, ${s.status})`);
  const actions = new Map<string, number>();
  for (const s of stored) if (s.action) actions.set(s.action, (actions.get(s.action) ?? 0) + 1);
  rows.push({
    check: 'every message has exactly one decision',
    ok: notOne.length === 0 && stored.length > 0,
    detail: notOne.length ? `not one: ${sample(notOne)}` : [...actions].map(([a, n]) => `${a} ${n}`).join(', '),
  });

  // 2b. The intended action (the fake model's answer) — proves both outboxes were exercised.
  const expected: Record<string, string> = { ticket: 'ticket', draft: 'draft', refund: 'draft', newsletter: 'ignore', 'auto-reply': 'ignore' };
  const unexpected = input.messages
    .map((m) => ({ m, action: byMessageId.get(m.messageId)?.[0]?.action ?? null }))
    .filter(({ m, action }) => action !== null && action !== expected[m.kind])
    .map(({ m, action }) => `#${m.index} ${m.kind}→${action}`);
  rows.push({
    check: 'each message got the action its content calls for',
    ok: unexpected.length === 0 && (actions.get('ticket') ?? 0) > 0 && (actions.get('draft') ?? 0) > 0,
    detail: unexpected.length ? `unexpected: ${sample(unexpected)}` : `ticket ${actions.get('ticket') ?? 0}, draft ${actions.get('draft') ?? 0}`,
  });

  // 3. Tickets: at least once, one stable webhook-id, verified, acknowledged.
  const events = await db.selectFrom('webhook_events').select(['id', 'email_id']).execute();
  const eventsByEmail = new Map<string, string[]>();
  for (const e of events) if (e.email_id) eventsByEmail.set(e.email_id, [...(eventsByEmail.get(e.email_id) ?? []), e.id]);
  const requestsByEmail = new Map<string, ReceivedRequest[]>();
  let unparsable = 0;
  for (const r of input.requests) {
    try {
      const emailId = (JSON.parse(r.body) as { data?: { email_id?: string } }).data?.email_id;
      if (emailId) requestsByEmail.set(emailId, [...(requestsByEmail.get(emailId) ?? []), r]);
      else unparsable++;
    } catch {
      unparsable++;
    }
  }
  const tickets = stored.filter((s) => s.action === 'ticket');
  const ticketProblems: string[] = [];
  let redelivered = 0;
  for (const t of tickets) {
    const received = requestsByEmail.get(t.id) ?? [];
    const eventIds = eventsByEmail.get(t.id) ?? [];
    const webhookIds = new Set(received.map((r) => r.webhookId));
    if (eventIds.length !== 1) ticketProblems.push(`${t.id}: ${eventIds.length} events`);
    else if (received.length === 0) ticketProblems.push(`${t.id}: never received`);
    else if (webhookIds.size !== 1 || !webhookIds.has(eventIds[0]!)) ticketProblems.push(`${t.id}: webhook-ids ${[...webhookIds].join('/')} vs event ${eventIds[0]}`);
    else if (received.some((r) => !r.verifiedBy.includes(true))) ticketProblems.push(`${t.id}: a request failed verification (${received.find((r) => !r.verifiedBy.includes(true))?.verifyError})`);
    else if (!received.some((r) => (input.answered.get(r.index) ?? 0) < 300)) ticketProblems.push(`${t.id}: never answered 2xx`);
    if (received.filter((r) => (input.answered.get(r.index) ?? 0) < 300).length > 1) redelivered++;
  }
  rows.push({
    check: 'every ticket received, one stable webhook-id, verified',
    ok: ticketProblems.length === 0 && unparsable === 0,
    detail: ticketProblems.length
      ? sample(ticketProblems, 3)
      : `${tickets.length} tickets, ${input.requests.length} requests (${[...input.answered.values()].filter((s) => s >= 300).length} answered with an error), ${redelivered} acknowledged more than once${unparsable ? `, ${unparsable} unreadable bodies` : ''}`,
  });
  const stray = [...requestsByEmail.keys()].filter((emailId) => !tickets.some((t) => t.id === emailId));
  rows.push({ check: 'no webhook for an email that is not a ticket', ok: stray.length === 0, detail: stray.length ? sample(stray) : 'none' });

  // 4. Drafts: never two for one email, in the table or in the folder.
  const draftRows = await db.selectFrom('drafts').select(['email_id', 'status']).execute();
  const draftCount = new Map<string, number>();
  for (const d of draftRows) draftCount.set(d.email_id, (draftCount.get(d.email_id) ?? 0) + 1);
  const folder = await draftsInFolder(input.dovecot, input.user);
  const folderCount = new Map<string, number>();
  for (const id of folder) folderCount.set(id, (folderCount.get(id) ?? 0) + 1);
  const twoRows = [...draftCount].filter(([, n]) => n > 1).map(([id, n]) => `${id} ×${n}`);
  const twoInFolder = [...folderCount].filter(([, n]) => n > 1).map(([id, n]) => `${id} ×${n}`);
  const draftDecisions = stored.filter((s) => s.action === 'draft');
  const drafted = draftRows.filter((d) => d.status === 'drafted');
  const notInFolder = drafted.filter((d) => !folderCount.has(d.email_id)).map((d) => d.email_id);
  const withoutRow = draftDecisions.filter((s) => !draftCount.has(s.id)).map((s) => s.id);
  rows.push({
    check: 'no email has two drafts (table and Drafts folder)',
    ok: twoRows.length === 0 && twoInFolder.length === 0,
    detail: twoRows.length || twoInFolder.length ? `table: ${sample(twoRows)}; folder: ${sample(twoInFolder)}` : `${draftRows.length} draft rows, ${folder.length} messages in Drafts`,
  });
  rows.push({
    check: 'every draft decision has its draft in the folder',
    ok: withoutRow.length === 0 && notInFolder.length === 0 && drafted.length === draftDecisions.length,
    detail:
      withoutRow.length || notInFolder.length
        ? `no row: ${sample(withoutRow)}; not in folder: ${sample(notInFolder)}`
        : `${drafted.length} drafted of ${draftDecisions.length} draft decisions (${
            draftRows
              .filter((d) => d.status !== 'drafted')
              .map((d) => d.status)
              .join(', ') || 'none other'
          })`,
  });

  // 5. Nothing stuck.
  const work = await unfinishedWork(db);
  const failedDeliveries = await db.selectFrom('webhook_deliveries').select('id').where('status', '=', 'failed').execute();
  const failedMessages = stored.filter((s) => s.status === 'failed').length;
  rows.push({
    check: 'nothing stuck (pending or failed)',
    ok: work.pendingMessages === 0 && work.pendingDeliveries === 0 && work.pendingDrafts === 0 && failedDeliveries.length === 0 && failedMessages === 0,
    detail: `pending: ${work.pendingMessages} messages, ${work.pendingDeliveries} deliveries, ${work.pendingDrafts} drafts; failed: ${failedMessages} messages, ${failedDeliveries.length} deliveries`,
  });
  return rows;
}
