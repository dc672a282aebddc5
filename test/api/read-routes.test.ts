import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { sql } from 'kysely';
import { storeMessage } from '../../src/ingest/index.js';
import { buildTicketSuggestedEvent } from '../../src/webhooks/index.js';
import { signRawEmailToken } from '../../src/webhooks/raw-email-link.js';
import { describeEachDatabase, truncateAll } from '../support/databases.js';
import { makeEml } from '../support/make-eml.js';
import { ticketInput } from '../webhooks/fixtures.js';
import { apiConfig, auth, OTHER_TOKEN, readyReport, seedDelivery, seedEmail, TOKEN, testServer } from './fixtures.js';

/** The parts of an OpenAPI operation these tests read. */
interface OpenApiOperation {
  responses: Record<string, unknown>;
  parameters?: Array<{ in: string; name: string }>;
  security?: unknown;
}

describeEachDatabase('HTTP API: probes, auth, decisions, emails', (getDb) => {
  beforeEach(async () => {
    await truncateAll(getDb());
  });

  test('/health answers without a token', async () => {
    const { app } = testServer(getDb());
    const res = await app.inject({ method: 'GET', url: '/health' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { status: 'ok' });
  });

  test('/ready is 200 or 503 by the report, and shows error text only to a token holder', async () => {
    let report = readyReport;
    const { app } = testServer(getDb(), { readiness: () => report });
    assert.equal((await app.inject({ url: '/ready' })).statusCode, 200);
    report = {
      ready: false,
      database: { ok: true, error: null },
      mailboxes: [
        {
          name: 'support',
          ok: false,
          state: 'reconnecting',
          since: '2026-11-23T11:59:00.000Z',
          folder: 'INBOX.Support',
          idle: 'poll',
          trying_for_seconds: 60,
          error: 'connect ECONNREFUSED imap.internal:993',
        },
      ],
      llm: { ok: true, kind: 'openai', checked_at: '2026-11-23T11:59:30.000Z', error: null },
    };
    const anonymous = await app.inject({ url: '/ready' });
    assert.equal(anonymous.statusCode, 503);
    assert.equal(anonymous.json().mailboxes[0].trying_for_seconds, 60);
    assert.equal(anonymous.json().mailboxes[0].folder, 'INBOX.Support');
    assert.equal(anonymous.json().mailboxes[0].idle, 'poll');
    assert.equal(anonymous.json().mailboxes[0].error, null);
    assert.doesNotMatch(anonymous.body, /imap\.internal/);
    const withToken = await app.inject({ url: '/ready', headers: auth() });
    assert.equal(withToken.statusCode, 503);
    assert.equal(withToken.json().mailboxes[0].error, 'connect ECONNREFUSED imap.internal:993');
  });

  test('/metrics needs a token once tokens exist, and reports the outbox from the database', async () => {
    const db = getDb();
    await seedEmail(db, { id: 'em_A', action: 'ticket' });
    await seedEmail(db, { id: 'em_B', action: 'ticket' });
    await seedEmail(db, { id: 'em_C', action: null });
    // Clock is 12:00:00: one delivery due since 11:00 (overdue 3600 s), one due in the future, one failed.
    await seedDelivery(db, { id: 'dlv_1', emailId: 'em_A', status: 'pending', nextAttemptAt: '2026-11-23T11:00:00Z' });
    await seedDelivery(db, { id: 'dlv_2', emailId: 'em_B', status: 'pending', nextAttemptAt: '2026-11-23T13:00:00Z' });
    await seedDelivery(db, { id: 'dlv_3', emailId: 'em_B', subscriptionId: 'sub_OTHER', status: 'failed' });
    const { app, metrics } = testServer(db);
    metrics.decisions.inc({ action: 'ticket' }, 2);
    assert.equal((await app.inject({ url: '/metrics' })).statusCode, 401);
    assert.equal((await app.inject({ url: '/metrics', headers: auth('wrong-token-0123456789abc') })).statusCode, 401);
    const res = await app.inject({ url: '/metrics', headers: auth() });
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /^text\/plain/);
    assert.match(res.body, /^mailroom_outbox_depth 2$/m);
    assert.match(res.body, /^mailroom_outbox_oldest_due_age_seconds 3600$/m);
    assert.match(res.body, /^mailroom_webhook_deliveries\{subscription_id="sub_TEST",status="pending"\} 2$/m);
    assert.match(res.body, /^mailroom_webhook_deliveries\{subscription_id="sub_OTHER",status="failed"\} 1$/m);
    assert.match(res.body, /^mailroom_messages\{status="pending"\} 1$/m);
    assert.match(res.body, /^mailroom_decisions_total\{action="ticket"\} 2$/m);
    assert.match(res.body, /^mailroom_metrics_database_up 1$/m);
  });

  test('each scrape reads the database afresh', async () => {
    const db = getDb();
    await seedEmail(db, { id: 'em_S1', action: 'ticket' });
    const { app } = testServer(db);
    const scrape = async () => (await app.inject({ url: '/metrics', headers: auth() })).body;
    assert.match(await scrape(), /^mailroom_outbox_depth 0$/m);
    await seedDelivery(db, { id: 'dlv_S1', emailId: 'em_S1', status: 'pending' });
    assert.match(await scrape(), /^mailroom_outbox_depth 1$/m, 'the second scrape right after the first sees the new row');
  });

  test('/metrics is open on a listener without tokens; /v1 is closed and says how to open it', async () => {
    const { app } = testServer(getDb(), { config: apiConfig({ api: { tokens: [] } }) });
    assert.equal((await app.inject({ url: '/metrics' })).statusCode, 200);
    for (const url of ['/v1/decisions', '/v1/emails/em_X', '/v1/subscriptions', '/v1/deliveries']) {
      const res = await app.inject({ url, headers: auth() });
      assert.equal(res.statusCode, 401, url);
      assert.match(res.json().message, /api\.tokens/);
      assert.equal(res.json().code, 'API_TOKENS_NOT_CONFIGURED');
    }
  });

  test('/v1 refuses a missing, malformed, wrong or truncated token and accepts each configured one', async () => {
    const { app } = testServer(getDb());
    const cases: Array<[Record<string, string>, number]> = [
      [{}, 401],
      [{ authorization: TOKEN }, 401],
      [{ authorization: `Basic ${TOKEN}` }, 401],
      [auth('x'.repeat(TOKEN.length)), 401],
      [auth(TOKEN.slice(0, -1)), 401],
      [auth(`${TOKEN}x`), 401],
      [auth(TOKEN), 200],
      [auth(OTHER_TOKEN), 200],
      [{ authorization: `bearer   ${TOKEN}` }, 200],
    ];
    for (const [headers, status] of cases) {
      const res = await app.inject({ url: '/v1/decisions', headers });
      assert.equal(res.statusCode, status, JSON.stringify(headers));
      if (status === 401) assert.equal(res.headers['www-authenticate'], 'Bearer');
    }
    assert.equal((await app.inject({ url: '/v1/nothing-here' })).statusCode, 404);
  });

  test('cursor pagination walks every decision exactly once, newest first, even with equal and same-millisecond times', async () => {
    const db = getDb();
    const times = [
      '2026-11-23T10:00:00.000000Z',
      '2026-11-23T10:00:00.000000Z',
      '2026-11-23T10:00:00.000000Z',
      '2026-11-23T10:00:00.000100Z',
      '2026-11-23T10:00:00.000200Z',
      '2026-11-23T10:00:00.000900Z',
      '2026-11-23T10:00:01Z',
      '2026-11-23T10:00:02Z',
      '2026-11-23T10:00:02Z',
      '2026-11-23T10:00:03Z',
      '2026-11-23T10:00:04Z',
      '2026-11-23T10:00:05Z',
      '2026-11-23T10:00:05.000001Z',
    ];
    for (const [i, decidedAt] of times.entries()) await seedEmail(db, { id: `em_${String(i).padStart(2, '0')}`, action: 'ticket', decidedAt });
    const { app } = testServer(db);
    for (const limit of [1, 2, 5, 13, 50]) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const url: string = `/v1/decisions?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const res = await app.inject({ url, headers: auth() });
        assert.equal(res.statusCode, 200, res.body);
        const body = res.json() as { data: Array<{ email_id: string }>; next_cursor: string | null };
        assert.ok(body.data.length <= limit);
        seen.push(...body.data.map((d) => d.email_id));
        cursor = body.next_cursor;
        assert.ok(++pages <= times.length + 1, 'pagination does not end');
      } while (cursor);
      assert.equal(new Set(seen).size, times.length, `limit ${limit}: ${seen.join(',')}`);
      assert.equal(seen.length, times.length, `limit ${limit}: duplicates in ${seen.join(',')}`);
      assert.equal(pages, Math.max(1, Math.ceil(times.length / limit)), `limit ${limit}: no empty trailing page`);
      const { rows } = await sql<{ email_id: string }>`select email_id from decisions order by created_at desc, id desc`.execute(db);
      assert.deepEqual(
        seen,
        rows.map((r) => r.email_id),
      );
    }
  });

  test('a page that ends as new decisions arrive still continues after its last row', async () => {
    const db = getDb();
    for (let i = 0; i < 4; i++) await seedEmail(db, { id: `em_old${i}`, action: 'ignore', decidedAt: `2026-11-23T10:00:0${i}Z` });
    const { app } = testServer(db);
    const first = (await app.inject({ url: '/v1/decisions?limit=2', headers: auth() })).json();
    await seedEmail(db, { id: 'em_new', action: 'ticket', decidedAt: '2026-11-23T11:00:00Z' });
    const second = (await app.inject({ url: `/v1/decisions?limit=2&cursor=${first.next_cursor}`, headers: auth() })).json();
    assert.deepEqual(
      first.data.map((d: { email_id: string }) => d.email_id),
      ['em_old3', 'em_old2'],
    );
    assert.deepEqual(
      second.data.map((d: { email_id: string }) => d.email_id),
      ['em_old1', 'em_old0'],
    );
    assert.equal(second.next_cursor, null);
  });

  test('filters: action, mailbox, since (duration and date), combined with pagination', async () => {
    const db = getDb();
    await seedEmail(db, { id: 'em_t1', action: 'ticket', mailbox: 'support', decidedAt: '2026-11-23T11:30:00Z' });
    await seedEmail(db, { id: 'em_t2', action: 'ticket', mailbox: 'sales', decidedAt: '2026-11-23T09:00:00Z' });
    await seedEmail(db, { id: 'em_d1', action: 'draft', mailbox: 'support', decidedAt: '2026-11-23T11:45:00Z' });
    await seedEmail(db, { id: 'em_i1', action: 'ignore', mailbox: 'support', decidedAt: '2026-11-20T11:45:00Z' });
    const { app } = testServer(db);
    const ids = async (query: string) => {
      const res = await app.inject({ url: `/v1/decisions?${query}`, headers: auth() });
      assert.equal(res.statusCode, 200, res.body);
      return res.json().data.map((d: { email_id: string }) => d.email_id);
    };
    assert.deepEqual(await ids('action=ticket'), ['em_t1', 'em_t2']);
    assert.deepEqual(await ids('mailbox=support'), ['em_d1', 'em_t1', 'em_i1']);
    assert.deepEqual(await ids('since=1h'), ['em_d1', 'em_t1']);
    assert.deepEqual(await ids('since=2026-11-23T00:00:00Z'), ['em_d1', 'em_t1', 'em_t2']);
    assert.deepEqual(await ids('action=ticket&mailbox=support&since=1d'), ['em_t1']);
    const page = (await app.inject({ url: '/v1/decisions?mailbox=support&limit=2', headers: auth() })).json();
    assert.deepEqual(await ids(`mailbox=support&limit=2&cursor=${page.next_cursor}`), ['em_i1']);
    const item = (await app.inject({ url: '/v1/decisions?action=draft', headers: auth() })).json().data[0];
    assert.equal(item.summary, 'Summary of em_d1');
    assert.equal(item.classifier.model, 'gpt-4o-mini');
    assert.deepEqual(item.flags, { payment: false, legal: false, vip: false });
    assert.equal(item.decided_at, '2026-11-23T11:45:00.000Z');
  });

  test('bad query values are refused with a 400 that names the problem', async () => {
    const { app } = testServer(getDb());
    for (const query of ['action=delete', 'limit=0', 'limit=501', 'since=yesterday', 'cursor=bm90LWEtY3Vyc29y', 'unknown=1&limit=x']) {
      const res = await app.inject({ url: `/v1/decisions?${query}`, headers: auth() });
      assert.equal(res.statusCode, 400, query);
      assert.ok(res.json().message.length > 0);
    }
  });

  test('/v1/emails/:id: metadata, classification, decision, deliveries and a signed raw link', async () => {
    const db = getDb();
    await seedEmail(db, { id: 'em_FULL', action: 'ticket', subject: 'Non funziona il login' });
    await seedDelivery(db, { id: 'dlv_F1', emailId: 'em_FULL', status: 'delivered' });
    await seedEmail(db, { id: 'em_PENDING', action: null });
    const { app } = testServer(db);
    const res = await app.inject({ url: '/v1/emails/em_FULL', headers: auth() });
    assert.equal(res.statusCode, 200, res.body);
    const email = res.json();
    assert.equal(email.subject, 'Non funziona il login');
    assert.equal(email.from, 'cliente@azienda.com');
    assert.equal(email.status, 'decided');
    assert.equal(email.raw_available, true);
    assert.equal(email.classification.output.summary, 'Summary of em_FULL');
    assert.equal(email.classification.prompt_tokens, 500);
    assert.equal(email.decision.action, 'ticket');
    assert.equal(email.decision.reasons[0].code, 'confident_support');
    assert.equal(email.deliveries.length, 1);
    assert.equal(email.deliveries[0].webhook_id, 'msg_FULL');
    assert.equal(email.deliveries[0].status, 'delivered');
    assert.match(email.raw_email_url, /^https:\/\/mailroom\.example\.com\/v1\/emails\/em_FULL\/raw\?token=\d+\.[A-Za-z0-9_-]{43}$/);
    assert.equal('raw' in email, false);

    const pending = (await app.inject({ url: '/v1/emails/em_PENDING', headers: auth() })).json();
    assert.equal(pending.decision, null);
    assert.equal(pending.classification, null);
    assert.deepEqual(pending.deliveries, []);

    const missing = await app.inject({ url: '/v1/emails/em_NOPE', headers: auth() });
    assert.equal(missing.statusCode, 404);
    assert.match(missing.json().message, /em_NOPE/);
  });

  test('raw link: valid, expired, tampered, for another email, missing; a bearer token also works', async () => {
    const db = getDb();
    const raw = Buffer.from('Message-ID: <raw@example.com>\r\nSubject: =?UTF-8?Q?Ciao?=\r\n\r\nBody \xe9\r\n', 'latin1');
    await seedEmail(db, { id: 'em_RAW', action: 'ticket', raw });
    await seedEmail(db, { id: 'em_BIG', action: 'review', raw: null });
    const { app, clock } = testServer(db);
    const url = (await app.inject({ url: '/v1/emails/em_RAW', headers: auth() })).json().raw_email_url as string;
    const path = new URL(url).pathname + new URL(url).search;

    const ok = await app.inject({ url: path });
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.headers['content-type'], 'message/rfc822');
    assert.equal(ok.headers['cache-control'], 'private, no-store');
    assert.deepEqual(ok.rawPayload, raw);

    const token = new URL(url).searchParams.get('token')!;
    const [expiry, mac] = token.split('.') as [string, string];
    const flipped = mac.slice(0, 10) + (mac[10] === 'A' ? 'B' : 'A') + mac.slice(11);
    for (const [bad, why] of [
      [`${expiry}.${flipped}`, 'signature changed'],
      [`${Number(expiry) + 86_400}.${mac}`, 'expiry extended'],
      [`${expiry}.${mac.slice(0, -2)}`, 'cut off'],
      ['not-a-token', 'not a token'],
    ] as const) {
      const res = await app.inject({ url: `/v1/emails/em_RAW/raw?token=${encodeURIComponent(bad)}` });
      assert.equal(res.statusCode, 403, why);
      assert.equal(res.json().code, 'LINK_INVALID', why);
    }
    const otherEmail = await app.inject({ url: `/v1/emails/em_BIG/raw?token=${token}` });
    assert.equal(otherEmail.statusCode, 403, 'a token is bound to its email');

    assert.equal((await app.inject({ url: '/v1/emails/em_RAW/raw' })).statusCode, 401);
    const bearer = await app.inject({ url: '/v1/emails/em_RAW/raw', headers: auth() });
    assert.equal(bearer.statusCode, 200);
    assert.deepEqual(bearer.rawPayload, raw);

    clock.advance(7 * 86_400_000 + 1000);
    const expired = await app.inject({ url: path });
    assert.equal(expired.statusCode, 403);
    assert.equal(expired.json().code, 'LINK_EXPIRED');
    assert.match(expired.json().message, /expired/);

    const bigToken = signRawEmailToken(apiConfig(), 'em_BIG', new Date(clock.now().getTime() + 60_000));
    const big = await app.inject({ url: `/v1/emails/em_BIG/raw?token=${bigToken}` });
    assert.equal(big.statusCode, 410);
    assert.match(big.json().message, /max_message_bytes/);
    const bigEmail = (await app.inject({ url: '/v1/emails/em_BIG', headers: auth() })).json();
    assert.equal(bigEmail.raw_available, false);
    assert.equal(bigEmail.raw_email_url, null);
  });

  test('without api.public_url an email carries no raw link', async () => {
    const db = getDb();
    await seedEmail(db, { id: 'em_NOURL', action: 'ticket' });
    const { app } = testServer(db, { config: apiConfig({ api: { public_url: undefined } }) });
    assert.equal((await app.inject({ url: '/v1/emails/em_NOURL', headers: auth() })).json().raw_email_url, null);
  });

  test('/v1/emails/{id} lists the sightings of an email, and /v1/messages the mail not decided yet with its reason', async () => {
    const db = getDb();
    const raw = makeEml({ messageId: '<seen.twice@azienda.example>' });
    const first = await storeMessage(db, { mailbox: 'support', source: 'imap', raw, sizeBytes: raw.length, imap: { uidvalidity: 1, uid: 4 } }, { maxCleanChars: 6000, now: new Date() });
    const copy = Buffer.concat([Buffer.from('Delivered-To: sales@mailroom.example\r\n'), raw]);
    await storeMessage(db, { mailbox: 'sales', source: 'imap', raw: copy, sizeBytes: copy.length, imap: { uidvalidity: 1, uid: 9 } }, { maxCleanChars: 6000, now: new Date() });
    await db.updateTable('messages').set({ waiting_for: 'model', last_error: 'classification postponed: model down' }).where('id', '=', first.id).execute();
    const { app } = testServer(db);
    const email = await app.inject({ url: `/v1/emails/${first.id}`, headers: auth() });
    assert.equal(email.statusCode, 200);
    assert.deepEqual(
      email.json().sightings.map((s: { mailbox: string; imap_uid: number; size_bytes: number }) => [s.mailbox, s.imap_uid, s.size_bytes]),
      [['sales', 9, copy.length]],
    );
    assert.equal((await app.inject({ url: '/v1/messages' })).statusCode, 401);
    const waiting = await app.inject({ url: '/v1/messages?status=pending', headers: auth() });
    assert.equal(waiting.statusCode, 200);
    assert.deepEqual(
      waiting.json().data.map((m: { email_id: string; waiting_for: string }) => [m.email_id, m.waiting_for]),
      [[first.id, 'model']],
    );
    assert.match(waiting.json().data[0].reason, /^waiting for the AI model/);
    assert.equal((await app.inject({ url: '/v1/messages?status=stuck', headers: auth() })).statusCode, 400);
  });

  test('/openapi.json describes every route with its parameters, responses and security', async () => {
    const { app } = testServer(getDb());
    const res = await app.inject({ url: '/openapi.json' });
    assert.equal(res.statusCode, 200);
    const doc = res.json();
    assert.equal(doc.openapi, '3.1.0');
    const operations = Object.entries(doc.paths as Record<string, Record<string, OpenApiOperation>>).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    const expected = [
      'GET /health',
      'GET /ready',
      'GET /metrics',
      'GET /openapi.json',
      'GET /v1/decisions',
      'GET /v1/emails/{id}',
      'GET /v1/emails/{id}/raw',
      'GET /v1/messages',
      'POST /v1/emails/{id}/corrections',
      'GET /v1/corrections',
      'GET /v1/subscriptions',
      'POST /v1/subscriptions',
      'GET /v1/subscriptions/{id}',
      'DELETE /v1/subscriptions/{id}',
      'POST /v1/subscriptions/{id}/enable',
      'POST /v1/subscriptions/{id}/disable',
      'POST /v1/subscriptions/{id}/rotate-secret',
      'POST /v1/subscriptions/{id}/test',
      'GET /v1/deliveries',
      'GET /v1/deliveries/{id}',
      'POST /v1/deliveries/{id}/replay',
      'POST /v1/deliveries/replay-failed',
      'GET /v1/stats',
    ];
    assert.deepEqual([...operations].sort(), [...expected].sort());
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, OpenApiOperation>>)) {
      for (const [method, op] of Object.entries(ops)) {
        assert.ok(
          Object.keys(op.responses).some((code) => code.startsWith('2')),
          `${method} ${path} has a success response`,
        );
        assert.ok(op.responses['500'], `${method} ${path} documents 500`);
        for (const name of path.match(/\{(\w+)\}/g) ?? []) {
          assert.ok(
            (op.parameters ?? []).some((p) => p.in === 'path' && `{${p.name}}` === name),
            `${method} ${path} declares ${name}`,
          );
        }
      }
    }
    const decisions = (doc.paths as Record<string, Record<string, OpenApiOperation>>)['/v1/decisions']!.get!;
    assert.deepEqual((decisions.parameters ?? []).map((p) => p.name).sort(), ['action', 'cursor', 'flag', 'intent', 'limit', 'mailbox', 'q', 'since', 'until']);
    assert.deepEqual(decisions.security, [{ bearerAuth: [] }]);
    assert.deepEqual(doc.paths['/health'].get.security, []);
    assert.ok(doc.paths['/v1/emails/{id}/raw'].get.responses['200'].content['message/rfc822']);
    assert.ok(doc.paths['/v1/subscriptions'].post.requestBody.content['application/json'].schema.properties.url);
  });

  test('/openapi.json describes the events a receiver gets: ticket.suggested and ping, with the signature headers', async () => {
    const { app } = testServer(getDb());
    const doc = (await app.inject({ url: '/openapi.json' })).json();
    assert.deepEqual(Object.keys(doc.webhooks).sort(), ['ping', 'ticket.retracted', 'ticket.suggested']);
    const post = doc.webhooks['ticket.suggested'].post;
    assert.deepEqual(
      post.parameters.map((p: { name: string }) => p.name),
      ['webhook-id', 'webhook-timestamp', 'webhook-signature'],
    );
    // The schema and the body Mailroom really sends name the same fields with the same JSON types.
    const schema = post.requestBody.content['application/json'].schema;
    const pii = { found: { email: 1 }, view: null, mapping: [] };
    const correction = { corrected_by: 'alice', corrected_at: new Date().toISOString(), note: null };
    const event = buildTicketSuggestedEvent({ ...ticketInput(), rawEmailUrl: 'https://mailroom.example/v1/emails/em_1/raw?token=t', pii, correction }, new Date()).body;
    assert.deepEqual(Object.keys(event.data).sort(), Object.keys(schema.properties.data.properties).sort());
    assert.deepEqual(
      [...schema.properties.data.required].sort(),
      Object.keys(event.data)
        .filter((k) => k !== 'raw_email_url' && k !== 'pii' && k !== 'correction')
        .sort(),
    );
    for (const [key, value] of Object.entries(event.data)) {
      const type = schema.properties.data.properties[key].type as string | string[] | undefined;
      const jsonType = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value === 'number' ? 'number' : typeof value;
      if (type) assert.ok([type].flat().includes(jsonType), `${key}: ${jsonType} is allowed by ${JSON.stringify(type)}`);
    }
  });

  test('no route changes a decision: every read and webhook-management route leaves decisions and messages as they were', async () => {
    const db = getDb();
    await seedEmail(db, { id: 'em_KEEP', action: 'ticket' });
    await seedDelivery(db, { id: 'dlv_K', emailId: 'em_KEEP', status: 'failed' });
    const snapshot = async () => JSON.stringify((await sql`select d.*, m.status, m.updated_at from decisions d join messages m on m.id = d.email_id order by d.id`.execute(db)).rows);
    const before = await snapshot();
    const { app } = testServer(db);
    const doc = (await app.inject({ url: '/openapi.json' })).json();
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(ops)) {
        const url = path.replace('{id}', path.includes('subscriptions') ? 'sub_TEST' : path.includes('deliveries') ? 'dlv_K' : 'em_KEEP');
        const res = await app.inject({
          method: method.toUpperCase() as 'GET',
          url,
          headers: auth(),
          ...(method === 'post' && path === '/v1/subscriptions' ? { payload: { url: 'http://127.0.0.1:9/x' } } : {}),
        });
        assert.ok(res.statusCode < 500, `${method} ${url}: ${res.statusCode} ${res.body}`);
      }
    }
    assert.equal(await snapshot(), before);
  });
});
