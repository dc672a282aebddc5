import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { configSchema } from '../../src/config/index.js';
import { auth, OTHER_TOKEN, testServer } from '../api/fixtures.js';
import { createPostgresDatabase, describeEachDatabase, postgresUnavailable, type TestDatabase, truncateAll } from '../support/databases.js';
import { runCli } from '../support/run-cli.js';
import { decidedEmail } from './fixtures.js';

const NAMED = 'named-token-0123456789abcdef';

describeEachDatabase('corrections through the API', (getDb) => {
  beforeEach(() => truncateAll(getDb()));

  const server = () =>
    testServer(getDb(), {
      config: configSchema.parse({ api: { tokens: [{ name: 'zendesk-bot', token: NAMED }, OTHER_TOKEN], link_secret: 'x'.repeat(32) }, webhooks: { secret_key: 'k'.repeat(32) } }),
    });

  test('POST records the correction under the token’s name; GET /v1/corrections, /v1/decisions and /v1/emails show it beside the decision', async () => {
    const id = await decidedEmail(getDb(), { action: 'draft' });
    const { app, clock } = server();
    const created = await app.inject({
      method: 'POST',
      url: `/v1/emails/${id}/corrections`,
      headers: auth(NAMED),
      payload: { action: 'review', intent: 'billing', flags: ['payment'], note: 'refund' },
    });
    assert.equal(created.statusCode, 201, created.body);
    const body = created.json();
    assert.equal(body.corrected_by, 'zendesk-bot');
    assert.equal(body.from_action, 'draft');
    assert.equal(body.to_action, 'review');
    assert.deepEqual(body.flags, { payment: true, legal: null });
    assert.deepEqual(body.effects, { suggested: 0, retracted: 0, cancelled: 0 });
    clock.advance(1000);
    const unnamed = await app.inject({ method: 'POST', url: `/v1/emails/${id}/corrections`, headers: auth(OTHER_TOKEN), payload: { action: 'ignore' } });
    assert.equal(unnamed.json().corrected_by, 'token-2', 'an unnamed token is named by its place in api.tokens');

    const list = (await app.inject({ method: 'GET', url: '/v1/corrections', headers: auth(NAMED) })).json();
    assert.deepEqual(
      list.data.map((c: { corrected_by: string; to_action: string }) => [c.corrected_by, c.to_action]),
      [
        ['token-2', 'ignore'],
        ['zendesk-bot', 'review'],
      ],
    );
    const decisions = (await app.inject({ method: 'GET', url: '/v1/decisions', headers: auth(NAMED) })).json();
    assert.equal(decisions.data[0].action, 'draft');
    assert.equal(decisions.data[0].correction.action, 'ignore');
    assert.equal(decisions.data[0].correction.corrections, 2);
    const email = (await app.inject({ method: 'GET', url: `/v1/emails/${id}`, headers: auth(NAMED) })).json();
    assert.equal(email.decision.action, 'draft');
    assert.equal(email.corrections.length, 2);
    await app.close();
  });

  test('an unknown email or an invalid action is a 422 with the reason; no token is a 401', async () => {
    const id = await decidedEmail(getDb(), { action: 'draft' });
    const { app } = server();
    const unknown = await app.inject({ method: 'POST', url: '/v1/emails/em_missing/corrections', headers: auth(NAMED), payload: { action: 'ticket' } });
    assert.equal(unknown.statusCode, 422);
    assert.match(unknown.json().message, /no email em_missing/);
    assert.equal(unknown.json().code, 'UNKNOWN_EMAIL');
    const invalid = await app.inject({ method: 'POST', url: `/v1/emails/${id}/corrections`, headers: auth(NAMED), payload: { action: 'delete' } });
    assert.equal(invalid.statusCode, 422);
    assert.match(invalid.json().message, /action "delete" does not exist; expected one of ticket, draft, review, ignore/);
    const anonymous = await app.inject({ method: 'POST', url: `/v1/emails/${id}/corrections`, payload: { action: 'ticket' } });
    assert.equal(anonymous.statusCode, 401);
    await app.close();
  });

  test('the OpenAPI document describes the routes and the ticket.retracted webhook', async () => {
    const { app } = server();
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    assert.ok(doc.paths['/v1/emails/{id}/corrections'].post.requestBody);
    assert.ok(doc.paths['/v1/corrections'].get);
    assert.ok(doc.webhooks['ticket.suggested'], 'the existing webhook is still there');
    assert.equal(doc.webhooks['ticket.retracted'].post.requestBody.content['application/json'].schema.properties.type.const, 'ticket.retracted');
    assert.ok(doc.paths['/v1/subscriptions'].post.requestBody.content['application/json'].schema.properties.event_types);
    await app.close();
  });
});

// The CLI against a shared PostgreSQL database (runs the built dist/, like every CLI test).
const pgReason = await postgresUnavailable();
let database: TestDatabase | null = null;
let dir = '';
const skip = pgReason ? `PostgreSQL not reachable (${pgReason}); skipped` : false;
before(async () => {
  if (skip) return;
  database = await createPostgresDatabase();
  dir = mkdtempSync(join(tmpdir(), 'mailroom-corrections-'));
  writeFileSync(join(dir, 'mailroom.yaml'), `database:\n  url: ${database.url}\nwebhooks:\n  secret_key: ${'k'.repeat(32)}\n  allow_http: true\n  allow_private_networks: true\n`);
});
after(async () => {
  await database?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('mailroom decisions correct and corrections list', { skip }, async () => {
  const db = database!.db;
  const id = await decidedEmail(db, { action: 'draft', subject: 'Fattura non pagata' });
  const config = ['--config', join(dir, 'mailroom.yaml')];
  const ok = await runCli([...config, 'decisions', 'correct', id, '--action', 'review', '--intent', 'billing', '--flag', 'payment', '--note', 'money', '--by', 'alice']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, new RegExp(`${id}: draft → review, by alice`));
  const unknown = await runCli([...config, 'decisions', 'correct', 'em_nope', '--action', 'review']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /no email em_nope/);
  const invalid = await runCli([...config, 'decisions', 'correct', id, '--action', 'later']);
  assert.equal(invalid.code, 2);
  assert.match(invalid.stderr, /action "later" does not exist/);
  const listed = await runCli([...config, 'corrections', 'list', '--since', '1d', '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  const rows = listed.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  assert.equal(rows.length, 1);
  assert.deepEqual([rows[0].corrected_by, rows[0].from_action, rows[0].to_action, rows[0].intent, rows[0].flags.payment], ['alice', 'draft', 'review', 'billing', true]);
  const decisions = await runCli([...config, 'decisions', 'list']);
  assert.match(decisions.stdout, /→ review \(alice\)/);
  const added = await runCli([...config, 'subscriptions', 'add', 'http://127.0.0.1:9/x', '--events', 'ticket.suggested,ticket.retracted', '--json']);
  assert.equal(added.code, 0, added.stderr);
  assert.deepEqual(JSON.parse(added.stdout).event_types, ['ticket.suggested', 'ticket.retracted']);
  const badEvents = await runCli([...config, 'subscriptions', 'add', 'http://127.0.0.1:9/y', '--events', 'ticket.created']);
  assert.equal(badEvents.code, 2);
  assert.match(badEvents.stderr, /unknown event type "ticket.created"/);
});
