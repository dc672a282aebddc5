/**
 * `mailroom doctor` with classifier.shadow: the candidate is probed as it will be called (its own
 * server, model and key, or the live ones it inherits), against fake OpenAI servers and PostgreSQL.
 * Each failure says what went wrong and which classifier.shadow key to change; the candidate's key
 * never shows, even when its server repeats it in an error.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stringify } from 'yaml';
import { formatCheckLine } from '../../src/ops/doctor/checklist.js';
import { type CheckResult, runDoctor } from '../../src/ops/doctor/run-doctor.js';
import { createPostgresDatabase, postgresUnavailable, type TestDatabase } from '../support/databases.js';
import { type FakeOpenAIServer, startFakeOpenAIServer } from '../support/fake-openai-server.js';

const LIVE_KEY = 'sk-live-doctor-0123456789abcdef';
const SHADOW_KEY = 'sk-shadow-doctor-0123456789abcdef';
const pgReason = await postgresUnavailable();

describe('mailroom doctor probes the shadow candidate', { skip: pgReason ? `PostgreSQL unavailable (${pgReason}); skipped` : false }, () => {
  let live: FakeOpenAIServer;
  let candidate: FakeOpenAIServer;
  let database: TestDatabase;
  let dir: string;

  before(async () => {
    live = await startFakeOpenAIServer({ apiKey: LIVE_KEY });
    candidate = await startFakeOpenAIServer({ apiKey: SHADOW_KEY, models: ['cand-model'] });
    database = await createPostgresDatabase();
    dir = mkdtempSync(join(tmpdir(), 'mailroom-doctor-shadow-'));
  });
  after(async () => {
    await live.close();
    await candidate.close();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const doctor = async (shadow: Record<string, unknown> | null, env: Record<string, string> = {}) => {
    const file = join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
    const classifier = { base_url: live.url, model: 'gpt-4o-mini', api_key: '${OPENAI_API_KEY}', timeout: '5s', ...(shadow ? { shadow } : {}) };
    writeFileSync(file, stringify({ database: { url: database.url }, classifier, api: { enabled: false } }));
    const report = await runDoctor({ configPath: file, env: { OPENAI_API_KEY: LIVE_KEY, SHADOW_API_KEY: SHADOW_KEY, ...env }, timeoutMs: 8000 });
    const printed = report.results.map(formatCheckLine).join('');
    return { ...report, printed };
  };
  const own = { kind: 'openai', name: 'cand', model: 'cand-model', base_url: '', api_key: '${SHADOW_API_KEY}' };
  const named = (results: CheckResult[], name: string) => results.find((r) => r.name === name);

  test('a working candidate passes its own checks beside the live ones', async () => {
    const { results, exitCode, printed } = await doctor({ ...own, base_url: candidate.url });
    assert.equal(exitCode, 0, printed);
    assert.equal(named(results, 'llm')?.status, 'ok');
    assert.equal(named(results, 'shadow cand')?.status, 'ok');
    assert.match(named(results, 'shadow cand')!.detail, /cand-model\) answers a one-token request/);
    assert.equal(named(results, 'shadow cand json_schema')?.status, 'ok');
    assert.equal(candidate.requests.at(-1)!.authorization, `Bearer ${SHADOW_KEY}`, 'probed with its own key');
    assert.ok(!printed.includes(SHADOW_KEY) && !printed.includes(LIVE_KEY));
  });

  test('a refused key fails with the classifier.shadow key to set, and the key never shows even when the server repeats it', async () => {
    // No sk- prefix: only the configured-secret scrub, not the key pattern, can catch it.
    const wrong = 'shadow-key-Qz81-0123456789abcdef';
    // A server that repeats the whole key in its refusal (the fake's own key check would mask it).
    candidate.configure({ apiKey: undefined });
    candidate.setFaults(() => ({ type: 'status', status: 401, message: `Incorrect API key provided: ${wrong}` }));
    try {
      const { results, exitCode, printed } = await doctor({ ...own, base_url: candidate.url }, { SHADOW_API_KEY: wrong });
      assert.equal(exitCode, 1);
      const check = named(results, 'shadow cand')!;
      assert.equal(check.status, 'fail');
      assert.match(check.detail, /HTTP 401/);
      assert.match(check.fix!, /classifier\.shadow\.api_key/);
      assert.equal(named(results, 'llm')?.status, 'ok', 'the live model is checked on its own');
      assert.match(printed, /\[FAIL\] shadow cand: .*HTTP 401.*\n {7}fix: set a valid key in classifier\.shadow\.api_key/);
      assert.ok(!printed.includes(wrong), printed);
    } finally {
      candidate.setFaults(null);
      candidate.configure({ apiKey: SHADOW_KEY });
    }
  });

  test('a candidate server that is down, and a model it does not serve, each fail with their fix', async () => {
    await candidate.down();
    try {
      const { results, exitCode } = await doctor({ ...own, base_url: candidate.url });
      assert.equal(exitCode, 1);
      assert.match(named(results, 'shadow cand')!.detail, /cannot connect/);
      assert.match(named(results, 'shadow cand')!.fix!, /classifier\.shadow\.base_url \(now http/);
    } finally {
      await candidate.up();
    }
    const { results } = await doctor({ ...own, base_url: candidate.url, model: 'gpt-nope' });
    assert.match(named(results, 'shadow cand')!.fix!, /set classifier\.shadow\.model to a model the endpoint serves/);
  });

  test('a candidate on the live server without a key of its own is probed with the live key; local and rules need no server; no shadow, no line', async () => {
    const sameServer = await doctor({ kind: 'openai', model: 'gpt-4.1-mini' });
    assert.equal(named(sameServer.results, 'shadow openai:gpt-4.1-mini')?.status, 'ok', sameServer.printed);
    assert.equal(live.requests.at(-1)!.body.model, 'gpt-4.1-mini');
    assert.equal(live.requests.at(-1)!.authorization, `Bearer ${LIVE_KEY}`);

    const rules = await doctor({ kind: 'rules', name: 'offline' });
    assert.equal(named(rules.results, 'shadow offline')?.status, 'ok');
    assert.match(named(rules.results, 'shadow offline')!.detail, /no server to reach/);
    const none = await doctor(null);
    assert.equal(none.results.filter((r) => r.name.startsWith('shadow')).length, 0);
  });
});
