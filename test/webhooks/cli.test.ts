import assert from 'node:assert/strict';
import { after, beforeEach, test } from 'node:test';
import { Command } from 'commander';
import type { AppFactory } from '../../src/cli/app.js';
import { UsageError } from '../../src/cli/app.js';
import { register as registerDecisions } from '../../src/cli/commands/decisions.js';
import { register as registerDeliveries } from '../../src/cli/commands/deliveries.js';
import { register as registerSubscriptions } from '../../src/cli/commands/subscriptions.js';
import type { Db } from '../../src/db/index.js';
import { silentLogger } from '../../src/util/logger.js';
import { seedEmail } from '../api/fixtures.js';
import { describeEachDatabase, truncateAll } from '../support/databases.js';
import { replies, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { enqueueEvents, testConfig } from './fixtures.js';

const receivers: WebhookReceiver[] = [];
after(async () => {
  await Promise.all(receivers.map((r) => r.close()));
});

/** Runs one `mailroom …` command line against `db`, returning what it printed. */
async function run(db: Db, args: string[], webhooks: Record<string, unknown> = {}): Promise<{ out: string; exitCode: number | undefined }> {
  const openApp: AppFactory = async () => ({ config: testConfig(webhooks), configPath: null, db, logger: silentLogger(), close: async () => {} });
  const program = new Command('mailroom').option('-c, --config <file>').exitOverride();
  registerSubscriptions(program, openApp);
  registerDeliveries(program, openApp);
  registerDecisions(program, openApp);
  const chunks: string[] = [];
  const write = process.stdout.write;
  // Only strings are ours: the test runner itself talks to its parent through stdout in Buffers.
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    if (typeof chunk !== 'string') return write.call(process.stdout, chunk, ...(rest as []));
    chunks.push(chunk);
    return true;
  }) as typeof process.stdout.write;
  const previousExitCode = process.exitCode;
  process.exitCode = undefined;
  try {
    await program.parseAsync(['node', 'mailroom', ...args]);
    return { out: chunks.join(''), exitCode: process.exitCode as number | undefined };
  } finally {
    process.stdout.write = write;
    process.exitCode = previousExitCode;
  }
}

