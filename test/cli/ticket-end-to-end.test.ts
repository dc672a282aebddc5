import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type FakeOpenAIServer, startFakeOpenAIServer } from '../support/fake-openai-server.js';
import { runCli } from '../support/run-cli.js';
import { replies, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const example = fileURLToPath(new URL('../../examples/02-support-outage-en.eml', import.meta.url));

let folder: string;
let config: string;
let llm: FakeOpenAIServer;
let receiver: WebhookReceiver;

before(async () => {
  folder = mkdtempSync(join(tmpdir(), 'mailroom-e2e-'));
  llm = await startFakeOpenAIServer({
    logprobs: false,
    responder: () => ({
      intent: 'support',
      category: 'outage',
      priority: 'urgent',
      summary: 'The dashboard is down for every user since 09:00.',
      language: 'en',
      flags: { payment: false, legal: false },
      sentiment: 'negative',
      team: null,
      confidence: 0.93,
    }),
  });
  receiver = await startWebhookReceiver({ respond: replies.ok() });
  config = join(folder, 'mailroom.yaml');
  writeFileSync(
    config,
    [
      'database:',
      `  path: ${join(folder, 'db')}`,
      'classifier:',
      `  base_url: ${llm.url}`,
      '  api_key: ${TEST_LLM_KEY}',
      '  model: test-model',
      'webhooks:',
      '  allow_http: true',
      '  allow_private_networks: true',
      '  secret_key: ${TEST_SECRET_KEY}',
      '',
    ].join('\n'),
  );
});
after(async () => {
  await llm.close();
  await receiver.close();
  rmSync(folder, { recursive: true, force: true });
});

const env = { TEST_LLM_KEY: 'sk-test-e2e', TEST_SECRET_KEY: 'an-operator-chosen-key-of-enough-length' };

test('triage of a support email delivers one ticket.suggested that standardwebhooks verifies', async () => {
  const added = await runCli(['--config', config, 'subscriptions', 'add', receiver.url, '--json'], { env });
  assert.equal(added.code, 0, added.stderr);
  const { secret } = JSON.parse(added.stdout.trim()) as { secret: string };
  assert.match(secret, /^whsec_[A-Za-z0-9+/=]+$/);
  receiver.secrets = [secret];

  // A configuration with a subscription only previews unless told to deliver.
  const triaged = await runCli(['--config', config, 'triage', '--deliver', '--json', example], { env });
  assert.equal(triaged.code, 0, triaged.stderr);
  const line = JSON.parse(triaged.stdout.trim()) as { action: string; email_id: string; message_id: string };
  assert.equal(line.action, 'ticket');

  const [request] = await receiver.waitForRequests(1, 10_000);
  assert.ok(request);
  assert.deepEqual(request.verifiedBy, [true], request.verifyError ?? '');
  const event = JSON.parse(request.body) as { type: string; timestamp: string; data: Record<string, unknown> };
  assert.equal(event.type, 'ticket.suggested');
  assert.equal(event.data.email_id, line.email_id);
  assert.equal(event.data.message_id, line.message_id);
  assert.equal(event.data.intent, 'support');
  assert.match(String(event.data.thread_id), /^th_/);
  for (const key of ['mailbox', 'from', 'subject', 'summary', 'body_text', 'priority', 'category', 'language', 'confidence', 'received_at', 'attachments', 'classifier']) {
    assert.ok(key in event.data, `event carries ${key}`);
  }

  // A second triage of the same file reuses the decision: no second event.
  const again = await runCli(['--config', config, 'triage', '--json', example], { env });
  assert.equal(again.code, 0, again.stderr);
  assert.equal(receiver.requests.length, 1);

  const deliveries = await runCli(['--config', config, 'deliveries', 'list', '--json'], { env });
  assert.equal(deliveries.code, 0, deliveries.stderr);
  const rows = deliveries.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { status: string });
  assert.deepEqual(
    rows.map((r) => r.status),
    ['delivered'],
  );
  for (const output of [added.stderr, triaged.stderr, again.stderr, deliveries.stderr]) {
    assert.ok(!output.includes(env.TEST_LLM_KEY) && !output.includes(env.TEST_SECRET_KEY), 'no secret in any log line');
  }
});
