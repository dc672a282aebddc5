/**
 * One email, one ticket, end to end: `mailroom run` watches two Dovecot mailboxes that both got the
 * same email (To one, Cc the other: different bytes), and `triage` is given the file afterwards.
 * The receiver (signatures checked with standardwebhooks) gets one ticket.suggested, one webhook-id.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { stringify } from 'yaml';
import { waitFor } from '../ingest/helpers.js';
import { createPostgresDatabase, postgresUnavailable, type TestDatabase } from '../support/databases.js';
import { dovecotSkip, type PrivateDovecot, startDovecot } from '../support/dovecot.js';
import { type FakeOpenAIServer, startFakeOpenAIServer } from '../support/fake-openai-server.js';
import { PROJECT_ROOT, runCli } from '../support/run-cli.js';
import { replies, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const pgReason = await postgresUnavailable();
const skip = dovecotSkip() || (pgReason ? `PostgreSQL not reachable (${pgReason}); skipped` : false);
const EXAMPLE = readFileSync(join(PROJECT_ROOT, 'examples/02-support-outage-en.eml'));
const env = { TEST_LLM_KEY: 'sk-test-one-ticket', TEST_SECRET_KEY: 'one-ticket-secret-key-of-enough-length', TEST_IMAP_PASSWORD: 'one-ticket-pass' };

/** The copy one server stores: the sending's bytes under its own trace headers. */
const copyFor = (user: string) => Buffer.concat([Buffer.from(`Delivered-To: ${user}@mailroom.example\r\nReceived: by ${user}.mailroom.example; Mon, 23 Nov 2026 09:14:00 +0000\r\n`), EXAMPLE]);