describeEachDatabase('webhook CLI commands', (getDb) => {
  beforeEach(async () => {
    await truncateAll(getDb());
  });

  test('subscriptions add / list --json / test / rotate-secret / disable / enable / remove', { timeout: 30_000 }, async () => {
    const db = getDb();
    const r = await startWebhookReceiver({ respond: () => ({ status: 200, body: 'pong from receiver\nmore' }) });
    receivers.push(r);
    const added = JSON.parse((await run(db, ['subscriptions', 'add', r.url, '--description', 'Zendesk', '--json'])).out);
    assert.match(added.id, /^sub_/);
    assert.match(added.secret, /^whsec_/);
    r.secrets = [added.secret];

    const listed = JSON.parse((await run(db, ['subscriptions', 'list', '--json'])).out.trim());
    assert.equal(listed.id, added.id);
    assert.equal(listed.status, 'enabled');
    assert.ok(!JSON.stringify(listed).includes(added.secret.slice(6)), 'list never shows the secret');

    const tested = await run(db, ['subscriptions', 'test', added.id]);
    assert.match(tested.out, /^ok — HTTP 200 in \d+ ms: pong from receiver\n$/);
    assert.deepEqual(r.requests[0]?.verifiedBy, [true]);

    const rotated = await run(db, ['subscriptions', 'rotate-secret', added.id]);
    const newSecret = /new secret for \S+: (whsec_\S+)/.exec(rotated.out)?.[1];
    assert.ok(newSecret);
    r.secrets = [added.secret, newSecret];
    await run(db, ['subscriptions', 'test', added.id]);
    assert.deepEqual(r.requests[1]?.verifiedBy, [true, true]);

    await run(db, ['subscriptions', 'disable', added.id]);
    assert.match((await run(db, ['subscriptions', 'list'])).out, /disabled: disabled with `mailroom subscriptions disable`/);
    await run(db, ['subscriptions', 'enable', added.id]);
    await run(db, ['subscriptions', 'remove', added.id]);
    assert.match((await run(db, ['subscriptions', 'list'])).out, /no subscriptions/);
    await assert.rejects(run(db, ['subscriptions', 'remove', added.id]), (e: Error) => e instanceof UsageError && /no subscription sub_/.test(e.message));
  });

  // Security (issue 17, finding 5): untrusted text never reaches the terminal as control characters.
  const ATTACK = '\u001b[2J\u001b]0;owned\u0007\u009b31m';
  const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

  test("subscriptions test shows the receiver's first line with its control characters made visible", { timeout: 30_000 }, async () => {
    const db = getDb();
    const r = await startWebhookReceiver({ respond: () => ({ status: 200, body: `${ATTACK}hello\r\nsecond` }) });
    receivers.push(r);
    const added = JSON.parse((await run(db, ['subscriptions', 'add', r.url, '--json'])).out);
    const tested = await run(db, ['subscriptions', 'test', added.id]);
    assert.doesNotMatch(tested.out.trimEnd(), CONTROL, JSON.stringify(tested.out));
    assert.match(tested.out, /: \\u001b\[2J\\u001b\]0;owned\\u0007\\u009b31mhello/);
  });

  test('decisions list shows a subject and sender with escape sequences made visible', async () => {
    const db = getDb();
    await seedEmail(db, { id: 'em_escape', action: 'review', subject: `Invoice ${ATTACK}paid` });
    await db
      .updateTable('messages')
      .set({ from_address: `x${ATTACK}@evil.example` })
      .where('id', '=', 'em_escape')
      .execute();
    const listed = await run(db, ['decisions', 'list']);
    assert.doesNotMatch(listed.out.replace(/\n/g, ''), CONTROL, JSON.stringify(listed.out));
    assert.match(listed.out, /Invoice \\u001b\[2J/);
    assert.match(listed.out, /x\\u001b\[2J/);
  });

  test('subscriptions add refuses a loopback URL as bad usage when private networks are not allowed', async () => {
    await assert.rejects(run(getDb(), ['subscriptions', 'add', 'https://127.0.0.1/hook'], { allow_private_networks: false }), (e: Error) => e instanceof UsageError && /loopback/.test(e.message));
  });

  test('deliveries list, replay ID and replay --failed --since resend with the same webhook-id', { timeout: 30_000 }, async () => {
    const db = getDb();
    const r = await startWebhookReceiver({ respond: replies.always(500) });
    receivers.push(r);
    const added = JSON.parse((await run(db, ['subscriptions', 'add', r.url, '--json'])).out);
    r.secrets = [added.secret];
    const [first, second] = await enqueueEvents(db, 2);
    // schedule [0]: one attempt, then dead letter
    const { deliverDueNow } = await import('../../src/webhooks/index.js');
    await deliverDueNow({ db, config: testConfig({ schedule: [0] }), logger: silentLogger() });
    const failed = (await run(db, ['deliveries', 'list', '--status', 'failed', '--json'])).out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(failed.length, 2);
    assert.equal(failed[0].last_error, 'HTTP 500');
    const withLog = await run(db, ['deliveries', 'list', '--attempts']);
    assert.match(withLog.out, /#1 \S+ 500 \d+ ms HTTP 500 \| status 500/);

    r.respond = replies.ok();
    const one = await run(db, ['deliveries', 'replay', failed[0].id]);
    assert.match(one.out, /replayed 1: 1 delivered, 0 failed/);
    const all = await run(db, ['deliveries', 'replay', '--failed', '--since', '1d']);
    assert.match(all.out, /replayed 1: 1 delivered, 0 failed/);
    const ids = r.requests.map((q) => q.webhookId);
    assert.deepEqual(ids.slice(2).sort(), [first, second].sort(), 'replays carry the original webhook-ids');
    assert.ok(r.requests.every((q) => q.verifyError === null));
    await assert.rejects(run(db, ['deliveries', 'replay']), UsageError);
    await assert.rejects(run(db, ['deliveries', 'replay', '--failed']), /--failed needs --since/);
    await assert.rejects(run(db, ['deliveries', 'list', '--status', 'lost']), UsageError);
  });
});
