import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { sql } from 'kysely';
import { decisionView, listDecisions } from '../../src/api/index.js';
import { CorrectionRefusedError, listCorrections, recordCorrection } from '../../src/corrections/index.js';
import { addSubscription, ticketEventId } from '../../src/webhooks/index.js';
import { describeEachDatabase, truncateAll } from '../support/databases.js';
import { secretBox } from '../webhooks/fixtures.js';
import { correctionContext, decidedEmail } from './fixtures.js';

const urlPolicy = { allowHttp: true, allowPrivateNetworks: true, resolveHost: async () => [{ address: '127.0.0.1', family: 4 as const }] };

describeEachDatabase('corrections', (getDb) => {
  beforeEach(() => truncateAll(getDb()));

  const subscribe = (events?: Array<'ticket.suggested' | 'ticket.retracted'>) =>
    addSubscription(getDb(), { url: 'http://127.0.0.1:9/hook', urlPolicy, secretBox, now: new Date(), ...(events ? { eventTypes: events } : {}) });

  test('a correction is stored with who, when, from and to; the decision row stays as it was', async () => {
    const db = getDb();
    const id = await decidedEmail(db, { action: 'draft' });
    const recorded = await recordCorrection(correctionContext(db), { emailId: id, action: 'review', intent: 'billing', flags: ['payment'], note: 'a refund', by: 'alice', via: 'cli' });
    assert.equal(recorded.from, 'draft');
    assert.equal(recorded.to, 'review');
    const [row] = await listCorrections(db, { limit: 10 });
    assert.equal(row?.corrected_by, 'alice');
    assert.equal(row?.decided_action, 'draft');
    assert.equal(row?.intent, 'billing');
    assert.equal(row?.payment, true);
    assert.equal(row?.note, 'a refund');
    assert.equal(row?.via, 'cli');
    const decision = await db.selectFrom('decisions').select('action').where('email_id', '=', id).executeTakeFirstOrThrow();
    assert.equal(decision.action, 'draft', 'the audit log keeps what Mailroom decided');
    const [listed] = await listDecisions(db, { limit: 5 });
    const view = decisionView(listed!);
    assert.equal(view.action, 'draft');
    assert.equal(view.correction?.action, 'review');
    assert.equal(view.correction?.corrected_by, 'alice');
  });

  test('two people correcting: the later one stands, both are kept', async () => {
    const db = getDb();
    const id = await decidedEmail(db, { action: 'ticket' });
    let clock = Date.parse('2026-11-23T10:00:00Z');
    const ctx = correctionContext(db, () => new Date(clock));
    await recordCorrection(ctx, { emailId: id, action: 'review', by: 'alice', via: 'cli' });
    clock += 1000;
    const second = await recordCorrection(ctx, { emailId: id, action: 'ignore', by: 'bob', via: 'api' });
    assert.equal(second.from, 'review', 'the second correction starts from what the first one set');
    const all = await listCorrections(db, { emailId: id, limit: 10 });
    assert.deepEqual(
      all.map((c) => [c.corrected_by, c.from_action, c.to_action]),
      [
        ['bob', 'review', 'ignore'],
        ['alice', 'ticket', 'review'],
      ],
    );
    const [listed] = await listDecisions(db, { limit: 5 });
    assert.equal(decisionView(listed!).correction?.action, 'ignore');
    assert.equal(decisionView(listed!).correction?.corrections, 2);
  });

  test('an unknown email, an undecided one, an invalid action, intent or flag are refused with the reason', async () => {
    const db = getDb();
    const ctx = correctionContext(db);
    await assert.rejects(
      recordCorrection(ctx, { emailId: 'em_nope', action: 'ticket', by: 'a', via: 'cli' }),
      (e: unknown) => e instanceof CorrectionRefusedError && e.code === 'UNKNOWN_EMAIL' && /no email em_nope/.test(e.message),
    );
    const id = await decidedEmail(db, { action: 'draft' });
    await assert.rejects(
      recordCorrection(ctx, { emailId: id, action: 'escalate', by: 'a', via: 'cli' }),
      (e: unknown) => e instanceof CorrectionRefusedError && /ticket, draft, review, ignore/.test(e.message),
    );
    await assert.rejects(recordCorrection(ctx, { emailId: id, action: 'review', intent: 'complaint', by: 'a', via: 'cli' }), /intent "complaint" does not exist/);
    await assert.rejects(recordCorrection(ctx, { emailId: id, action: 'review', flags: ['vip'], by: 'a', via: 'cli' }), /flag "vip" does not exist/);
    await sql`delete from decisions where email_id = ${id}`.execute(db);
    await assert.rejects(recordCorrection(ctx, { emailId: id, action: 'review', by: 'a', via: 'cli' }), (e: unknown) => e instanceof CorrectionRefusedError && e.code === 'NOT_DECIDED');
    assert.equal((await listCorrections(db, { limit: 10 })).length, 0);
  });

  test('a correction to ticket queues the email’s one ticket.suggested, once, to subscriptions that chose it', async () => {
    const db = getDb();
    const suggested = await subscribe();
    const retractedOnly = await subscribe(['ticket.retracted']);
    const id = await decidedEmail(db, { action: 'review' });
    const first = await recordCorrection(correctionContext(db), { emailId: id, action: 'ticket', by: 'alice', via: 'cli', note: 'a real bug' });
    assert.deepEqual(first.effects, { suggested: 1, retracted: 0, cancelled: 0 });
    const event = await db.selectFrom('webhook_events').selectAll().where('email_id', '=', id).executeTakeFirstOrThrow();
    assert.equal(event.id, ticketEventId(id));
    const body = JSON.parse(event.body);
    assert.equal(body.type, 'ticket.suggested');
    assert.equal(body.data.intent, 'support');
    assert.deepEqual({ by: body.data.correction.corrected_by, note: body.data.correction.note }, { by: 'alice', note: 'a real bug' });
    const deliveries = await db.selectFrom('webhook_deliveries').select('subscription_id').execute();
    assert.deepEqual(
      deliveries.map((d) => d.subscription_id),
      [suggested.id],
      'only the subscription that chose ticket.suggested',
    );
    await recordCorrection(correctionContext(db), { emailId: id, action: 'review', by: 'bob', via: 'cli' });
    const again = await recordCorrection(correctionContext(db), { emailId: id, action: 'ticket', by: 'carol', via: 'cli' });
    assert.equal(again.effects.suggested, 0, 'the same webhook-id is never queued twice for one subscription');
    assert.equal((await db.selectFrom('webhook_events').select('id').where('type', '=', 'ticket.suggested').execute()).length, 1);
    void retractedOnly;
  });

  test('a correction away from a delivered ticket retracts it to subscriptions that chose ticket.retracted; an undelivered one is cancelled', async () => {
    const db = getDb();
    const both = await subscribe(['ticket.suggested', 'ticket.retracted']);
    const plain = await subscribe(['ticket.suggested']);
    const late = await subscribe(['ticket.suggested', 'ticket.retracted']);
    const id = await decidedEmail(db, { action: 'review' });
    await recordCorrection(correctionContext(db), { emailId: id, action: 'ticket', by: 'alice', via: 'cli' });
    // Two receivers got the ticket; the third's delivery is still waiting.
    await db.updateTable('webhook_deliveries').set({ status: 'delivered', delivered_at: new Date() }).where('subscription_id', 'in', [both.id, plain.id]).execute();
    const away = await recordCorrection(correctionContext(db), { emailId: id, action: 'ignore', by: 'bob', via: 'api', note: 'spam after all' });
    assert.deepEqual(away.effects, { suggested: 0, retracted: 1, cancelled: 1 });
    const retraction = await db.selectFrom('webhook_events').selectAll().where('type', '=', 'ticket.retracted').executeTakeFirstOrThrow();
    const body = JSON.parse(retraction.body);
    assert.deepEqual(
      { ...body.data, corrected_at: undefined },
      { email_id: id, suggested_webhook_id: ticketEventId(id), action: 'ignore', corrected_by: 'bob', corrected_at: undefined, note: 'spam after all' },
    );
    const toRetract = await db.selectFrom('webhook_deliveries').select('subscription_id').where('event_id', '=', retraction.id).execute();
    assert.deepEqual(
      toRetract.map((d) => d.subscription_id),
      [both.id],
    );
    const cancelled = await db.selectFrom('webhook_deliveries').selectAll().where('subscription_id', '=', late.id).executeTakeFirstOrThrow();
    assert.equal(cancelled.status, 'failed');
    assert.match(cancelled.last_error ?? '', /corrected the email to ignore before it was delivered/);
  });
});
