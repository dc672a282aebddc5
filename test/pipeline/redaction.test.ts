import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { createClassifier } from '../../src/classify/index.js';
import type { Config } from '../../src/config/index.js';
import { parseConfig } from '../../src/config/load-config.js';
import { createSecretBox } from '../../src/db/index.js';
import { createPipelineContext, type TriageResult, triageFiles } from '../../src/pipeline/index.js';
import { openMapping } from '../../src/redact/index.js';
import { silentLogger } from '../../src/util/logger.js';
import { describeEachDatabase, truncateAll } from '../support/databases.js';
import { emailTextOf, type FakeOpenAIServer, startFakeOpenAIServer } from '../support/fake-openai-server.js';
import { makeEml } from '../support/make-eml.js';

const SECRET_KEY = 'test-secret-key-for-pii-mappings-0123456789';
const CARD = '4970 1024 5957 1172';
const PHONE = '+39 347 123 4567';
const CUSTOMER = 'maria.rossi@cliente.example';

let server: FakeOpenAIServer;
let folder: string;
before(async () => {
  server = await startFakeOpenAIServer({ logprobs: false });
  folder = mkdtempSync(join(tmpdir(), 'mailroom-redaction-'));
});
after(async () => {
  await server.close();
  rmSync(folder, { recursive: true, force: true });
});

function testConfig(classifier: Record<string, unknown> = {}, policy: Record<string, unknown> = {}): Config {
  return parseConfig(
    {
      classifier: { base_url: server.url, api_key: 'test-key', model: 'test-model', timeout: '2s', max_retries: 1, ...classifier },
      mailboxes: [{ name: 'support', host: '127.0.0.1', user: 'support@mailroom.example', addresses: ['support@mailroom.example'] }],
      webhooks: { secret_key: SECRET_KEY },
      policy,
    },
    'test',
  );
}

function customerMail(name: string, card = CARD): string {
  const path = join(folder, name);
  writeFileSync(
    path,
    makeEml({
      from: `Maria Rossi <${CUSTOMER}>`,
      subject: `Login error, card ${card}`,
      body: `Hello, the login does not work since yesterday. My card ${card} was charged, write to ${CUSTOMER} or support@mailroom.example, or call ${PHONE}.`,
      messageId: `<${name}@cliente.example>`,
    }),
  );
  return path;
}

