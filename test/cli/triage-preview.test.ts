/**
 * `triage` on a configuration with reply drafts for the named mailbox shows the draft it would
 * write and stores nothing; `--deliver` stores the decision and queues the draft.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stringify } from 'yaml';
import { createPostgresDatabase, postgresUnavailable, type TestDatabase } from '../support/databases.js';
import { type FakeOpenAIServer, startFakeOpenAIServer } from '../support/fake-openai-server.js';
import { makeEml } from '../support/make-eml.js';
import { runCli } from '../support/run-cli.js';

const pgReason = await postgresUnavailable();
const env = { TEST_LLM_KEY: 'sk-test-preview', TEST_IMAP_PASSWORD: 'never-used-here' };

describe('triage previews reply drafts unless --deliver', { skip: pgReason ? `PostgreSQL not reachable (${pgReason}); skipped` : false }, () => {
  let database: TestDatabase;
  let llm: FakeOpenAIServer;
  let dir: string;
  let config: string;
  let file: string;

  before(async () => {
    database = await createPostgresDatabase();
    llm = await startFakeOpenAIServer({
      logprobs: false,
      responder: () => ({
        intent: 'sales',
        category: 'question',
        priority: 'normal',
        summary: 'Asks for a quote for 40 seats.',
        language: 'en',
        flags: { payment: false, legal: false },
        sentiment: 'positive',
        team: null,
        confidence: 0.9,
      }),
    });
    dir = mkdtempSync(join(tmpdir(), 'mailroom-preview-'));
    file = join(dir, 'quote.eml');
    writeFileSync(
      file,
      makeEml({ messageId: '<quote.40@buyer.example>', from: 'Buyer <buyer@buyer.example>', subject: 'Quote for 40 seats', body: 'Hello, could you send a quote for 40 seats? Thanks' }),
    );
    config = join(dir, 'mailroom.yaml');
    writeFileSync(
      config,
      stringify({
        database: { url: database.url },
        // Never contacted by triage: drafts are written later by `mailroom run`.
        mailboxes: [{ name: 'support', host: '127.0.0.1', port: 9, security: 'plain', user: 'support', password: '${TEST_IMAP_PASSWORD}' }],
        classifier: { base_url: llm.url, api_key: '${TEST_LLM_KEY}', model: 'test-model' },
        drafts: { mode: 'draft' },
      }),
    );
  });
  after(async () => {
    await llm?.close();
    await database?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('without --deliver: the draft it would write, nothing stored; with it: stored and queued', async () => {
    const previewed = await runCli(['--config', config, 'triage', '--mailbox', 'support', file], { env });
    assert.equal(previewed.code, 0, previewed.stderr);
    assert.match(previewed.stdout, /: DRAFT — /);
    assert.match(previewed.stdout, /would write a reply draft in mailbox support's Drafts folder/);
    assert.match(previewed.stderr, /preview: nothing stored, nothing sent; 1 email would set something off/);
    assert.deepEqual(await database.db.selectFrom('messages').select('id').execute(), []);
    assert.deepEqual(await database.db.selectFrom('drafts').select('id').execute(), []);

    const json = await runCli(['--config', config, 'triage', '--mailbox', 'support', '--json', file], { env });
    assert.deepEqual((JSON.parse(json.stdout.trim()) as { preview: unknown }).preview, { reused: false, webhook_id: null, webhooks: [], draft: 'support' });

    const delivered = await runCli(['--config', config, 'triage', '--mailbox', 'support', '--deliver', '--json', file], { env });
    assert.equal(delivered.code, 0, delivered.stderr);
    const line = JSON.parse(delivered.stdout.trim()) as { email_id: string; action: string; preview?: unknown };
    assert.equal(line.action, 'draft');
    assert.equal(line.preview, undefined);
    const drafts = await database.db.selectFrom('drafts').select(['email_id', 'mailbox', 'status']).execute();
    assert.deepEqual(drafts, [{ email_id: line.email_id, mailbox: 'support', status: 'pending' }]);

    // Stored now: a preview reports the stored decision and sets nothing off again.
    const again = await runCli(['--config', config, 'triage', '--mailbox', 'support', file], { env });
    assert.match(again.stdout, /DRAFT \(stored decision\)/);
    assert.doesNotMatch(again.stdout, /would write/);
  });
});
