/**
 * Shadow mode under a real `mailroom run` on the embedded database: a stored email is decided by the
 * live model, the rules candidate (classifier.shadow) classifies it after the decision, and
 * `mailroom shadow report` reads the result beside the running service, through its socket; the
 * service's /metrics reports it too.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { migrateToLatest } from '../../src/db/migrate.js';
import { openDatabase } from '../../src/db/open-database.js';
import { storeMessage } from '../../src/ingest/index.js';
import { type FakeOpenAIServer, startFakeOpenAIServer } from '../support/fake-openai-server.js';
import { type RunningCli, runCli, startCli } from '../support/run-cli.js';

const example = readFileSync(fileURLToPath(new URL('../../examples/02-support-outage-en.eml', import.meta.url)));
const env = { TEST_LLM_KEY: 'sk-test-shadow-run', TEST_API_TOKEN: 'shadow-run-api-token-0123456789' };

/** A port nothing listens on now, for the service's API. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

let folder: string;
let config: string;
let llm: FakeOpenAIServer;
let service: RunningCli | null = null;
let metricsUrl: string;

before(async () => {
  folder = mkdtempSync(join(tmpdir(), 'mailroom-shadow-run-'));
  llm = await startFakeOpenAIServer({
    logprobs: false,
    responder: () => ({
      intent: 'support',
      category: 'outage',
      priority: 'urgent',
      summary: 'The dashboard is down.',
      language: 'en',
      flags: { payment: false, legal: false },
      sentiment: 'negative',
      team: null,
      confidence: 0.93,
    }),
  });
  const apiPort = await freePort();
  metricsUrl = `http://127.0.0.1:${apiPort}/metrics`;
  config = join(folder, 'mailroom.yaml');
  writeFileSync(
    config,
    [
      'database:',
      `  path: ${join(folder, 'db')}`,
      'api:',
      `  listen: 127.0.0.1:${apiPort}`,
      '  tokens: ["${TEST_API_TOKEN}"]',
      'classifier:',
      `  base_url: ${llm.url}`,
      '  api_key: ${TEST_LLM_KEY}',
      '  model: test-model',
      '  shadow:',
      '    kind: rules',
      '    name: rules-candidate',
      'drafts:',
      '  mode: "off"',
      '',
    ].join('\n'),
  );
  // An email waiting to be decided, stored before the service starts (as a watcher would have).
  const db = await openDatabase({ url: undefined, path: join(folder, 'db'), pool_size: 1 });
  try {
    await migrateToLatest(db);
    await storeMessage(db, { mailbox: 'support', source: 'file', raw: example, sizeBytes: example.length }, { maxCleanChars: 6000, now: new Date() });
  } finally {
    await db.destroy();
  }
});
after(async () => {
  await service?.stop('SIGKILL');
  await llm.close();
  rmSync(folder, { recursive: true, force: true });
});

test('mailroom run decides, the candidate follows, and the report is read beside the service', { timeout: 900_000 }, async () => {
  service = startCli(['--config', config, 'run'], { env });
  await service.waitFor(/shadow mode: live mail is classified by the candidate too/, 600_000);
  await service.waitFor(/"msg":"mailroom running"/, 600_000);
  let report: Record<string, unknown> | null = null;
  for (let i = 0; i < 60 && !report; i++) {
    const out = await runCli(['--config', config, 'shadow', 'report', '--json'], { env, timeoutMs: 600_000 });
    assert.equal(out.code, 0, out.stderr);
    const line = out.stdout.trim();
    const parsed = line ? (JSON.parse(line) as { classified: number }) : null;
    if (parsed && parsed.classified === 1) report = parsed as unknown as Record<string, unknown>;
    else await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  assert.ok(report, `no shadow result was reported\n${service.output().slice(-4000)}`);
  assert.equal(report.candidate, 'rules-candidate');
  assert.equal(report.shadowed, 1);
  assert.equal(report.failed, 0);
  const comparison = report.comparison as { compared: number; latency: { a: { measured: number } } };
  assert.equal(comparison.compared, 1);
  assert.equal(comparison.latency.a.measured, 1, 'the live model call was measured');
  assert.equal(llm.requests.length, 1, 'one live model call; the rules candidate makes none');
  // The service's /metrics reads the same result from the database.
  const metrics = await (await fetch(metricsUrl, { headers: { authorization: `Bearer ${env.TEST_API_TOKEN}` } })).text();
  assert.match(metrics, /^mailroom_shadow_classified_total\{candidate="rules-candidate"\} 1$/m);
  assert.match(metrics, /^mailroom_shadow_agreement_compared\{candidate="rules-candidate",on="action"\} 1$/m);
  assert.match(metrics, /^mailroom_shadow_pending\{candidate="rules-candidate"\} 0$/m);
  const human = await runCli(['--config', config, 'shadow', 'report'], { env, timeoutMs: 600_000 });
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /Shadow candidate rules-candidate .*all time\n {2}shadowed 1: 1 classified, 0 waiting, 0 failed/);
  assert.equal(await service.stop('SIGTERM'), 0, service.output());
});
