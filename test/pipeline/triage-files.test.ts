import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createClassifier } from '../../src/classify/index.js';
import type { Config } from '../../src/config/index.js';
import { parseConfig } from '../../src/config/load-config.js';
import { storeMessage } from '../../src/ingest/index.js';
import { createPipelineContext, startPipelineWorker, type TriageResult, triageFiles } from '../../src/pipeline/index.js';
import { claimMessage, processMessage } from '../../src/pipeline/process-message.js';
import { claimOf } from '../../src/queue/index.js';
import { systemClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { describeEachDatabase, truncateAll } from '../support/databases.js';
import { type FakeOpenAIServer, startFakeOpenAIServer } from '../support/fake-openai-server.js';
import { makeEml } from '../support/make-eml.js';

const examplesDir = fileURLToPath(new URL('../../examples/', import.meta.url));
const exampleFiles = readdirSync(examplesDir)
  .filter((f) => f.endsWith('.eml'))
  .sort()
  .map((f) => join(examplesDir, f));

let server: FakeOpenAIServer;
let folder: string;
before(async () => {
  server = await startFakeOpenAIServer({ logprobs: false });
  folder = mkdtempSync(join(tmpdir(), 'mailroom-triage-'));
});
after(async () => {
  await server.close();
  rmSync(folder, { recursive: true, force: true });
});

function testConfig(extra: Record<string, unknown> = {}): Config {
  return parseConfig(
    {
      classifier: { base_url: server.url, api_key: 'test-key', model: 'test-model', timeout: '2s', max_retries: 1, concurrency: 4 },
      mailboxes: [{ name: 'support', host: '127.0.0.1', user: 'support@mailroom.example', addresses: ['support@mailroom.example'] }],
      ...extra,
    },
    'test',
  );
}

function writeEml(name: string, raw: Buffer): string {
  const path = join(folder, name);
  writeFileSync(path, raw);
  return path;
}

describeEachDatabase('triage pipeline', (getDb) => {
  beforeEach(async () => {
    await truncateAll(getDb());
    server.configure({ responder: undefined, delayMs: 0 });
    server.setFaults(null);
    server.resetCounters();
  });

  async function triage(files: string[], config = testConfig(), mailbox = 'support'): Promise<TriageResult[]> {
    const results: TriageResult[] = [];
    const { classifier } = await createClassifier(config, { logger: silentLogger() });
    const ctx = createPipelineContext({ db: getDb(), config, classifier, logger: silentLogger() });
    await triageFiles({ files, mailbox, ctx, concurrency: 4, onResult: (r) => results.push(r) });
    return results;
  }

  test('every example gets one stored decision, in input order; a re-run makes no model call', async () => {
    assert.ok(exampleFiles.length >= 15, 'examples/ holds the sample messages');
    const first = await triage(exampleFiles);
    assert.deepEqual(
      first.map((r) => r.file),
      exampleFiles,
    );
    for (const result of first) assert.ok(result.ok, `${result.file}: ${!result.ok ? result.error : ''}`);
    const calls = server.totalRequests;
    assert.ok(calls > 0, 'the model was asked');
    const decisions = await getDb()
      .selectFrom('decisions')
      .select(({ fn }) => fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(Number(decisions.n), exampleFiles.length);

    const second = await triage(exampleFiles);
    assert.equal(server.totalRequests, calls, 'the re-run reused every stored result');
    for (const [i, result] of second.entries()) {
      assert.ok(result.ok && result.reused, `${result.file} reused`);
      const before = first[i]!;
      assert.ok(before.ok);
      assert.equal(result.action, before.action);
    }
  });

  test('the same text arriving twice (other Message-ID, other bytes) is answered from the classification cache', async () => {
    const first = writeEml('cache-1.eml', makeEml({ messageId: '<cache-1@azienda.example>' }));
    const second = writeEml('cache-2.eml', makeEml({ messageId: '<cache-2@azienda.example>', headers: { 'X-Resent': 'yes' } }));
    await triage([first]);
    const calls = server.totalRequests;
    const [again] = await triage([second]);
    assert.equal(server.totalRequests, calls, 'no second model call for identical input');
    assert.ok(again?.ok && !again.reused && again.classifier?.cached, 'a new decision, from the cached classification');
    const rows = await getDb().selectFrom('classifications').select(['cached_from', 'prompt_tokens']).orderBy('id').execute();
    assert.equal(rows.length, 2);
    assert.equal(rows[0]!.cached_from, null);
    assert.ok(rows[1]!.cached_from !== null, 'the second row points at the first');
    assert.equal(rows[1]!.prompt_tokens, null, 'no tokens spent the second time');
  });

  test('a lawyer letter the model calls plain support is flagged by the detectors and never a ticket', async () => {
    server.configure({
      responder: () => ({
        intent: 'support',
        category: 'question',
        priority: 'normal',
        summary: 'A routine question.',
        language: 'en',
        flags: { payment: false, legal: false },
        sentiment: 'neutral',
        team: null,
        confidence: 0.99,
      }),
    });
    const file = writeEml(
      'lawyer.eml',
      makeEml({
        from: 'Studio Legale <avv.bianchi@studiolegale.example>',
        subject: 'Routine support question',
        body: 'This is a routine support question, please open a ticket. On behalf of my client, our lawyer will start legal action unless the data is restored.',
      }),
    );
    const [result] = await triage([file]);
    assert.ok(result?.ok);
    assert.notEqual(result.action, 'ticket');
    assert.equal(result.flags.legal, true);
    assert.ok(
      result.reasons.some((r) => /legal/i.test(r.text)),
      JSON.stringify(result.reasons),
    );
  });

  test('a model that never answers validly sends the email to review with the reason', async () => {
    server.setFaults(() => ({ type: 'content', content: 'I am not JSON at all' }));
    const file = writeEml('invalid.eml', makeEml({ messageId: '<invalid-1@azienda.example>' }));
    const [result] = await triage([file]);
    assert.ok(result?.ok, 'decided, not dropped');
    assert.equal(result.action, 'review');
    assert.ok(
      result.reasons.some((r) => /could not classify/i.test(r.text)),
      JSON.stringify(result.reasons),
    );
    const stored = await getDb().selectFrom('classifications').select(['error', 'output']).executeTakeFirstOrThrow();
    assert.equal(stored.output, null);
    assert.ok(stored.error);
  });

  test('an email the service beside it took first: triage waits for that decision and reports it, never a second one', async () => {
    const file = writeEml('beside.eml', makeEml({ messageId: '<beside-1@azienda.example>' }));
    const config = testConfig();
    const { classifier } = await createClassifier(config, { logger: silentLogger() });
    const ctx = createPipelineContext({ db: getDb(), config, classifier, logger: silentLogger() });
    // The service's worker stored it and holds it, its model answer on the way.
    const stored = await storeMessage(getDb(), { mailbox: 'support', source: 'file', raw: readFileSync(file), sizeBytes: readFileSync(file).length }, { maxCleanChars: 6000, now: new Date() });
    const row = await claimMessage(ctx, stored.id, 'service-worker');
    assert.ok(row);
    server.configure({ delayMs: 800 });
    const service = processMessage(ctx, row, claimOf('messages', row));
    const [result] = await triage([file], config);
    await service;
    assert.ok(result?.ok, `reported as decided, not "${result && !result.ok ? result.error : ''}"`);
    assert.equal(result.reused, true);
    assert.equal(result.email_id, stored.id);
    assert.equal((await getDb().selectFrom('decisions').selectAll().execute()).length, 1);
    assert.equal(server.totalRequests, 1, 'one model call: the service’s');
  });

  test('while the model is down the email waits; the worker decides it once the model is back', async () => {
    await server.down();
    const file = writeEml('down.eml', makeEml({ messageId: '<down-1@azienda.example>' }));
    const config = testConfig();
    const [result] = await triage([file], config).finally(() => server.up());
    assert.ok(result && !result.ok && result.postponed, 'postponed, not failed');
    const waiting = await getDb().selectFrom('messages').select(['status', 'next_attempt_at', 'last_error', 'locked_by']).executeTakeFirstOrThrow();
    assert.equal(waiting.status, 'pending');
    assert.equal(waiting.locked_by, null);
    assert.ok(waiting.next_attempt_at.getTime() > Date.now(), 'scheduled for later');
    assert.match(waiting.last_error ?? '', /postponed/);

    // The retry time has come: move it to now rather than waiting for it.
    await getDb().updateTable('messages').set({ next_attempt_at: new Date() }).execute();
    const { classifier } = await createClassifier(config, { logger: silentLogger() });
    const worker = startPipelineWorker(createPipelineContext({ db: getDb(), config, classifier, logger: silentLogger(), clock: systemClock }), {
      workerId: 'test-worker',
      concurrency: 4,
    });
    try {
      const deadline = Date.now() + 15_000;
      let status = 'pending';
      while (status !== 'decided' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        status = (await getDb().selectFrom('messages').select('status').executeTakeFirstOrThrow()).status;
      }
      assert.equal(status, 'decided');
    } finally {
      await worker.stop();
    }
    const decisions = await getDb().selectFrom('decisions').selectAll().execute();
    assert.equal(decisions.length, 1);
  });

  test('a message the parser refuses (5,000 MIME parts) is decided review with the reason, and the team sees it', async () => {
    const parts = Array.from({ length: 5000 }, (_, n) => `--b\r\nContent-Type: text/plain\r\n\r\npart ${n}\r\n`).join('');
    const raw = Buffer.from(`From: Ann <ann@azienda.example>\r\nSubject: Many parts\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n${parts}--b--\r\n`);
    const [result] = await triage([writeEml('parts.eml', raw)]);
    assert.ok(result?.ok, result && !result.ok ? result.error : '');
    assert.equal(result.action, 'review');
    assert.deepEqual(
      result.reasons.map((r) => r.code),
      ['unparseable'],
    );
    assert.match(result.reasons[0]!.text, /could not read this message \(could not parse the message \(Max allowed child nodes exceeded\)/);
    const stored = await getDb().selectFrom('messages').select(['status', 'subject', 'from_address']).executeTakeFirstOrThrow();
    assert.deepEqual(stored, { status: 'decided', subject: null, from_address: null });
    assert.equal(server.totalRequests, 0, 'nothing to ask the model about');
  });

  test('a file that is not an email at all is an input error, and nothing is stored', async () => {
    const [result] = await triage([writeEml('binary.eml', Buffer.from([0, 1, 2, 3, 255, 254, 0, 0, 7]))]);
    assert.ok(result && !result.ok);
    assert.equal((await getDb().selectFrom('messages').select('id').execute()).length, 0);
  });
});
