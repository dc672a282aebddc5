/**
 * A full `mailroom run` — two mailboxes (one with a wrong password), the model, a webhook
 * receiver, the HTTP API with a good and a bad token — then every line it logged is searched for
 * every configured secret. None may appear, in any form a log line could carry it.
 */

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { stringify } from 'yaml';
import { makeMessage } from '../ingest/helpers.js';
import { dovecotSkip, type PrivateDovecot, startDovecot } from '../support/dovecot.js';
import { type FakeOpenAIServer, startFakeOpenAIServer } from '../support/fake-openai-server.js';
import { PROJECT_ROOT, runCli } from '../support/run-cli.js';
import { replies, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const SECRETS = {
  imapPassword: 'Imap-Pa55word-Secret-7781',
  wrongPassword: 'Wrong-Pa55word-Secret-9921',
  apiKey: 'sk-test-LLMkey-Secret-4242',
  secretKey: 'webhook-encryption-key-Secret-0303',
  apiToken: 'api-bearer-token-Secret-5656',
  linkSecret: 'raw-link-signing-Secret-1212-0123456',
};

const skip = dovecotSkip();
let folder: string;
let dovecot: PrivateDovecot;
let llm: FakeOpenAIServer;
let receiver: WebhookReceiver;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

before(async () => {
  if (skip) return;
  folder = mkdtempSync(join(tmpdir(), 'mailroom-secrets-'));
  dovecot = await startDovecot({
    users: [
      { user: 'support', password: SECRETS.imapPassword },
      { user: 'sales', password: 'the-real-sales-password' },
    ],
  });
  llm = await startFakeOpenAIServer({
    logprobs: false,
    apiKey: SECRETS.apiKey,
    responder: () => ({
      intent: 'support',
      category: 'bug',
      priority: 'high',
      summary: 'Something is broken.',
      language: 'en',
      flags: { payment: false, legal: false },
      sentiment: 'negative',
      team: null,
      confidence: 0.95,
    }),
  });
  receiver = await startWebhookReceiver({ respond: replies.ok() });
});
after(async () => {
  if (skip) return;
  await Promise.all([dovecot?.stop(), llm?.close(), receiver?.close()]);
  rmSync(folder, { recursive: true, force: true });
});

test('no configured secret appears in any log line of a full run', { skip, timeout: 120_000 }, async () => {
  const port = await freePort();
  const env = Object.fromEntries(Object.entries(SECRETS).map(([k, v]) => [`T_${k.toUpperCase()}`, v]));
  const mailbox = (name: string, user: string, passwordVar: string) => ({
    name,
    host: '127.0.0.1',
    port: dovecot.port,
    security: 'plain',
    user,
    password: `\${${passwordVar}}`,
    addresses: [`${user}@mailroom.example`],
  });
  const config = join(folder, 'mailroom.yaml');
  writeFileSync(
    config,
    stringify({
      database: { path: join(folder, 'db') },
      mailboxes: [mailbox('support', 'support', 'T_IMAPPASSWORD'), mailbox('sales', 'sales', 'T_WRONGPASSWORD')],
      ingest: { backfill: '1d', sweep_interval: '2s' },
      classifier: { base_url: llm.url, api_key: '${T_APIKEY}', model: 'test-model', timeout: '5s' },
      webhooks: { allow_http: true, allow_private_networks: true, secret_key: '${T_SECRETKEY}' },
      api: { listen: `127.0.0.1:${port}`, tokens: ['${T_APITOKEN}'], public_url: 'https://mailroom.example', link_secret: '${T_LINKSECRET}' },
      log: { level: 'debug' },
    }),
  );
  const added = await runCli(['--config', config, 'subscriptions', 'add', receiver.url, '--json'], { env });
  assert.equal(added.code, 0, added.stderr);
  const webhookSecret = (JSON.parse(added.stdout.trim()) as { secret: string }).secret;
  receiver.secrets = [webhookSecret];
  for (let i = 0; i < 3; i++) await dovecot.append('support', 'INBOX', makeMessage(`broken ${i}`));

  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', '--config', config, 'run'], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env, MAILROOM_LOG_LEVEL: 'debug', MAILROOM_CONFIG: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  try {
    await receiver.waitForRequests(3, 60_000);
    const base = `http://127.0.0.1:${port}`;
    const good = await fetch(`${base}/v1/decisions`, { headers: { authorization: `Bearer ${SECRETS.apiToken}` } });
    assert.equal(good.status, 200);
    const bad = await fetch(`${base}/v1/decisions`, { headers: { authorization: 'Bearer not-the-token-at-all' } });
    assert.equal(bad.status, 401);
    // Give the wrong-password mailbox time to fail and say so.
    const deadline = Date.now() + 20_000;
    while (!/sales/.test(output) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
  assert.ok(output.split('\n').length > 10, 'the run logged');
  assert.match(output, /sales/, 'the failing mailbox was reported');
  for (const [name, secret] of Object.entries({ ...SECRETS, webhookSecret })) {
    for (const form of [secret, Buffer.from(secret).toString('base64'), encodeURIComponent(secret)]) {
      assert.ok(!output.includes(form), `${name} appears in the log`);
    }
  }
});
