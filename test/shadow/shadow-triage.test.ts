/**
 * Shadow mode for `mailroom triage FILES`, through the real CLI on both databases, with fake OpenAI
 * servers for the live model and the candidate: the files' emails are decided live first, then the
 * candidate classifies each one a classifier was asked about (the same shadow job as under
 * `mailroom run`), and `mailroom shadow report` covers them. --dry-run stores nothing, so the
 * candidate is not asked; a candidate that is down leaves its jobs queued and the live run intact.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { stringify } from 'yaml';
import type { Db } from '../../src/db/index.js';
import { openDatabase } from '../../src/db/open-database.js';
import { createPostgresDatabase, postgresUnavailable, type TestDatabase } from '../support/databases.js';
import { type ChatRequestBody, type FakeOpenAIServer, plausibleClassification, startFakeOpenAIServer } from '../support/fake-openai-server.js';
import { runCli } from '../support/run-cli.js';

const example = (name: string) => fileURLToPath(new URL(`../../examples/${name}`, import.meta.url));
/** A login problem (live: ticket), an outage the fake reads as other, a refund request and a bounce (pre-filtered: no classifier asked, nothing to shadow). */
const FILES = ['01-support-login-it.eml', '02-support-outage-en.eml', '07-billing-refund-en.eml', '20-bounce-dsn.eml'].map(example);
const env = { TEST_LIVE_KEY: 'sk-live-triage-shadow-0123456789', TEST_SHADOW_KEY: 'sk-cand-triage-shadow-0123456789' };

/** Which server answered, in order: the candidate must come after every live call. */
let calls: string[] = [];
let live: FakeOpenAIServer;
let candidate: FakeOpenAIServer;
let folder: string;
let postgres: TestDatabase | null = null;
const pgReason = await postgresUnavailable();

before(async () => {
  live = await startFakeOpenAIServer({
    logprobs: false,
    responder: (body) => {
      calls.push('live');
      return plausibleClassification(body);
    },
  });
  // The candidate is less sure of everything: below policy.threshold, support mail goes to review.
  candidate = await startFakeOpenAIServer({
    logprobs: false,
    responder: (body: ChatRequestBody) => {
      calls.push('candidate');
      return { ...plausibleClassification(body), confidence: 0.4 };
    },
  });
  folder = mkdtempSync(join(tmpdir(), 'mailroom-shadow-triage-'));
  if (!pgReason) postgres = await createPostgresDatabase();
});
after(async () => {
  await live.close();
  await candidate.close();
  await postgres?.drop();
  rmSync(folder, { recursive: true, force: true });
});

function writeConfig(name: string, database: Record<string, unknown>): string {
  const file = join(folder, `${name}.yaml`);
  const classifier = {
    base_url: live.url,
    api_key: '${TEST_LIVE_KEY}',
    model: 'live-model',
    max_retries: 0,
    examples: 0,
    shadow: { kind: 'openai', name: 'cautious', model: 'cand-model', base_url: candidate.url, api_key: '${TEST_SHADOW_KEY}', max_retries: 0 },
  };
  writeFileSync(file, stringify({ database, classifier, api: { enabled: false }, drafts: { mode: 'off' } }));
  return file;
}

const kinds = [
  { kind: 'pglite', database: () => ({ path: join(folder, 'pglite') }) },
  { kind: 'postgres', database: () => ({ url: postgres!.url }), skip: pgReason ? `PostgreSQL unavailable (${pgReason})` : false },
] as const;