describeEachDatabase('redaction before the model', (getDb) => {
  beforeEach(async () => {
    await truncateAll(getDb());
    server.configure({ responder: undefined });
    server.resetCounters();
  });

  async function triage(files: string[], config: Config): Promise<TriageResult[]> {
    const results: TriageResult[] = [];
    const { classifier } = await createClassifier(config, { logger: silentLogger() });
    const ctx = createPipelineContext({ db: getDb(), config, classifier, logger: silentLogger() });
    await triageFiles({ files, mailbox: 'support', ctx, concurrency: 2, onResult: (r) => results.push(r) });
    return results;
  }

  test('the model sees placeholders, never the values; the decision still sees the card; kinds and the sealed mapping are stored', async () => {
    const [result] = await triage([customerMail('one.eml')], testConfig({ redact: true }));
    assert.ok(result?.ok);
    const sent = emailTextOf(server.requests[0]!.body);
    for (const value of [CARD, PHONE, CUSTOMER, 'support@mailroom.example', 'Maria Rossi']) assert.ok(!sent.includes(value), `the model was not shown ${value}`);
    assert.match(sent, /From: \[NAME_1\] <\[EMAIL_1\]>/, "the sender's display name is a person's name: a placeholder too");
    assert.match(sent, /Subject: Login error, card \[CARD_1\]/);
    assert.match(sent, /My card \[CARD_1\] was charged, write to \[EMAIL_1\] or \[EMAIL_2\], or call \[PHONE_1\]/);

    const classification = await getDb().selectFrom('classifications').select(['pii', 'output']).executeTakeFirstOrThrow();
    assert.deepEqual(classification.pii, { redacted: true, kinds: { card: 1, email: 2, phone: 1 } });
    assert.ok(!JSON.stringify(classification).includes('4970'), 'no value in the classification row');

    const decision = await getDb().selectFrom('decisions').select(['flags']).executeTakeFirstOrThrow();
    assert.equal((decision.flags as { payment: boolean }).payment, true, 'the detectors read the card number in the original text');

    const stored = await getDb().selectFrom('pii_mappings').selectAll().executeTakeFirstOrThrow();
    assert.ok(!stored.sealed.includes('4970') && !stored.sealed.includes('maria'), 'the mapping is encrypted at rest');
    const mapping = openMapping(createSecretBox(SECRET_KEY, 'test'), stored.email_id, stored.sealed);
    assert.deepEqual(
      mapping.map((e) => [e.placeholder, e.value]),
      [
        ['[NAME_1]', 'Maria Rossi'],
        ['[EMAIL_1]', CUSTOMER],
        ['[CARD_1]', CARD],
        ['[EMAIL_2]', 'support@mailroom.example'],
        ['[PHONE_1]', PHONE],
      ],
    );
    assert.throws(() => openMapping(createSecretBox('another-key-entirely-0123456789', 'other'), stored.email_id, stored.sealed), /another key/);
  });

  test('per-kind configuration: only cards are replaced', async () => {
    await triage([customerMail('kinds.eml')], testConfig({ redact: ['card'] }));
    const sent = emailTextOf(server.requests[0]!.body);
    assert.ok(!sent.includes(CARD));
    assert.ok(sent.includes(CUSTOMER) && sent.includes(PHONE), 'other kinds are sent as they are');
  });

  test('redact auto: a model on loopback sees the text as it is, and the classification records the kinds as not redacted', async () => {
    await triage([customerMail('local.eml')], testConfig());
    assert.ok(emailTextOf(server.requests[0]!.body).includes(CARD));
    const row = await getDb().selectFrom('classifications').select('pii').executeTakeFirstOrThrow();
    assert.deepEqual(row.pii, { redacted: false, kinds: { card: 1, email: 2, phone: 1 } });
    assert.equal((await getDb().selectFrom('pii_mappings').selectAll().execute()).length, 0, 'no mapping without redaction');
  });

  test('the cache keys on the redacted text: two customers with the same words share one model call', async () => {
    const config = testConfig({ redact: true });
    await triage([customerMail('first.eml')], config);
    const calls = server.totalRequests;
    const [second] = await triage([customerMail('second.eml', '5355 2277 7412 1544')], config);
    assert.equal(server.totalRequests, calls, 'answered from the cache');
    assert.ok(second?.ok && second.classifier?.cached);
    const mappings = await getDb().selectFrom('pii_mappings').select('email_id').execute();
    assert.equal(mappings.length, 2, 'each email keeps its own mapping');
  });

  test('policy.review_when_pii sends mail with a card number to a person', async () => {
    server.configure({
      responder: () => ({
        intent: 'support',
        category: 'account',
        priority: 'normal',
        summary: 'Login problem of [EMAIL_1].',
        language: 'en',
        flags: { payment: false, legal: false },
        sentiment: 'neutral',
        team: null,
        confidence: 0.95,
      }),
    });
    const path = join(folder, 'nocharge.eml');
    writeFileSync(path, makeEml({ from: `Maria <${CUSTOMER}>`, subject: 'Login error', body: `The login does not work. My codice fiscale is RSSMRA85T10A562S.`, messageId: '<nocharge@x>' }));
    const [plain] = await triage([path], testConfig({ redact: true }));
    assert.ok(plain?.ok);
    assert.equal(plain.action, 'ticket');
    await truncateAll(getDb());
    const [reviewed] = await triage([path], testConfig({ redact: true }, { review_when_pii: ['card', 'national_id'] }));
    assert.ok(reviewed?.ok);
    assert.equal(reviewed.action, 'review');
    assert.ok(reviewed.reasons.some((r) => r.code === 'pii_review'));
  });
});