describe('one email through two mailboxes and triage is one ticket', { skip }, () => {
  let dovecot: PrivateDovecot;
  let database: TestDatabase;
  let llm: FakeOpenAIServer;
  let receiver: WebhookReceiver;
  let dir: string;
  let config: string;
  let run: ChildProcess | null = null;

  before(async () => {
    dovecot = await startDovecot({
      users: [
        { user: 'support', password: env.TEST_IMAP_PASSWORD },
        { user: 'sales', password: env.TEST_IMAP_PASSWORD },
      ],
    });
    database = await createPostgresDatabase();
    dir = mkdtempSync(join(tmpdir(), 'mailroom-one-ticket-'));
    llm = await startFakeOpenAIServer({
      logprobs: false,
      responder: () => ({
        intent: 'support',
        category: 'outage',
        priority: 'urgent',
        summary: 'The dashboard is down for every user.',
        language: 'en',
        flags: { payment: false, legal: false },
        sentiment: 'negative',
        team: null,
        confidence: 0.93,
      }),
    });
    receiver = await startWebhookReceiver({ respond: replies.ok() });
    config = join(dir, 'mailroom.yaml');
    const mailbox = (user: string) => ({ name: user, host: dovecot.host, port: dovecot.port, security: 'plain', user, password: '${TEST_IMAP_PASSWORD}' });
    writeFileSync(
      config,
      stringify({
        database: { url: database.url },
        mailboxes: [mailbox('support'), mailbox('sales')],
        ingest: { backfill: '1d', sweep_interval: '2s' },
        classifier: { base_url: llm.url, api_key: '${TEST_LLM_KEY}', model: 'test-model' },
        drafts: { mode: 'off' },
        webhooks: { allow_http: true, allow_private_networks: true, secret_key: '${TEST_SECRET_KEY}' },
        api: { enabled: false },
      }),
    );
  });
  after(async () => {
    if (run && run.exitCode === null) run.kill('SIGKILL');
    await llm?.close();
    await receiver?.close();
    await dovecot?.stop();
    await database?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('To one mailbox, Cc the other, then triage: one decision, one webhook-id, two sightings', async () => {
    const added = await runCli(['--config', config, 'subscriptions', 'add', receiver.url, '--json'], { env });
    assert.equal(added.code, 0, added.stderr);
    receiver.secrets = [(JSON.parse(added.stdout.trim()) as { secret: string }).secret];

    await dovecot.append('support', 'INBOX', copyFor('support'));
    await dovecot.append('sales', 'INBOX', copyFor('sales'));
    const logFile = join(dir, 'run.log');
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
        'both copies stored and the email decided',
        async () => {
          const seen = await db.selectFrom('message_sightings').select('id').execute();
          const decided = await db.selectFrom('decisions').select('id').execute();
          return seen.length === 1 && decided.length === 1;
        },
        180_000,
        250,
      );
      await receiver.waitForRequests(1, 30_000);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n${readFileSync(logFile, 'utf8').slice(-3000)}`);
    }

    // The file that already came in over IMAP: triage reports the stored decision and sends nothing.
    const file = join(dir, 'outage.eml');
    writeFileSync(file, EXAMPLE);
    const previewed = await runCli(['--config', config, 'triage', file], { env });
    assert.equal(previewed.code, 0, previewed.stderr);
    assert.match(previewed.stdout, /TICKET \(stored decision\)/);
    assert.match(previewed.stdout, /already decided: ticket\.suggested msg_\w+ was queued then/);
    const delivered = await runCli(['--config', config, 'triage', '--deliver', '--json', file], { env });
    assert.equal(delivered.code, 0, delivered.stderr);
    const line = JSON.parse(delivered.stdout.trim()) as { email_id: string; reused: boolean; action: string };
    assert.equal(line.reused, true);
    assert.equal(line.action, 'ticket');

    const messages = await db.selectFrom('messages').select(['id', 'mailbox']).execute();
    assert.equal(messages.length, 1, 'one email');
    assert.equal(line.email_id, messages[0]!.id);
    const sightings = await db.selectFrom('message_sightings').select(['email_id', 'mailbox', 'source']).orderBy('id').execute();
    assert.deepEqual(
      sightings.map((s) => [s.email_id, s.source]),
      [
        [messages[0]!.id, 'imap'],
        [messages[0]!.id, 'file'],
      ],
    );
    assert.deepEqual(new Set([messages[0]!.mailbox, sightings[0]!.mailbox]), new Set(['support', 'sales']));
    const { rows } = await sql<{ n: string }>`select count(*) as n from webhook_events`.execute(db);
    assert.equal(Number(rows[0]!.n), 1, 'one event');

    // Give a stray second delivery the time to arrive before counting.
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(receiver.requests.length, 1, 'one request reached the receiver');
    const [request] = receiver.requests;
    assert.deepEqual(request!.verifiedBy, [true], request!.verifyError ?? '');
    assert.equal(request!.headers['webhook-id'], `msg_${messages[0]!.id.slice(3)}`);
    run.kill('SIGTERM');
  });

  test('triage of a new email on a configuration with a subscription previews and stores nothing without --deliver', async () => {
    const file = join(dir, 'new.eml');
    writeFileSync(file, EXAMPLE.toString('latin1').replace(/^Message-ID: .*$/im, 'Message-ID: <preview-only.1@customer.example>'), 'latin1');
    const before = receiver.requests.length;
    const previewed = await runCli(['--config', config, 'triage', '--json', file], { env });
    assert.equal(previewed.code, 0, previewed.stderr);
    const line = JSON.parse(previewed.stdout.trim()) as { email_id: string | null; action: string; preview: { webhooks: Array<{ url: string }> } };
    assert.equal(line.action, 'ticket');
    assert.equal(line.email_id, null, 'not stored');
    assert.deepEqual(
      line.preview.webhooks.map((w) => w.url),
      [receiver.url],
    );
    const stored = await database.db.selectFrom('messages').select('id').where('message_id', '=', '<preview-only.1@customer.example>').execute();
    assert.deepEqual(stored, []);
    const human = await runCli(['--config', config, 'triage', file], { env });
    assert.match(human.stdout, new RegExp(`would send ticket\\.suggested to sub_\\w+ ${receiver.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.match(human.stderr, /preview: nothing stored, nothing sent; 1 email would set something off\. Add --deliver/);

    const sent = await runCli(['--config', config, 'triage', '--deliver', '--json', file], { env });
    assert.equal(sent.code, 0, sent.stderr);
    assert.match((JSON.parse(sent.stdout.trim()) as { email_id: string }).email_id, /^em_/);
    await receiver.waitForRequests(before + 1, 10_000);
    assert.equal(receiver.requests.length, before + 1);
  });
});
