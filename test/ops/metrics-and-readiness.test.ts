import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { type Driver, DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';
import type { Database, Db } from '../../src/db/index.js';
import type { MailboxStatus } from '../../src/ingest/mailbox-watcher.js';
import { observeDatabase } from '../../src/ops/metrics.js';
import { createReadiness, llmProbe } from '../../src/ops/readiness.js';
import { createMetrics, recordClassification } from '../../src/util/metrics.js';
import { startFakeOpenAIServer } from '../support/fake-openai-server.js';

/** A Kysely whose every query answers nothing, or fails with `error`: no database needed. */
function fakeDb(error?: Error): Db {
  const driver: Driver = error
    ? Object.assign(new DummyDriver(), {
        acquireConnection: async () => {
          throw error;
        },
      })
    : new DummyDriver();
  return new Kysely<Database>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => driver,
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
}

const clock = { now: () => new Date('2026-11-23T12:00:00Z') };

test('registries are independent: two in one process never clash, and none is global', async () => {
  const a = createMetrics();
  const b = createMetrics();
  a.decisions.inc({ action: 'ticket' });
  assert.match(await a.render(), /^mailroom_decisions_total\{action="ticket"\} 1$/m);
  assert.doesNotMatch(await b.render(), /mailroom_decisions_total\{/);
  assert.match(await a.render(), /^process_cpu_user_seconds_total /m, 'process metrics are included by default');
  // A second copy of the module (as when a test runner loads it twice) registers nothing globally either.
  const specifier = '../../src/util/metrics.js?again';
  const again = (await import(specifier)) as typeof import('../../src/util/metrics.js');
  assert.notEqual(again.createMetrics, createMetrics, 'really a second module instance');
  assert.doesNotThrow(() => again.createMetrics().decisions.inc({ action: 'ignore' }));
  assert.doesNotThrow(() => createMetrics().decisions.inc({ action: 'ignore' }));
});

test('recordClassification feeds the latency histogram and the token counters', async () => {
  const m = createMetrics({ defaultMetrics: false });
  recordClassification(m, { classifier: 'openai', model: 'gpt-4o-mini', latencyMs: 1800, outcome: 'ok', promptTokens: 500, completionTokens: 60 });
  recordClassification(m, { classifier: 'openai', model: 'gpt-4o-mini', latencyMs: 300, outcome: 'failed', promptTokens: null });
  m.retries.inc({ stage: 'classifier' });
  m.imapReconnects.inc({ mailbox: 'support' });
  m.deliveryAttempts.inc({ subscription_id: 'sub_1', result: 'retry' });
  const text = await m.render();
  assert.match(text, /^mailroom_classifier_latency_seconds_bucket\{le="2",classifier="openai",outcome="ok"\} 1$/m);
  assert.match(text, /^mailroom_classifier_latency_seconds_bucket\{le="1",classifier="openai",outcome="ok"\} 0$/m);
  assert.match(text, /^mailroom_classifier_tokens_total\{model="gpt-4o-mini",kind="prompt"\} 500$/m);
  assert.match(text, /^mailroom_classifier_tokens_total\{model="gpt-4o-mini",kind="completion"\} 60$/m);
  assert.match(text, /^mailroom_retries_total\{stage="classifier"\} 1$/m);
  assert.match(text, /^mailroom_imap_reconnects_total\{mailbox="support"\} 1$/m);
  assert.match(text, /^mailroom_webhook_attempts_total\{subscription_id="sub_1",result="retry"\} 1$/m);
});

test('a scrape still answers when the database does not, and says so', async () => {
  const m = createMetrics({ defaultMetrics: false });
  assert.doesNotMatch(await m.render(), /^mailroom_(metrics_database_up|outbox_depth) /m, 'the database gauges come with a database');
  observeDatabase(m, fakeDb(new Error('connection refused')), { clock });
  const text = await m.render();
  assert.match(text, /^mailroom_metrics_database_up 0$/m, 'the outbox gauges keep their last value; database_up says they are stale');
  const healthy = createMetrics({ defaultMetrics: false });
  observeDatabase(healthy, fakeDb(), { clock });
  const ok = await healthy.render();
  assert.match(ok, /^mailroom_metrics_database_up 1$/m);
  assert.match(ok, /^mailroom_outbox_depth 0$/m);
  assert.match(ok, /^mailroom_outbox_oldest_due_age_seconds 0$/m);
});

const llm = await startFakeOpenAIServer({ apiKey: 'sk-readiness-0123456789abcdef' });
after(() => llm.close());

function mailbox(state: MailboxStatus['state'], since: string, lastError: string | null = null): MailboxStatus {
  return {
    mailbox: `mb-${state}`,
    folder: 'INBOX',
    state,
    connected: state === 'connected',
    leaseHeld: state !== 'standby',
    leaseHolder: null,
    since: new Date(since),
    lastError,
    uidvalidity: null,
    lastUid: null,
    stored: 0,
    idle: 'push',
  };
}

test('readiness: database, each mailbox (or how long it has been trying), the LLM; ready only when all are', async () => {
  let statuses = [mailbox('connected', '2026-11-23T11:00:00Z'), mailbox('standby', '2026-11-23T11:00:00Z')];
  const ready = createReadiness({
    db: fakeDb(),
    mailboxes: () => statuses,
    llm: llmProbe({ kind: 'openai', baseUrl: llm.url, model: 'gpt-4o-mini', apiKey: 'sk-readiness-0123456789abcdef' }),
    clock,
  });
  const first = await ready();
  assert.equal(first.ready, true, JSON.stringify(first));
  assert.equal(first.llm.ok, true);
  statuses = [...statuses, mailbox('reconnecting', '2026-11-23T11:58:30Z', 'connect ECONNREFUSED')];
  const second = await ready();
  assert.equal(second.ready, false);
  assert.deepEqual(second.mailboxes[2], {
    name: 'mb-reconnecting',
    ok: false,
    state: 'reconnecting',
    since: '2026-11-23T11:58:30.000Z',
    folder: 'INBOX',
    idle: 'push',
    trying_for_seconds: 90,
    error: 'connect ECONNREFUSED',
  });
  assert.equal(second.mailboxes[1]!.ok, true, 'standby: another process holds the mailbox');

  const down = createReadiness({ db: fakeDb(new Error('connection refused')), clock });
  const report = await down();
  assert.equal(report.ready, false);
  assert.match(report.database.error!, /database unreachable: connection refused/);
  assert.equal(report.llm.kind, 'rules');
});

test('readiness probes the LLM at most once per cache period and reports a wrong key or a dead server', async () => {
  let now = new Date('2026-11-23T12:00:00Z');
  const ticking = { now: () => now };
  let probes = 0;
  const counting = { kind: 'openai' as const, probe: async () => void probes++ };
  const ready = createReadiness({ db: fakeDb(), llm: counting, clock: ticking, llmCacheMs: 60_000 });
  await Promise.all([ready(), ready(), ready()]);
  await ready();
  assert.equal(probes, 1);
  now = new Date(now.getTime() + 60_000);
  await ready();
  assert.equal(probes, 2);

  // The fake OpenAI server does not check keys on /models; a real one answers 401 as this one does.
  const refusing = createServer((_req, res) => res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":{"message":"Incorrect API key"}}'));
  await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = refusing.address() as AddressInfo;
    const wrongKey = await createReadiness({
      db: fakeDb(),
      llm: llmProbe({ kind: 'openai', baseUrl: `http://127.0.0.1:${port}/v1`, model: 'm', apiKey: 'sk-wrong' }),
    })();
    assert.equal(wrongKey.ready, false);
    assert.match(wrongKey.llm.error!, /refused the API key \(HTTP 401\)/);
  } finally {
    refusing.closeAllConnections();
    await new Promise((resolve) => refusing.close(resolve));
  }
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const closedPort = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  const dead = await createReadiness({
    db: fakeDb(),
    llm: llmProbe({ kind: 'openai', baseUrl: `http://127.0.0.1:${closedPort}/v1`, model: 'm', apiKey: null }),
  })();
  assert.equal(dead.ready, false);
  assert.match(dead.llm.error!, /unreachable: ECONNREFUSED/);
});