for (const { kind, database, ...rest } of kinds) {
  describe(`shadow for triage files [${kind}]`, { skip: 'skip' in rest ? rest.skip : false }, () => {
    let config: string;
    let db: Db;
    before(async () => {
      config = writeConfig(kind, database());
    });
    after(async () => {
      await db?.destroy();
    });
    const openDb = async () => {
      db ??= await openDatabase({ url: kind === 'postgres' ? (postgres!.url ?? undefined) : undefined, path: join(folder, 'pglite'), pool_size: 1 });
      return db;
    };

    test('--dry-run stores nothing, so the candidate is not asked, and says so', { timeout: 600_000 }, async () => {
      calls = [];
      const out = await runCli(['--config', config, 'triage', '--dry-run', FILES[0]!], { env, timeoutMs: 600_000 });
      assert.equal(out.code, 0, out.stderr);
      assert.match(out.stderr, /shadow candidate cautious not asked: --dry-run stores nothing/);
      assert.deepEqual(calls, ['live']);
    });

    test('triage decides live first, then the candidate classifies each classified email; the report covers them', { timeout: 600_000 }, async () => {
      calls = [];
      const out = await runCli(['--config', config, 'triage', ...FILES], { env, timeoutMs: 600_000 });
      assert.equal(out.code, 0, out.stderr);
      assert.match(out.stderr, /shadow cautious: 3 classified; nothing it decided was acted on/);
      assert.deepEqual(calls, ['live', 'live', 'live', 'candidate', 'candidate', 'candidate'], 'no candidate call before the last live decision');
      assert.ok(candidate.requests.every((r) => r.authorization === `Bearer ${env.TEST_SHADOW_KEY}` && r.body.model === 'cand-model'));

      // The live decisions are what they are without shadow mode.
      assert.match(out.stdout, /01-support-login-it\.eml: TICKET/);
      const conn = await openDb();
      const rows = await sql<{ status: string; action: string; live: string; prefilter: string | null }>`
        select s.status, s.action, d.action as live, d.prefilter from shadow_results s join decisions d on d.email_id = s.email_id`.execute(conn);
      assert.equal(rows.rows.length, 3, 'the bounce was pre-filtered: nothing to shadow');
      assert.ok(rows.rows.every((r) => r.status === 'done'));
      assert.deepEqual(
        rows.rows.filter((r) => r.live !== r.action).map((r) => `${r.live}>${r.action}`),
        ['ticket>review'],
        'the unsure candidate would have sent the login problem to review',
      );
      await db.destroy();
      db = undefined as unknown as Db;

      const report = await runCli(['--config', config, 'shadow', 'report', '--json'], { env, timeoutMs: 600_000 });
      assert.equal(report.code, 0, report.stderr);
      const parsed = JSON.parse(report.stdout.trim()) as { candidate: string; shadowed: number; classified: number; comparison: { flips: Array<{ from: string; to: string; count: number }> } };
      assert.equal(parsed.candidate, 'cautious');
      assert.deepEqual([parsed.shadowed, parsed.classified], [3, 3]);
      assert.equal(parsed.comparison.flips.find((f) => f.from === 'ticket' && f.to === 'review')?.count, 1);

      // Again: the stored decisions are reused, no model is asked, the done jobs are not redone.
      calls = [];
      const again = await runCli(['--config', config, 'triage', ...FILES], { env, timeoutMs: 600_000 });
      assert.equal(again.code, 0, again.stderr);
      assert.deepEqual(calls, []);
      assert.match(again.stderr, /shadow cautious: 0 classified/);
    });

    test('a candidate that is down leaves its jobs queued for `mailroom run`; the live run is unaffected', { timeout: 600_000 }, async () => {
      const file = join(folder, `${kind}-new.eml`);
      writeFileSync(
        file,
        'From: Luca <luca@cliente.example>\r\nTo: support@azienda.example\r\nSubject: Errore al login\r\nMessage-ID: <down-' +
          kind +
          '@cliente.example>\r\nDate: Mon, 23 Nov 2026 09:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nBuongiorno, il login non funziona da ieri: errore 500. Grazie, Luca\r\n',
      );
      await candidate.down();
      try {
        calls = [];
        const out = await runCli(['--config', config, 'triage', file], { env, timeoutMs: 600_000 });
        assert.equal(out.code, 0, out.stderr);
        assert.match(out.stdout, /: TICKET/);
        assert.match(out.stderr, /shadow cautious: 0 classified, 1 to retry later \(by `mailroom run`\)/);
      } finally {
        await candidate.up();
      }
      const conn = await openDb();
      const row = await sql<{ status: string; last_error: string | null }>`
        select s.status, s.last_error from shadow_results s join messages m on m.id = s.email_id where m.message_id = ${`<down-${kind}@cliente.example>`}`.execute(conn);
      assert.equal(row.rows[0]?.status, 'pending');
      assert.match(row.rows[0]?.last_error ?? '', /unreachable/);
    });
  });
}
