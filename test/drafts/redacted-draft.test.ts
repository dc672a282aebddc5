/**
 * Reply drafts with classifier.redact: the reply model is shown placeholders, the draft in the real
 * mailbox gets the values back; a placeholder the model made up is removed; a mapping that does not
 * open leaves the placeholders and says why. Private Dovecot, fake model, both databases.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { type ParsedMail, simpleParser } from 'mailparser';
import { type Config, configSchema } from '../../src/config/index.js';
import { createSecretBox, type Db } from '../../src/db/index.js';
import { type DraftContext, enqueueDraft, writeDueDraftsNow } from '../../src/drafts/draft-worker.js';
import { storeMessage } from '../../src/ingest/store-message.js';
import { parseEmail } from '../../src/parse/parse-email.js';
import { examineEmail, PII_KINDS, sealMapping } from '../../src/redact/index.js';
import { silentLogger } from '../../src/util/logger.js';
import { describeEachDatabase, truncateAll } from '../support/databases.js';
import { dovecotSkip, type PrivateDovecot, startDovecot } from '../support/dovecot.js';
import { type ChatRequestBody, emailTextOf, type FakeOpenAIServer, plausibleClassification, startFakeOpenAIServer } from '../support/fake-openai-server.js';
import { makeEml } from '../support/make-eml.js';

const KEY = 'test-secret-key-for-redacted-drafts-0123';
const PHONE = '+39 347 123 4567';
const IBAN = 'IT60 X054 2811 1010 0000 0123 456';
const CUSTOMER = 'giulia.bianchi@cliente.example';

let dovecot: PrivateDovecot;
let llm: FakeOpenAIServer;

/** The reply model answers with the placeholders it was shown, and one it made up. */
function placeholderReply(body: ChatRequestBody): Record<string, unknown> | string {
  const system = body.messages.find((m) => m.role === 'system')?.content ?? '';
  if (!system.startsWith('You write reply drafts')) return plausibleClassification(body);
  return 'Buongiorno [NAME_1],\n\nla richiameremo al [PHONE_1] e confermeremo il rimborso su [IBAN_1] a [EMAIL_1]. Riferimento [TAX_ID_3].\n\nCordiali saluti';
}

function config(): Config {
  return configSchema.parse({
    mailboxes: [{ name: 'support', host: '127.0.0.1', port: dovecot.port, security: 'plain', user: 'support', password: 'support-pass', addresses: ['support@mailroom.example'] }],
    classifier: { base_url: llm.url, api_key: 'sk-test', max_retries: 0, timeout: '5s', redact: true },
    drafts: { mode: 'draft' },
  });
}

async function seed(db: Db, messageId: string, sealWith: string): Promise<string> {
  const eml = makeEml({
    from: `Giulia Bianchi <${CUSTOMER}>`,
    subject: 'Richiesta informazioni',
    messageId,
    body: `Buongiorno, vorrei sapere come funziona il servizio. Potete richiamarmi al ${PHONE}? Per eventuali rimborsi: IBAN ${IBAN}. Grazie, Giulia`,
  });
  const stored = await storeMessage(db, { mailbox: 'support', source: 'imap', raw: eml, sizeBytes: eml.length }, { maxCleanChars: 6000, now: new Date() });
  // What the pipeline stores when it classifies with redaction on.
  const pii = examineEmail(await parseEmail(eml), { redact: new Set(PII_KINDS) });
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('messages').set({ status: 'decided' }).where('id', '=', stored.id).execute();
    await trx
      .insertInto('pii_mappings')
      .values({ email_id: stored.id, sealed: sealMapping(createSecretBox(sealWith, 'test'), stored.id, pii.mapping) })
      .execute();
    await enqueueDraft(trx, { emailId: stored.id, mailbox: 'support', acknowledgeOnly: false }, new Date());
  });
  return stored.id;
}

async function draftIn(emailId: string): Promise<ParsedMail> {
  const client = await dovecot.client('support');
  try {
    const lock = await client.getMailboxLock('Drafts');
    try {
      for await (const message of client.fetch('1:*', { source: true })) {
        const parsed = await simpleParser(message.source!);
        if (parsed.headers.get('x-mailroom-email-id') === emailId) return parsed;
      }
      throw new Error(`no draft for ${emailId}`);
    } finally {
      lock.release();
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
}

describe('reply drafts with redaction', { skip: dovecotSkip() }, () => {
  before(async () => {
    dovecot = await startDovecot();
    llm = await startFakeOpenAIServer({ responder: placeholderReply });
  });
  after(async () => {
    await llm.close();
    await dovecot.stop();
  });
  beforeEach(() => llm.resetCounters());

  describeEachDatabase('drafts', (getDb) => {
    beforeEach(() => truncateAll(getDb()));
    const context = (): DraftContext => ({ db: getDb(), config: config(), logger: silentLogger(), workerId: 'test-worker', secretBox: () => createSecretBox(KEY, 'test') });

    test('the model sees placeholders; the draft gets the values back; a made-up placeholder is removed', async () => {
      const emailId = await seed(getDb(), `<redacted-1-${Date.now()}@cliente.example>`, KEY);
      await writeDueDraftsNow(context());
      const request = llm.requests.find((r) => (r.body.messages[0]?.content ?? '').startsWith('You write reply drafts'));
      assert.ok(request, 'the reply model was asked');
      const shown = emailTextOf(request.body);
      for (const value of [PHONE, IBAN, CUSTOMER, 'Giulia Bianchi']) assert.ok(!shown.includes(value), `the reply model was not shown ${value}`);
      assert.match(shown, /\[PHONE_1\]/);
      assert.match(shown, /\[NAME_1\]/, "the sender's name is a placeholder too");

      const draft = await draftIn(emailId);
      assert.match(draft.text ?? '', /^Buongiorno Giulia Bianchi,/, "the sender's name is put back");
      assert.match(draft.text ?? '', new RegExp(`richiameremo al \\${PHONE} e confermeremo il rimborso su ${IBAN} a ${CUSTOMER.replace('.', '\\.')}\\. Riferimento\\.`));
      assert.doesNotMatch(draft.text ?? '', /\[[A-Z_]+_\d+\]/, 'no placeholder is left, and the made-up one is not filled');
      const row = await getDb().selectFrom('drafts').select(['reply_text', 'note', 'status']).where('email_id', '=', emailId).executeTakeFirstOrThrow();
      assert.equal(row.status, 'drafted');
      assert.match(row.reply_text ?? '', /\[PHONE_1\]/, 'the stored reply keeps the placeholders, not the values');
      assert.match(row.note ?? '', /\[TAX_ID_3\]/, 'the removed placeholder is recorded');
    });

    test('a mapping sealed under another key leaves the placeholders and records why, never a wrong value', async () => {
      const emailId = await seed(getDb(), `<redacted-2-${Date.now()}@cliente.example>`, 'some-other-key-entirely-9876543210');
      await writeDueDraftsNow(context());
      const draft = await draftIn(emailId);
      // The quoted original below the reply carries the customer's own text; the reply itself keeps the placeholders.
      assert.match(draft.text ?? '', /richiameremo al \[PHONE_1\] e confermeremo il rimborso su \[IBAN_1\] a \[EMAIL_1\]\. Riferimento \[TAX_ID_3\]\./);
      const row = await getDb().selectFrom('drafts').select(['note', 'status']).where('email_id', '=', emailId).executeTakeFirstOrThrow();
      assert.equal(row.status, 'drafted');
      assert.match(row.note ?? '', /cannot be opened \(encrypted under another key/);
      assert.match(row.note ?? '', /keeps the placeholders/);
    });
  });
});
