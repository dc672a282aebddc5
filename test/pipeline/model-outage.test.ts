/**
 * An AI model outage under `mailroom run` (PostgreSQL, Dovecot, the fake OpenAI server): waiting
 * mail is listed with its reason (CLI and /v1/messages), /ready names the cause of each part and the
 * log says each change once, and when the model answers again the waiting mail is decided at once —
 * not at its backed-off next attempt.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { stringify } from 'yaml';
import { makeMessage, waitFor } from '../ingest/helpers.js';
import { createPostgresDatabase, postgresUnavailable, type TestDatabase } from '../support/databases.js';
import { dovecotSkip, type PrivateDovecot, startDovecot } from '../support/dovecot.js';
import { type FakeOpenAIServer, plausibleClassification, startFakeOpenAIServer } from '../support/fake-openai-server.js';
import { PROJECT_ROOT, runCli } from '../support/run-cli.js';

const pgReason = await postgresUnavailable();
const skip = dovecotSkip() || (pgReason ? `PostgreSQL not reachable (${pgReason}); skipped` : false);
const TOKEN = 'outage-api-token-0123456789abcdef';
const env = { TEST_LLM_KEY: 'sk-test-outage', TEST_IMAP_PASSWORD: 'outage-pass', TEST_API_TOKEN: TOKEN };

/** A loopback port nothing listens on. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('a model outage under mailroom run', { skip }, () => {
  let dovecot: PrivateDovecot;
  let database: TestDatabase;
  let llm: FakeOpenAIServer;
  let dir: string;
  let config: string;
  let apiUrl: string;
  let run: ChildProcess | null = null;
  let logFile: string;

  before(async () => {
    dovecot = await startDovecot({ users: [{ user: 'support', password: env.TEST_IMAP_PASSWORD }] });
    database = await createPostgresDatabase();
    dir = mkdtempSync(join(tmpdir(), 'mailroom-outage-'));
    llm = await startFakeOpenAIServer({ logprobs: false, responder: plausibleClassification });
    const apiPort = await freePort();
    const refusedPort = await freePort();
    apiUrl = `http://127.0.0.1:${apiPort}`;
    config = join(dir, 'mailroom.yaml');
    const mailbox = (name: string, over: Record<string, unknown> = {}) => ({
      name,
      host: dovecot.host,
      port: dovecot.port,
      security: 'plain',
      user: 'support',
      password: '${TEST_IMAP_PASSWORD}',
      ...over,
    });
    writeFileSync(
      config,
      stringify({
        database: { url: database.url },
        mailboxes: [mailbox('support'), mailbox('wrongpass', { password: 'not-the-password' }), mailbox('refused', { port: refusedPort })],
        ingest: { backfill: '1d', sweep_interval: '2s' },
        classifier: { base_url: llm.url, api_key: '${TEST_LLM_KEY}', model: 'test-model', max_retries: 0, timeout: '3s' },
        drafts: { mode: 'off' },
        api: { listen: `127.0.0.1:${apiPort}`, tokens: ['${TEST_API_TOKEN}'] },
      }),
    );
  });
  after(async () => {
    if (run && run.exitCode === null) run.kill('SIGKILL');
    await llm?.close();
    await dovecot?.stop();
    await database?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const get = async (path: string) => {
    const res = await fetch(`${apiUrl}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const log = () => readFileSync(logFile, 'utf8');

  test('waiting mail is listed with its reason, /ready names each cause, and recovery decides the mail at once', async (t) => {
    await llm.down();
    for (const label of ['outage-1', 'outage-2', 'outage-3']) await dovecot.append('support', 'INBOX', makeMessage(label));
    logFile = join(dir, 'run.log');
    const out = openSync(logFile, 'a');
    run = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'run', '--config', config], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...env, MAILROOM_CONFIG: '', OPENAI_API_KEY: '', MAILROOM_LOG_LEVEL: 'info' },
      stdio: ['ignore', out, out],
    });
    closeSync(out);
    const db = database.db;
    try {
      await waitFor(
        'three emails postponed, waiting for the model',
        async () => {
          const rows = await db.selectFrom('messages').select('id').where('waiting_for', '=', 'model').where('status', '=', 'pending').where('locked_by', 'is', null).execute();
          return rows.length === 3;
        },
        180_000,
        250,
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${log().slice(-6000)}`);
    }

    // The CLI and the API list them with the reason.
    const listed = await runCli(['--config', config, 'messages', 'list', '--status', 'pending', '--json'], { env });
    assert.equal(listed.code, 0, listed.stderr);
    const lines = listed.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { status: string; waiting_for: string; reason: string; mailbox: string });
    assert.equal(lines.length, 3);
    for (const line of lines) {
      assert.equal(line.status, 'pending');
      assert.equal(line.waiting_for, 'model');
      assert.match(line.reason, /^waiting for the AI model, retried as soon as it answers again: .*unavailable/);
    }
    const human = await runCli(['--config', config, 'messages', 'list'], { env });
    assert.match(human.stdout, /WHY/);
    assert.match(human.stdout, /waiting for the AI model/);
    const api = await get('/v1/messages?status=pending');
    assert.equal(api.status, 200);
    assert.equal((api.body.data as unknown[]).length, 3);
    assert.equal(((await get('/v1/messages?status=failed')).body.data as unknown[]).length, 0);

    // /ready: the model's cause at once, each broken mailbox with its own cause.
    const ready = await waitFor(
      'both broken mailboxes reporting their cause',
      async () => {
        const r = await get('/ready');
        const mailboxes = r.body.mailboxes as Array<{ name: string; error: string | null }>;
        return mailboxes.every((m) => m.name === 'support' || m.error) ? r : null;
      },
      30_000,
      500,
    );
    assert.equal(ready.status, 503);
    const llmPart = ready.body.llm as { ok: boolean; error: string };
    assert.equal(llmPart.ok, false);
    assert.match(llmPart.error, /unreachable|unavailable/);
    const byName = Object.fromEntries((ready.body.mailboxes as Array<{ name: string; ok: boolean; error: string | null }>).map((m) => [m.name, m]));
    assert.equal(byName.support!.ok, true);
    assert.match(byName.wrongpass!.error!, /user name or password|authentication|login/i);
    assert.match(byName.refused!.error!, /ECONNREFUSED|refused|connect/i);
    for (let i = 0; i < 5; i++) await get('/ready');
    const text = log();
    assert.equal(text.match(/the AI model does not answer/g)?.length, 1, 'the outage is logged once');
    assert.equal(text.match(/not ready: llm/g)?.length, 1, '/ready logs the change once, not per probe');
    assert.doesNotMatch(text, /"path":"\/ready"[^\n]*api request failed/);

    // Long backoffs (as after many postponements): recovery must not wait for them.
    const later = new Date(Date.now() + 60 * 60 * 1000);
    await db.updateTable('messages').set({ next_attempt_at: later }).where('waiting_for', '=', 'model').execute();
    llm.resetCounters();
    const upAt = Date.now();
    await llm.up();
    await waitFor(
      'all three decided after the model came back',
      async () => {
        const { rows } = await sql<{ n: string }>`select count(*) as n from decisions`.execute(db);
        return Number(rows[0]!.n) === 3;
      },
      60_000,
      100,
    );
    t.diagnostic(`model back → 3 waiting emails decided: ${Date.now() - upAt} ms`);
    assert.equal(llm.requests.length, 3, 'one classification per email: the probe was GET /models, then the queue');
    const rest = await db.selectFrom('messages').select(['status', 'waiting_for']).execute();
    assert.deepEqual(
      rest.map((r) => [r.status, r.waiting_for]),
      [
        ['decided', null],
        ['decided', null],
        ['decided', null],
      ],
    );
    assert.equal(log().match(/the AI model answers again/g)?.length, 1);
    const after = await get('/ready');
    assert.equal((after.body.llm as { ok: boolean }).ok, true);
    const empty = await runCli(['--config', config, 'messages', 'list'], { env });
    assert.match(empty.stdout, /every stored message is decided/);

    // The model goes down with no mail waiting: /ready says so from its own probe.
    await llm.down();
    const downAt = Date.now();
    const noticed = await waitFor(
      '/ready to report the model down',
      async () => {
        const r = await get('/ready');
        return (r.body.llm as { ok: boolean }).ok ? null : r;
      },
      60_000,
      200,
    );
    t.diagnostic(`model down → /ready reports it: ${Date.now() - downAt} ms`);
    assert.equal(noticed.status, 503);
    assert.match((noticed.body.llm as { error: string }).error, /unreachable/);
    run.kill('SIGTERM');
  });
});
