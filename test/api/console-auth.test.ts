import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { readCapabilities } from '../../src/api/console/console-app.js';
import { describeEachDatabase, truncateAll } from '../support/databases.js';
import { apiConfig, seedDelivery, seedEmail, TOKEN, testServer } from './fixtures.js';

type Inject = Awaited<ReturnType<FastifyInstance['inject']>>;

function cookieFrom(res: Inject, name: string): { value: string; attributes: string } | null {
  const header = res.headers['set-cookie'];
  const all = Array.isArray(header) ? header : header ? [header] : [];
  const line = all.find((c) => c.startsWith(`${name}=`));
  if (!line) return null;
  const [pair, ...attributes] = line.split('; ');
  return { value: decodeURIComponent(pair!.slice(name.length + 1)), attributes: attributes.join('; ') };
}

const csrfIn = (body: string) => /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? null;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const form = (fields: Record<string, string>) => ({ headers: FORM, payload: new URLSearchParams(fields).toString() });

/** Signs in through the form as a browser would; returns the session cookie header and the CSRF token. */
async function signIn(app: FastifyInstance, token = TOKEN): Promise<{ cookie: string; csrf: string; res: Inject }> {
  const page = await app.inject({ url: '/login' });
  assert.equal(page.statusCode, 200, page.body);
  const login = cookieFrom(page, 'mailroom_login')!;
  const { payload } = form({ token, _csrf: csrfIn(page.body)!, next: '/decisions' });
  const res = await app.inject({ method: 'POST', url: '/login', headers: { ...FORM, cookie: `mailroom_login=${login.value}` }, payload });
  const session = cookieFrom(res, 'mailroom_session');
  const cookie = session?.value ? `mailroom_session=${session.value}` : '';
  const csrf = cookie ? csrfIn((await app.inject({ url: '/decisions', headers: { cookie } })).body) : null;
  return { cookie, csrf: csrf ?? '', res };
}

