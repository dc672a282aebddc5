/**
 * One data directory, many commands: real `mailroom run` and command processes on one embedded
 * database. The commands work beside the service through its socket, print what they print
 * without it, and a second service is refused; a SIGKILLed service's socket is no obstacle.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type FakeOpenAIServer, startFakeOpenAIServer } from '../support/fake-openai-server.js';
import { type CliResult, type RunningCli, runCli, startCli } from '../support/run-cli.js';
import { replies, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

const exampleA = fileURLToPath(new URL('../../examples/02-support-outage-en.eml', import.meta.url));
const exampleB = fileURLToPath(new URL('../../examples/03-support-bug-de.eml', import.meta.url));
const env = { TEST_LLM_KEY: 'sk-test-beside', TEST_SECRET_KEY: 'an-operator-chosen-key-of-enough-length' };

let folder: string;
let config: string;
let llm: FakeOpenAIServer;
let receiver: WebhookReceiver;
let other: WebhookReceiver;
const services: RunningCli[] = [];

before(async () => {
  folder = mkdtempSync(join(tmpdir(), 'mailroom-beside-'));
  llm = await startFakeOpenAIServer({
    logprobs: false,
    responder: () => ({
      intent: 'support',
      category: 'bug',
      priority: 'high',
      summary: 'Something is broken for the customer.',
      language: 'en',
      flags: { payment: false, legal: false },
      sentiment: 'negative',
      team: null,
      confidence: 0.93,
    }),
  });
  receiver = await startWebhookReceiver({ respond: replies.ok() });
  other = await startWebhookReceiver({ respond: replies.ok() });
  config = join(folder, 'mailroom.yaml');
  writeFileSync(
    config,
    [
      'database:',
      `  path: ${join(folder, 'db')}`,
      'api:',
      '  enabled: false',
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
  await Promise.all(services.map((s) => s.stop('SIGKILL')));
  await llm.close();
  await receiver.close();
  await other.close();
  rmSync(folder, { recursive: true, force: true });
});

function mailroom(...args: string[]): Promise<CliResult> {
  // Generous: on a loaded 2-core machine one command has taken over 3 minutes.
  return runCli(['--config', config, ...args], { env, timeoutMs: 600_000 });
}

function startService(): RunningCli {
  const service = startCli(['--config', config, 'run'], { env });
  services.push(service);
  return service;
}

function ok(result: CliResult, what: string): string {
  assert.equal(result.code, 0, `${what} failed:\n${result.stderr}\n${result.stdout}`);
  return result.stdout;
}

/** What the read commands print, in both forms, for comparing with and without the service. */
async function readings(): Promise<string[]> {
  const results = await Promise.all([mailroom('decisions', 'list', '--json'), mailroom('decisions', 'list'), mailroom('subscriptions', 'list', '--json'), mailroom('deliveries', 'list', '--json')]);
  return results.map((r, i) => ok(r, `reading ${i}`));
}

test('run + decisions list + subscriptions add + deliveries replay + triage at once on one data directory; same output as without the service; a second run is refused', {
  timeout: 1_800_000,
}, async () => {
  // Before the service: a subscription and a first ticket, opened directly.
  const added = JSON.parse(ok(await mailroom('subscriptions', 'add', receiver.url, '--json'), 'subscriptions add')) as { id: string; secret: string };
  receiver.secrets = [added.secret];
  ok(await mailroom('triage', '--deliver', '--json', exampleA), 'triage before the service');
  const [first] = await receiver.waitForRequests(1, 30_000);
  const delivery = JSON.parse(ok(await mailroom('deliveries', 'list', '--json'), 'deliveries list').trim()) as { id: string; webhook_id: string };

  const service = startService();
  await service.waitFor(/"msg":"mailroom running"/, 600_000);
  const socket = join(folder, 'db', 'mailroom.sock');
  assert.ok(existsSync(socket), 'the service listens in the data directory');

  const [triaged, listed, subscribed, replayed] = await Promise.all([
    mailroom('triage', '--deliver', '--json', exampleB),
    mailroom('decisions', 'list', '--json'),
    mailroom('subscriptions', 'add', other.url, '--json'),
    mailroom('deliveries', 'replay', delivery.id),
  ]);
  const ticket = JSON.parse(ok(triaged, 'triage beside the service').trim()) as { action: string; email_id: string };
  assert.equal(ticket.action, 'ticket');
  assert.ok(ok(listed, 'decisions list beside the service').trim().split('\n').length >= 1);
  assert.match(JSON.parse(ok(subscribed, 'subscriptions add beside the service')).secret, /^whsec_/);
  assert.match(ok(replayed, 'deliveries replay beside the service'), new RegExp(`${delivery.id} ${delivery.webhook_id}: delivered`));

  // The replay is the same event again; the new ticket went out once, whoever sent it.
  const received = await receiver.waitForRequests(3, 30_000);
  const ids = received.map((r) => r.headers['webhook-id']);
  assert.equal(ids.filter((id) => id === first!.headers['webhook-id']).length, 2, 'the replay carries the first webhook-id');
  assert.equal(new Set(ids).size, 2, `one new event for the new ticket: ${ids.join(', ')}`);
  for (const r of received) assert.deepEqual(r.verifiedBy, [true]);

  const second = await mailroom('run');
  assert.notEqual(second.code, 0);
  assert.match(second.stderr, new RegExp(`mailroom run is already running on the embedded database in .* \\(process ${service.pid}\\)`));
  assert.match(service.output(), /"msg":"mailroom running"/);

  const beside = await readings();
  assert.equal(await service.stop('SIGTERM'), 0, service.output());
  assert.ok(!existsSync(socket), 'a stopped service removes its socket');
  assert.ok(!existsSync(join(folder, 'db', 'mailroom.lock')), 'and its lock');
  const alone = await readings();
  assert.deepEqual(beside, alone);
});

test('a SIGKILLed service leaves a socket that no command mistakes for a service; the next run replaces it', { timeout: 1_200_000 }, async () => {
  const killed = startService();
  await killed.waitFor(/"msg":"mailroom running"/, 600_000);
  const before = ok(await mailroom('subscriptions', 'list', '--json'), 'subscriptions list beside the service');
  assert.equal(await killed.stop('SIGKILL'), null);
  assert.ok(existsSync(join(folder, 'db', 'mailroom.sock')), 'the dead service left its socket file');

  assert.equal(ok(await mailroom('subscriptions', 'list', '--json'), 'subscriptions list after the SIGKILL'), before);

  const next = startService();
  await next.waitFor(/"msg":"mailroom running"/, 600_000);
  // Only possible through the new service: it holds the lock.
  assert.equal(ok(await mailroom('subscriptions', 'list', '--json'), 'subscriptions list beside the new service'), before);
  assert.equal(await next.stop('SIGTERM'), 0, next.output());
});
