import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { sql } from 'kysely';
import { describeEachDatabase, truncateAll } from '../support/databases.js';
import { auth, seedDelivery, seedEmail, testServer } from './fixtures.js';

/** What the console reads through the API beyond the first version: filters, the email's text and draft, stats, bulk replay. */
describeEachDatabase('HTTP API: filters, email details, stats and bulk replay', (getDb) => {
  beforeEach(async () => {
    await truncateAll(getDb());
  });

  test('decisions filter by flag, intent, date range and words in the sender or subject', async () => {
    const db = getDb();
    await seedEmail(db, { id: 'em_A', action: 'ticket', subject: 'Login broken', decidedAt: '2026-11-20T10:00:00Z' });
    await seedEmail(db, { id: 'em_B', action: 'review', subject: 'Refund 100% please', decidedAt: '2026-11-21T10:00:00Z' });
    await seedEmail(db, { id: 'em_C', action: 'ignore', subject: 'Newsletter_weekly', decidedAt: '2026-11-22T10:00:00Z' });
    await sql`update decisions set flags = '{"payment":true,"legal":false,"vip":false}'::jsonb where email_id = 'em_B'`.execute(db);
    await sql`update classifications set output = jsonb_set(output, '{intent}', '"newsletter"') where email_id = 'em_C'`.execute(db);
    await sql`update messages set from_address = 'news@shop.example', from_name = 'Shop News' where id = 'em_C'`.execute(db);
    const { app } = testServer(db);
    const ids = async (query: string) => {
      const res = await app.inject({ url: `/v1/decisions?${query}`, headers: auth() });
      assert.equal(res.statusCode, 200, res.body);
      return (res.json().data as Array<{ email_id: string }>).map((d) => d.email_id);
    };
    assert.deepEqual(await ids('flag=payment'), ['em_B']);
    assert.deepEqual(await ids('flag=legal'), []);
    assert.deepEqual(await ids('intent=newsletter'), ['em_C']);
    assert.deepEqual(await ids('intent=support'), ['em_B', 'em_A']);
    assert.deepEqual(await ids('since=2026-11-21&until=2026-11-22'), ['em_B']);
    assert.deepEqual(await ids('q=login'), ['em_A']);
    assert.deepEqual(await ids('q=SHOP%20news'), ['em_C'], 'the sender name counts, case-insensitive');
    // LIKE's wildcards are taken literally: "100%" matches one subject, "_" does not match every character.
    assert.deepEqual(await ids('q=100%25'), ['em_B']);
    assert.deepEqual(await ids('q=N_wsletter'), []);
    assert.deepEqual(await ids('q=r_weekly'), ['em_C']);
    assert.equal((await app.inject({ url: '/v1/decisions?until=someday', headers: auth() })).statusCode, 400);
    assert.equal((await app.inject({ url: '/v1/decisions?flag=urgent', headers: auth() })).statusCode, 400);
  });

  test('an email carries its cleaned text, attachments, model version and draft', async () => {
    const db = getDb();
    await seedEmail(db, { id: 'em_D', action: 'draft' });
    const parsed = { version: 2, newestText: 'Hello, I cannot log in.', hiddenText: '', attachments: [{ filename: 'shot.png', content_type: 'image/png', size: 42 }] };
    await sql`update messages set parsed = ${JSON.stringify(parsed)}::jsonb where id = 'em_D'`.execute(db);
    await sql`update classifications set model_version = 'local-7' where email_id = 'em_D'`.execute(db);
    await sql`
      insert into drafts (id, email_id, mailbox, acknowledge_only, reply_text, language, folder, status, next_attempt_at)
      values ('dr_1', 'em_D', 'support', false, 'Dear Maria, try resetting.', 'en', 'Drafts', 'drafted', now())`.execute(db);
    const { app } = testServer(db);
    const email = (await app.inject({ url: '/v1/emails/em_D', headers: auth() })).json();
    assert.equal(email.clean_text, 'Hello, I cannot log in.');
    assert.equal(email.hidden_text, null);
    assert.deepEqual(email.attachments, [{ filename: 'shot.png', content_type: 'image/png', size: 42 }]);
    assert.equal(email.classification.model_version, 'local-7');
    assert.equal(email.draft.status, 'drafted');
    assert.equal(email.draft.reply_text, 'Dear Maria, try resetting.');
    assert.equal(email.draft.folder, 'Drafts');
    await seedEmail(db, { id: 'em_E', action: null });
    const bare = (await app.inject({ url: '/v1/emails/em_E', headers: auth() })).json();
    assert.equal(bare.clean_text, null);
    assert.equal(bare.draft, null);
  });

  test('deliveries: event type and date filters, last latency, cursor pages that neither skip nor repeat', async () => {
    const db = getDb();
    for (let i = 0; i < 5; i++) {
      await seedEmail(db, { id: `em_${i}`, action: 'ticket' });
      await seedDelivery(db, { id: `dlv_${i}`, emailId: `em_${i}`, status: i % 2 ? 'failed' : 'delivered' });
    }
    // All five were created in the same transaction instant on some databases: the id breaks ties.
    const { app } = testServer(db);
    const page = async (cursor: string | null): Promise<{ data: Array<{ id: string }>; next_cursor: string | null }> => {
      const res = await app.inject({ url: `/v1/deliveries?limit=2${cursor ? `&cursor=${cursor}` : ''}`, headers: auth() });
      assert.equal(res.statusCode, 200, res.body);
      return res.json();
    };
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const next = await page(cursor);
      seen.push(...next.data.map((d) => d.id));
      cursor = next.next_cursor;
    } while (cursor);
    assert.deepEqual([...seen].sort(), ['dlv_0', 'dlv_1', 'dlv_2', 'dlv_3', 'dlv_4']);
    assert.equal(new Set(seen).size, 5);
    const failed = (await app.inject({ url: '/v1/deliveries?status=failed&event_type=ticket.suggested', headers: auth() })).json().data;
    assert.deepEqual(failed.map((d: { id: string }) => d.id).sort(), ['dlv_1', 'dlv_3']);
    assert.equal(failed[0].last_latency_ms, 12);
    assert.equal((await app.inject({ url: '/v1/deliveries?event_type=ping', headers: auth() })).json().data.length, 0);
    assert.equal((await app.inject({ url: '/v1/deliveries?until=2000-01-01', headers: auth() })).json().data.length, 0);
    assert.equal((await app.inject({ url: '/v1/deliveries?cursor=bogus', headers: auth() })).statusCode, 400);
  });

  test('replay-failed puts back every failed delivery since a date, skips disabled subscriptions, and needs a date', async () => {
    const db = getDb();
    await seedEmail(db, { id: 'em_1', action: 'ticket' });
    await seedEmail(db, { id: 'em_2', action: 'ticket' });
    await seedDelivery(db, { id: 'dlv_F1', emailId: 'em_1', status: 'failed' });
    await seedDelivery(db, { id: 'dlv_F2', emailId: 'em_2', subscriptionId: 'sub_OFF', status: 'failed', enabled: false });
    await seedDelivery(db, { id: 'dlv_OK', emailId: 'em_2', status: 'delivered' });
    const server = testServer(db);
    assert.equal((await server.app.inject({ method: 'POST', url: '/v1/deliveries/replay-failed', headers: auth(), payload: {} })).statusCode, 400);
    const res = await server.app.inject({ method: 'POST', url: '/v1/deliveries/replay-failed', headers: auth(), payload: { since: '2000-01-01' } });
    assert.equal(res.statusCode, 202, res.body);
    assert.deepEqual(res.json(), { replayed: ['dlv_F1'], skipped_disabled: 1 });
    assert.equal(server.wakes, 1);
    const rows = await db.selectFrom('webhook_deliveries').select(['id', 'status']).orderBy('id').execute();
    assert.deepEqual(rows, [
      { id: 'dlv_F1', status: 'pending' },
      { id: 'dlv_F2', status: 'failed' },
      { id: 'dlv_OK', status: 'delivered' },
    ]);
  });

  test('disable takes an optional reason, shown beside the subscription', async () => {
    const db = getDb();
    await seedEmail(db, { id: 'em_1', action: 'ticket' });
    await seedDelivery(db, { id: 'dlv_1', emailId: 'em_1', status: 'delivered' });
    const { app } = testServer(db);
    const plain = await app.inject({ method: 'POST', url: '/v1/subscriptions/sub_TEST/disable', headers: auth() });
    assert.equal(plain.statusCode, 200, plain.body);
    assert.equal(plain.json().disabled_reason, 'disabled through the API');
    const withReason = await app.inject({ method: 'POST', url: '/v1/subscriptions/sub_TEST/disable', headers: auth(), payload: { reason: 'Zendesk migration' } });
    assert.equal(withReason.json().disabled_reason, 'disabled through the API: Zendesk migration');
    assert.equal((await app.inject({ method: 'POST', url: '/v1/subscriptions/sub_TEST/disable', headers: auth(), payload: { why: 'x' } })).statusCode, 400);
  });

  test('stats: decisions per day by action, model latency and tokens, attempts, outbox; empty days are zeros', async () => {
    const db = getDb();
    // The test clock reads 2026-11-23T12:00Z.
    await seedEmail(db, { id: 'em_1', action: 'ticket', decidedAt: '2026-11-23T08:00:00Z' });
    await seedEmail(db, { id: 'em_2', action: 'ticket', decidedAt: '2026-11-23T09:00:00Z' });
    await seedEmail(db, { id: 'em_3', action: 'ignore', decidedAt: '2026-11-21T09:00:00Z' });
    await seedEmail(db, { id: 'em_4', action: 'review', decidedAt: '2026-10-01T09:00:00Z' });
    await sql`update classifications set created_at = '2026-11-23T08:00:00Z'`.execute(db);
    await sql`update classifications set latency_ms = 100 where email_id = 'em_1'`.execute(db);
    await seedDelivery(db, { id: 'dlv_1', emailId: 'em_1', status: 'delivered' });
    await seedDelivery(db, { id: 'dlv_2', emailId: 'em_2', status: 'failed' });
    await seedDelivery(db, { id: 'dlv_3', emailId: 'em_3', status: 'pending', nextAttemptAt: '2026-11-23T11:00:00Z' });
    await sql`update webhook_attempts set started_at = '2026-11-22T10:00:00Z'`.execute(db);
    const { app } = testServer(db);
    const res = await app.inject({ url: '/v1/stats?days=3', headers: auth() });
    assert.equal(res.statusCode, 200, res.body);
    const stats = res.json();
    assert.deepEqual(
      stats.days.map((d: { day: string }) => d.day),
      ['2026-11-21', '2026-11-22', '2026-11-23'],
    );
    const [d21, d22, d23] = stats.days;
    assert.deepEqual(d21.decisions, { ticket: 0, draft: 0, review: 0, ignore: 1 });
    assert.deepEqual(d22.decisions, { ticket: 0, draft: 0, review: 0, ignore: 0 });
    assert.deepEqual(d23.decisions, { ticket: 2, draft: 0, review: 0, ignore: 0 });
    assert.equal(d23.model_calls, 4);
    assert.equal(d23.model_latency_ms.mean, Math.round((100 + 900 * 3) / 4));
    assert.equal(d23.prompt_tokens, 2000);
    assert.equal(d23.completion_tokens, 240);
    assert.equal(d22.attempts_ok, 1);
    assert.equal(d22.attempts_failed, 1);
    assert.deepEqual(stats.outbox, { depth: 1, failed: 1, oldest_due_age_seconds: 3600 });
    assert.equal((await app.inject({ url: '/v1/stats' })).statusCode, 401);
  });
});