describeEachDatabase('Console: sign-in, sessions, CSRF and the API authorization', (getDb) => {
  beforeEach(async () => {
    await truncateAll(getDb());
  });

  test('sign-in exchanges a token for an HttpOnly, SameSite=Strict session cookie (Secure for an https public_url); a wrong token is refused', async () => {
    const { app } = testServer(getDb());
    const wrong = await signIn(app, 'not-the-token-0123456789');
    assert.equal(wrong.res.statusCode, 401);
    assert.equal(wrong.cookie, '');
    assert.match(wrong.res.body, /not one of api.tokens/);
    const { res, cookie } = await signIn(app);
    assert.equal(res.statusCode, 303);
    assert.equal(res.headers.location, '/decisions');
    const session = cookieFrom(res, 'mailroom_session')!;
    assert.match(session.attributes, /HttpOnly/);
    assert.match(session.attributes, /SameSite=Strict/);
    assert.match(session.attributes, /Secure/, 'api.public_url is https in the fixture');
    assert.doesNotMatch(session.value, new RegExp(TOKEN), 'the cookie is not the token');
    assert.equal((await app.inject({ url: '/', headers: { cookie } })).statusCode, 200);

    const plain = testServer(getDb(), { config: apiConfig({ api: { public_url: undefined } }) });
    const overHttp = cookieFrom((await signIn(plain.app)).res, 'mailroom_session')!;
    assert.doesNotMatch(overHttp.attributes, /Secure/, 'plain http without an https public_url');
  });

  test('ten wrong tokens from one address pause its sign-ins for ten minutes, the right token included', async () => {
    const { app, clock } = testServer(getDb());
    for (let i = 0; i < 10; i++) assert.equal((await signIn(app, `wrong-token-number-${i}-0123456789`)).res.statusCode, 401);
    const paused = await signIn(app);
    assert.equal(paused.res.statusCode, 429);
    assert.equal(paused.cookie, '');
    assert.match(paused.res.body, /Too many wrong tokens from this address: try again in 10 min/);
    clock.advance(10 * 60_000);
    assert.equal((await signIn(app)).res.statusCode, 303);
  });

  test('a sign-in without the form token is refused, and `next` cannot lead off the site', async () => {
    const { app } = testServer(getDb());
    const res = await app.inject({ method: 'POST', url: '/login', ...form({ token: TOKEN, _csrf: 'x' }) });
    assert.equal(res.statusCode, 403);
    assert.equal(cookieFrom(res, 'mailroom_session'), null);
    const page = await app.inject({ url: '/login?next=//evil.example/x' });
    assert.match(page.body, /name="next" value="\/"/);
  });

  test('a change without the CSRF token is refused and changes nothing', async () => {
    const db = getDb();
    await seedEmail(db, { id: 'em_1', action: 'ticket' });
    await seedDelivery(db, { id: 'dlv_1', emailId: 'em_1', status: 'failed' });
    const { app } = testServer(db);
    const { cookie, csrf } = await signIn(app);
    assert.ok(csrf);
    for (const fields of [{}, { _csrf: 'forged-0123456789' }] as Array<Record<string, string>>) {
      const res = await app.inject({ method: 'POST', url: '/deliveries/dlv_1/replay', headers: { ...FORM, cookie }, payload: form(fields).payload });
      assert.equal(res.statusCode, 403);
      assert.match(res.body, /Nothing was changed/);
    }
    assert.equal((await db.selectFrom('webhook_deliveries').select('status').where('id', '=', 'dlv_1').executeTakeFirstOrThrow()).status, 'failed');
    const ok = await app.inject({ method: 'POST', url: '/deliveries/dlv_1/replay', headers: { ...FORM, cookie }, payload: form({ _csrf: csrf }).payload });
    assert.equal(ok.statusCode, 303);
    assert.equal((await db.selectFrom('webhook_deliveries').select('status').where('id', '=', 'dlv_1').executeTakeFirstOrThrow()).status, 'pending');
  });

  test('sessions expire when idle and after their lifetime; sign-out ends one at once', async () => {
    const { app, clock } = testServer(getDb());
    const first = await signIn(app);
    clock.advance(59 * 60_000);
    assert.equal((await app.inject({ url: '/', headers: { cookie: first.cookie } })).statusCode, 200, 'used within the idle timeout');
    clock.advance(61 * 60_000);
    const idle = await app.inject({ url: '/', headers: { cookie: first.cookie } });
    assert.equal(idle.statusCode, 303);
    assert.match(String(idle.headers.location), /^\/login/);

    const second = await signIn(app);
    // Used every 55 minutes, never idle for an hour: it still ends 12 hours after sign-in.
    for (let minutes = 55; minutes <= 770; minutes += 55) {
      clock.advance(55 * 60_000);
      const res = await app.inject({ url: '/', headers: { cookie: second.cookie } });
      assert.equal(res.statusCode, minutes < 12 * 60 ? 200 : 303, `after ${minutes} min`);
    }

    const third = await signIn(app);
    const out = await app.inject({ method: 'POST', url: '/logout', headers: { ...FORM, cookie: third.cookie }, payload: form({ _csrf: third.csrf }).payload });
    assert.equal(out.statusCode, 303);
    assert.equal(cookieFrom(out, 'mailroom_session')?.value, '');
    assert.equal((await app.inject({ url: '/', headers: { cookie: third.cookie } })).statusCode, 303);
  });

  test('with no api.tokens the console is closed like /v1', async () => {
    const { app } = testServer(getDb(), { config: apiConfig({ api: { tokens: [] } }) });
    for (const url of ['/', '/login', '/decisions']) {
      const res = await app.inject({ url });
      assert.equal(res.statusCode, 401, url);
      assert.match(res.body, /no tokens configured/);
    }
    const res = await app.inject({ method: 'POST', url: '/login', ...form({ token: 'anything-at-all-0123456789' }) });
    assert.equal(res.statusCode, 401);
    assert.equal(cookieFrom(res, 'mailroom_session'), null);
  });

  test('no console route answers without a session except sign-in and the static assets, and none shows data', async () => {
    const db = getDb();
    await seedEmail(db, { id: 'em_S', action: 'ticket', subject: 'Confidential subject line' });
    await seedDelivery(db, { id: 'dlv_S', emailId: 'em_S', status: 'failed' });
    const { app } = testServer(db);
    const routes: Array<{ method: string; url: string }> = [];
    app.addHook('onRoute', (r) => {
      if (!r.config?.console) return;
      for (const method of [r.method].flat()) if (method !== 'HEAD') routes.push({ method, url: r.url });
    });
    await app.ready();
    assert.ok(routes.length >= 15, `found ${routes.length} console routes`);
    const open = new Set(['GET /login', 'POST /login']);
    for (const route of routes) {
      const url = route.url.replace(':id', route.url.startsWith('/emails') ? 'em_S' : route.url.startsWith('/deliveries') ? 'dlv_S' : 'sub_TEST');
      const res = await app.inject({ method: route.method as 'GET', url, ...(route.method === 'POST' ? form({ _csrf: 'x', token: 'x' }) : {}) });
      assert.doesNotMatch(res.body, /Confidential subject line|dlv_S|sub_TEST|Body of em_S/, `${route.method} ${route.url} leaks data`);
      if (route.url.startsWith('/assets/')) {
        assert.equal(res.statusCode, 200);
        continue;
      }
      if (open.has(`${route.method} ${route.url}`)) continue;
      assert.equal(res.statusCode, 303, `${route.method} ${route.url} answers without a session`);
      assert.match(String(res.headers.location), /^\/login/);
    }
    // Every page reads through /v1 with the session's token: the raw message comes as the API sends it.
    const { cookie } = await signIn(app);
    const raw = await app.inject({ url: '/emails/em_S/raw', headers: { cookie } });
    assert.equal(raw.statusCode, 200);
    assert.match(raw.body, /Body of em_S/);
    assert.equal(raw.headers['content-type'], 'message/rfc822');
    // The console is not part of the API's contract.
    const doc = (await app.inject({ url: '/openapi.json' })).json();
    assert.deepEqual(
      Object.keys(doc.paths).filter((p) => !p.startsWith('/v1/') && !['/health', '/ready', '/metrics', '/openapi.json'].includes(p)),
      [],
    );
  });

  test('rotating a secret shows the new one once, with how long the old one keeps signing', async () => {
    const db = getDb();
    await seedEmail(db, { id: 'em_R', action: 'ticket' });
    await seedDelivery(db, { id: 'dlv_R', emailId: 'em_R', status: 'delivered' });
    const { app } = testServer(db);
    const { cookie, csrf } = await signIn(app);
    const res = await app.inject({ method: 'POST', url: '/subscriptions/sub_TEST/rotate-secret', headers: { ...FORM, cookie }, payload: form({ _csrf: csrf }).payload });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['cache-control'], 'no-store');
    const secret = /id="secret" class="secret" readonly value="(whsec_[^"]+)"/.exec(res.body)?.[1];
    assert.ok(secret, 'the new secret is on the page');
    assert.match(res.body, /The old secret keeps signing beside the new one until <time datetime="2026-11-24T12:00:00.000Z">/);
    const list = await app.inject({ url: '/subscriptions', headers: { cookie } });
    assert.ok(!list.body.includes(secret), 'and never again');
    assert.match(list.body, /rotated; old secret signs until/);
  });

  test('text from an email is shown as text, never as markup', async () => {
    const db = getDb();
    await seedEmail(db, { id: 'em_X', action: 'review', subject: '<script>alert(1)</script><img src=x onerror=alert(2)>' });
    const { app } = testServer(db);
    const { cookie } = await signIn(app);
    for (const url of ['/decisions', '/emails/em_X']) {
      const page = await app.inject({ url, headers: { cookie } });
      assert.equal(page.statusCode, 200);
      assert.doesNotMatch(page.body, /<script>alert|<img src=x/, url);
      assert.match(page.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/, url);
      assert.match(String(page.headers['content-security-policy']), /default-src 'none'; script-src 'self'/);
    }
  });

  test('correction buttons post to POST /v1/emails/{id}/corrections with the session token; the correction is stored under its name', async () => {
    const db = getDb();
    await seedEmail(db, { id: 'em_C', action: 'ticket' });
    const { app } = testServer(db);
    const { cookie, csrf } = await signIn(app);
    const page = await app.inject({ url: '/emails/em_C', headers: { cookie } });
    assert.match(page.body, /Correct this decision/);
    assert.match(page.body, /value="review"/);
    assert.doesNotMatch(page.body, /name="action" value="ticket"/, 'no button for the action it already has');
    const refused = await app.inject({ method: 'POST', url: '/emails/em_C/corrections', headers: { ...FORM, cookie }, payload: form({ action: 'review' }).payload });
    assert.equal(refused.statusCode, 403, 'no CSRF token, no correction');
    assert.equal((await db.selectFrom('corrections').select('id').execute()).length, 0);
    const res = await app.inject({
      method: 'POST',
      url: '/emails/em_C/corrections',
      headers: { ...FORM, cookie },
      payload: form({ _csrf: csrf, action: 'review', note: 'a refund, not a bug' }).payload,
    });
    assert.equal(res.statusCode, 303);
    const stored = await db.selectFrom('corrections').select(['email_id', 'to_action', 'note', 'via']).execute();
    assert.deepEqual(stored, [{ email_id: 'em_C', to_action: 'review', note: 'a refund, not a bug', via: 'api' }]);
    const after = await app.inject({ url: '/emails/em_C', headers: { cookie } });
    assert.match(after.body, /Corrected to review\./);
  });

  test("subscription event types are offered when the API's subscription body has an event-type field", () => {
    const doc = (properties: Record<string, { items?: { enum?: string[] } }>) => ({
      paths: { '/v1/subscriptions': { post: { requestBody: { content: { 'application/json': { schema: { properties } } } } } } },
    });
    assert.equal(readCapabilities(doc({ url: {} })).subscriptionEvents, null);
    assert.deepEqual(readCapabilities(doc({ url: {}, event_types: { items: { enum: ['ticket.suggested', 'ticket.retracted'] } } })).subscriptionEvents, {
      field: 'event_types',
      choices: ['ticket.suggested', 'ticket.retracted'],
    });
  });
});
