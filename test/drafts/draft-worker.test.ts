/**
 * Reply drafts end to end against a private Dovecot, the fake OpenAI server and both databases:
 * threading, language, idempotent APPEND after a crash, never to the wrong place, send mode.
 */

import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { createOpenAIClassifier } from '../../src/classify/openai-classifier.js';
import { type Config, configSchema, mailboxFacts } from '../../src/config/index.js';
import type { Classification } from '../../src/contract/index.js';
import type { Db } from '../../src/db/index.js';
import { policyFrom } from '../../src/decide/index.js';
import { type DraftContext, enqueueDraft, startDraftWorker, writeDueDraftsNow } from '../../src/drafts/draft-worker.js';
import { acknowledgementText } from '../../src/drafts/write-reply.js';
import { loginGate } from '../../src/ingest/index.js';
import { storeMessage } from '../../src/ingest/store-message.js';
import { parseEmail } from '../../src/parse/parse-email.js';
import { evaluateEmail } from '../../src/pipeline/evaluate-email.js';
import { silentLogger } from '../../src/util/logger.js';
import { describeEachDatabase, truncateAll } from '../support/databases.js';
import { dovecotSkip, type PrivateDovecot, startDovecot } from '../support/dovecot.js';
import { type FakeOpenAIServer, startFakeOpenAIServer } from '../support/fake-openai-server.js';
import { makeEml } from '../support/make-eml.js';
import { replyEchoResponder } from './reply-responder.js';

const MAILBOX_ADDRESS = 'support@mailroom.example';

interface SentMail {
  envelopeTo: string[];
  parsed: ParsedMail;
}

let dovecot: PrivateDovecot;
let llm: FakeOpenAIServer;
let smtp: SMTPServer;
let smtpPort = 0;
const sentMail: SentMail[] = [];

function baseConfig(overrides: { drafts?: Record<string, unknown>; port?: number; draftsFolder?: string } = {}): Config {
  return configSchema.parse({
    mailboxes: [
      {
        name: 'support',
        host: '127.0.0.1',
        port: overrides.port ?? dovecot.port,
        security: 'plain',
        user: 'support',
        password: 'support-pass',
        addresses: [MAILBOX_ADDRESS],
        ...(overrides.draftsFolder ? { drafts_folder: overrides.draftsFolder } : {}),
      },
    ],
    classifier: { base_url: llm.url, api_key: 'sk-test', max_retries: 0, timeout: '5s' },
    drafts: { mode: 'draft', ...overrides.drafts },
  });
}

function classification(language: string, overrides: Partial<Classification> = {}): Classification {
  return {
    intent: 'sales',
    category: 'question',
    priority: 'normal',
    summary: 'The sender asks for an offer',
    language,
    flags: { payment: false, legal: false },
    sentiment: 'neutral',
    team: null,
    confidence: 0.9,
    ...overrides,
  };
}

/** Stores the email, a classification and a `draft` decision, and queues the draft: what the pipeline does. */
async function seedDraft(db: Db, eml: Buffer, options: { classification: Classification; acknowledgeOnly?: boolean; flags?: { payment: boolean; legal: boolean; vip: boolean } }): Promise<string> {
  const stored = await storeMessage(db, { mailbox: 'support', source: 'imap', raw: eml, sizeBytes: eml.length }, { maxCleanChars: 6000, now: new Date() });
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('messages').set({ status: 'decided' }).where('id', '=', stored.id).execute();
    const c = await trx
      .insertInto('classifications')
      .values({
        email_id: stored.id,
        classifier: 'openai',
        model: 'gpt-4o-mini',
        prompt_version: 'test',
        input_hash: 'test',
        output: JSON.stringify(options.classification),
        confidence: options.classification.confidence,
        model_confidence: options.classification.confidence,
        logprob_confidence: null,
        mode: 'json_schema',
        prompt_tokens: null,
        completion_tokens: null,
        latency_ms: null,
        cached_from: null,
        error: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('decisions')
      .values({
        email_id: stored.id,
        action: 'draft',
        reasons: JSON.stringify([{ code: 'test', text: 'test' }]),
        flags: JSON.stringify(options.flags ?? { payment: false, legal: false, vip: false }),
        detector_matches: JSON.stringify([]),
        prefilter: null,
        acknowledge_only: options.acknowledgeOnly ?? false,
        classification_id: c.id,
        policy_version: 'test',
      })
      .execute();
    await enqueueDraft(trx, { emailId: stored.id, mailbox: 'support', acknowledgeOnly: options.acknowledgeOnly ?? false }, new Date());
  });
  return stored.id;
}

/** Every message in `folder` that answers `emailId`, read independently of the code under test (no SEARCH). */
async function messagesIn(folder: string, emailId: string): Promise<Array<{ parsed: ParsedMail; flags: Set<string> }>> {
  const client = await dovecot.client('support');
  try {
    const lock = await client.getMailboxLock(folder);
    try {
      const found: Array<{ parsed: ParsedMail; flags: Set<string> }> = [];
      const exists = client.mailbox && typeof client.mailbox === 'object' ? client.mailbox.exists : 0;
      if (exists === 0) return found;
      for await (const message of client.fetch('1:*', { source: true, flags: true })) {
        const parsed = await simpleParser(message.source!);
        if (parsed.headers.get('x-mailroom-email-id') === emailId) found.push({ parsed, flags: message.flags ?? new Set() });
      }
      return found;
    } finally {
      lock.release();
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
}

function addressOf(field: ParsedMail['to']): string | undefined {
  return field && !Array.isArray(field) ? field.value[0]?.address : undefined;
}

function replyRequests(): number {
  return llm.requests.filter((r) => (r.body.messages[0]?.content ?? '').startsWith('You write reply drafts')).length;
}

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 1;
      server.close(() => resolve(port));
    });
  });
}

const skip = dovecotSkip();

async function waitUntil(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('reply drafts in a real mailbox', { skip }, () => {
  before(async () => {
    dovecot = await startDovecot();
    llm = await startFakeOpenAIServer({ responder: replyEchoResponder });
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          simpleParser(Buffer.concat(chunks)).then(
            (parsed) => {
              sentMail.push({ envelopeTo: session.envelope.rcptTo.map((r) => r.address), parsed });
              callback();
            },
            (error: Error) => callback(error),
          );
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
    smtpPort = (smtp.server.address() as { port: number }).port;
  });
  after(async () => {
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    await llm.close();
    await dovecot.stop();
  });
  beforeEach(() => {
    llm.configure({ responder: replyEchoResponder });
    llm.resetCounters();
  });

  describeEachDatabase('drafts', (getDb) => {
    // Each test starts with an empty queue; the mailbox keeps its mail, told apart by email id.
    beforeEach(() => truncateAll(getDb()));
    const context = (config: Config, extra: Partial<DraftContext> = {}): DraftContext => ({
      db: getDb(),
      config,
      logger: silentLogger(),
      workerId: 'test-worker',
      ...extra,
    });

    test('done when: an Italian billing question becomes, within seconds, a threaded Italian acknowledgement in Drafts, and nothing is sent', async () => {
      const db = getDb();
      const config = baseConfig();
      const eml = makeEml({
        from: 'Maria Rossi <maria@azienda.example>',
        subject: 'R: Fattura di ottobre',
        messageId: '<fattura-3@azienda.example>',
        headers: {
          'Reply-To': 'Amministrazione <amministrazione@azienda.example>',
          'In-Reply-To': '<fattura-2@mailroom.example>',
          References: '<fattura-1@azienda.example> <fattura-2@mailroom.example>',
        },
        body: 'Buongiorno, nella fattura di ottobre vedo un doppio addebito. Potete verificare e procedere al rimborso? Grazie, Maria',
      });
      // The real decision: pre-filters, the classifier against the fake model, detectors, policy.
      const email = await parseEmail(eml);
      const classifier = createOpenAIClassifier({ config: config.classifier, apiKey: 'sk-test' });
      const evaluation = await evaluateEmail(email, {
        ownAddresses: mailboxFacts(config).ownAddresses('support'),
        sizeBytes: eml.length,
        maxMessageBytes: config.ingest.max_message_bytes,
        policy: policyFrom(config),
        classify: (parsed) => classifier.classify({ email: parsed, mailbox: 'support' }),
      });
      assert.equal(evaluation.decision.action, 'draft');
      assert.equal(evaluation.decision.acknowledgeOnly, true);
      assert.equal(evaluation.classification?.classification.language, 'it');

      llm.resetCounters();
      const worker = startDraftWorker(context(config, { pollIntervalMs: 60_000 }));
      try {
        const emailId = await seedDraft(db, eml, {
          classification: evaluation.classification!.classification,
          acknowledgeOnly: evaluation.decision.acknowledgeOnly,
          flags: evaluation.decision.flags,
        });
        const started = Date.now();
        worker.wake();
        let row = await db.selectFrom('drafts').selectAll().where('email_id', '=', emailId).executeTakeFirstOrThrow();
        while (row.status === 'pending' && Date.now() - started < 15_000) {
          await new Promise((r) => setTimeout(r, 25));
          row = await db.selectFrom('drafts').selectAll().where('email_id', '=', emailId).executeTakeFirstOrThrow();
        }
        assert.equal(row.status, 'drafted', `draft row: ${JSON.stringify(row)}`);
        console.log(`# committed draft → stored in Drafts: ${Date.now() - started} ms`);

        const drafts = await messagesIn('Drafts', emailId);
        assert.equal(drafts.length, 1);
        const { parsed, flags } = drafts[0]!;
        assert.ok(flags.has('\\Draft'), 'stored with the \\Draft flag');
        assert.equal(parsed.subject, 'Re: Fattura di ottobre');
        assert.equal(parsed.inReplyTo, '<fattura-3@azienda.example>');
        assert.deepEqual(parsed.references, ['<fattura-1@azienda.example>', '<fattura-2@mailroom.example>', '<fattura-3@azienda.example>']);
        assert.equal(addressOf(parsed.to), 'amministrazione@azienda.example');
        assert.equal(parsed.from?.value[0]?.address, MAILBOX_ADDRESS);
        assert.ok(parsed.text?.startsWith(acknowledgementText('it')), parsed.text);
        assert.match(parsed.text ?? '', /Il giorno .* Maria Rossi <maria@azienda\.example> ha scritto:/);
        assert.match(parsed.text ?? '', /^> Buongiorno, nella fattura di ottobre/m);
        assert.equal(row.writer, 'template');
        assert.equal(row.message_id, parsed.messageId);
        assert.equal(row.folder, 'Drafts');
        assert.ok(row.imap_uid !== null);

        assert.equal(replyRequests(), 0, 'flagged mail: the model is never asked to write');
        assert.equal(sentMail.filter((m) => m.parsed.headers.get('x-mailroom-email-id') === emailId).length, 0, 'nothing sent');
        assert.equal((await messagesIn('Sent', emailId)).length, 0);
      } finally {
        await worker.stop();
      }
    });

    test('the model writes in the email language and the attribution line follows it', async () => {
      const db = getDb();
      const cases = [
        { language: 'de', attribution: /^Am .* schrieb Jonas Weber <jonas@firma\.example>:$/m },
        { language: 'es', attribution: /^El .*, Jonas Weber <jonas@firma\.example> escribió:$/m },
      ];
      for (const { language, attribution } of cases) {
        const emailId = await seedDraft(db, makeEml({ from: 'Jonas Weber <jonas@firma.example>', subject: 'AW: Angebot', body: 'Bitte senden Sie uns ein Angebot.' }), {
          classification: classification(language),
        });
        const pass = await writeDueDraftsNow(context(baseConfig()));
        assert.equal(pass.drafted, 1, JSON.stringify(pass.outcomes));
        const [draft] = await messagesIn('Drafts', emailId);
        assert.ok(draft);
        assert.match(draft.parsed.text ?? '', new RegExp(`^\\[reply in ${language}\\]`));
        assert.match(draft.parsed.text ?? '', attribution);
        assert.equal(draft.parsed.subject, 'Re: Angebot');
        const row = await db.selectFrom('drafts').select(['language', 'writer']).where('email_id', '=', emailId).executeTakeFirstOrThrow();
        assert.equal(row.language, language);
        assert.match(row.writer ?? '', /^gpt-4o-mini@/);
      }
    });

    test("a draft's login waits its turn at the process's login gate (ingest.connect_concurrency 1)", async () => {
      const db = getDb();
      const config = baseConfig();
      const gate = loginGate({ connect_concurrency: 1 });
      // The one login slot is taken (a watcher logging in, say): the draft's session must queue behind it.
      const held = await gate.acquire(`127.0.0.1:${dovecot.port}`);
      assert.ok(held);
      try {
        const emailId = await seedDraft(db, makeEml({ from: 'Jonas Weber <jonas@firma.example>', subject: 'Gate', body: 'Bitte senden Sie uns ein Angebot.' }), {
          classification: classification('de'),
        });
        const pass = writeDueDraftsNow(context(config, { gate }));
        await waitUntil('the draft to wait for a login slot', () => gate.status().queued === 1);
        assert.deepEqual(await messagesIn('Drafts', emailId), [], 'nothing stored while the slot is taken');
        assert.equal((await db.selectFrom('drafts').select('status').where('email_id', '=', emailId).executeTakeFirstOrThrow()).status, 'pending');
        held.succeeded();
        const result = await pass;
        assert.equal(result.drafted, 1, JSON.stringify(result.outcomes));
        assert.equal((await messagesIn('Drafts', emailId)).length, 1);
        assert.deepEqual({ inFlight: gate.status().inFlight, queued: gate.status().queued }, { inFlight: 0, queued: 0 }, 'the slot is given back after the login');
      } finally {
        held.done();
        gate.close();
      }
    });

    test('a crash between APPEND and the database update leaves exactly one draft: the retry finds it by its header', async () => {
      const db = getDb();
      const config = baseConfig();
      const emailId = await seedDraft(db, makeEml({ subject: 'Preventivo', body: 'Vorrei un preventivo, grazie.' }), { classification: classification('it') });
      const requestsBefore = replyRequests();

      const crashed = await writeDueDraftsNow(
        context(config, {
          hooks: {
            afterAppend: () => {
              throw new Error('simulated crash after APPEND');
            },
          },
        }),
      );
      assert.equal(crashed.failed, 1);
      const stuck = await db.selectFrom('drafts').selectAll().where('email_id', '=', emailId).executeTakeFirstOrThrow();
      assert.equal(stuck.status, 'pending');
      assert.equal(stuck.locked_by, null, 'an unexpected error gives the draft back to the queue at once');
      const backoff = stuck.next_attempt_at.getTime() - stuck.updated_at.getTime();
      assert.ok(backoff > 0 && backoff <= 5000, `retried within seconds, not minutes (${backoff} ms)`);
      assert.match(stuck.last_error ?? '', /simulated crash after APPEND/);
      assert.equal((await messagesIn('Drafts', emailId)).length, 1);

      // Once its backoff is over, another process takes it and finds the draft already there.
      const later = { now: () => new Date(Date.now() + 10_000) };
      const retried = await writeDueDraftsNow(context(config, { workerId: 'other-worker', clock: later }));
      assert.equal(retried.drafted, 1);
      const outcome = retried.outcomes[0];
      assert.ok(outcome?.status === 'drafted' && outcome.existing, 'recorded the existing draft');

      assert.equal((await messagesIn('Drafts', emailId)).length, 1, 'still exactly one draft');
      const row = await db.selectFrom('drafts').selectAll().where('email_id', '=', emailId).executeTakeFirstOrThrow();
      assert.equal(row.status, 'drafted');
      assert.equal(row.attempts, 2);
      assert.equal(replyRequests() - requestsBefore, 1, 'the reply text was written once and kept');
    });

    test('no draft to a no-reply sender or an auto-reply, even when one was queued', async () => {
      const db = getDb();
      const noreply = await seedDraft(db, makeEml({ from: 'Shop <noreply@shop.example>', subject: 'Your order' }), { classification: classification('en') });
      const autoReply = await seedDraft(db, makeEml({ from: 'Luca <luca@cliente.example>', subject: 'Fuori sede', headers: { 'Auto-Submitted': 'auto-replied' } }), {
        classification: classification('it'),
      });
      const ownMail = await seedDraft(db, makeEml({ from: `Support <${MAILBOX_ADDRESS}>`, subject: 'Loop' }), { classification: classification('en') });
      const requestsBefore = replyRequests();
      const pass = await writeDueDraftsNow(context(baseConfig()));
      assert.equal(pass.skipped, 3, JSON.stringify(pass.outcomes));
      for (const emailId of [noreply, autoReply, ownMail]) {
        const row = await db.selectFrom('drafts').selectAll().where('email_id', '=', emailId).executeTakeFirstOrThrow();
        assert.equal(row.status, 'skipped');
        assert.match(row.last_error ?? '', /cannot be answered/);
        assert.equal((await messagesIn('Drafts', emailId)).length, 0);
      }
      assert.equal(replyRequests(), requestsBefore, 'no model call for mail nobody answers');
    });

    test('flagged mail gets only the acknowledgement, even if the queued row forgot to say so', async () => {
      const db = getDb();
      const legal = await seedDraft(db, makeEml({ subject: 'Diffida', body: 'Il mio avvocato vi contatterà.' }), {
        classification: classification('it', { flags: { payment: false, legal: true } }),
        acknowledgeOnly: false,
        flags: { payment: false, legal: true, vip: false },
      });
      const vip = await seedDraft(db, makeEml({ from: 'CEO <ceo@bigcustomer.example>', subject: 'Partnership', body: 'Let us talk.' }), {
        classification: classification('fr'),
        acknowledgeOnly: true,
        flags: { payment: false, legal: false, vip: true },
      });
      const requestsBefore = replyRequests();
      const pass = await writeDueDraftsNow(context(baseConfig()));
      assert.equal(pass.drafted, 2);
      const [legalDraft] = await messagesIn('Drafts', legal);
      assert.ok(legalDraft?.parsed.text?.startsWith(`${acknowledgementText('it')}\n\n`));
      const [vipDraft] = await messagesIn('Drafts', vip);
      assert.ok(vipDraft?.parsed.text?.startsWith(`${acknowledgementText('fr')}\n\n`));
      assert.equal(replyRequests(), requestsBefore);
    });

    test('an unreachable model or IMAP server postpones the draft; nothing is dropped and it is written later', async () => {
      const db = getDb();
      const emailId = await seedDraft(db, makeEml({ subject: 'Info', body: 'Vorrei informazioni.' }), { classification: classification('it') });

      llm.fail({ type: 'status', status: 503 });
      const noModel = await writeDueDraftsNow(context(baseConfig()));
      assert.equal(noModel.postponed, 1);
      let row = await db.selectFrom('drafts').selectAll().where('email_id', '=', emailId).executeTakeFirstOrThrow();
      assert.equal(row.status, 'pending');
      assert.equal(row.reply_text, null);
      assert.match(row.last_error ?? '', /model could not write the reply/);
      assert.ok(row.next_attempt_at.getTime() > Date.now());

      const later = (ms: number) => ({ now: () => new Date(Date.now() + ms) });
      const noImap = await writeDueDraftsNow(context(baseConfig({ port: await closedPort() }), { clock: later(60 * 60 * 1000) }));
      assert.equal(noImap.postponed, 1, JSON.stringify(noImap.outcomes));
      row = await db.selectFrom('drafts').selectAll().where('email_id', '=', emailId).executeTakeFirstOrThrow();
      assert.equal(row.status, 'pending');
      assert.ok(row.reply_text?.startsWith('[reply in it]'), 'the written text is kept for the next attempt');
      assert.match(row.last_error ?? '', /mailbox "support"/);

      const finally_ = await writeDueDraftsNow(context(baseConfig(), { clock: later(3 * 60 * 60 * 1000) }));
      assert.equal(finally_.drafted, 1);
      assert.equal((await messagesIn('Drafts', emailId)).length, 1);
    });

    test('send mode: sent over SMTP with Auto-Submitted, a copy in Sent, the per-recipient daily limit holds, flagged mail stays a draft', async () => {
      const db = getDb();
      const config = baseConfig({ drafts: { mode: 'send', smtp: { host: '127.0.0.1', port: smtpPort, secure: false }, max_sends_per_recipient_per_day: 2 } });
      const sender = `buyer-${Math.random().toString(36).slice(2)}@customer.example`;
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        ids.push(
          await seedDraft(db, makeEml({ from: `Buyer <${sender}>`, subject: `Question ${i}`, body: 'Do you ship to Norway?' }), {
            classification: classification('en'),
          }),
        );
        const pass = await writeDueDraftsNow(context(config));
        assert.equal(pass.outcomes.length, 1);
      }
      const flagged = await seedDraft(db, makeEml({ from: `Other <other-${sender}>`, subject: 'Refund', body: 'I want a refund.' }), {
        classification: classification('en', { flags: { payment: true, legal: false } }),
        acknowledgeOnly: true,
        flags: { payment: true, legal: false, vip: false },
      });
      await writeDueDraftsNow(context(config));

      const rows = await db
        .selectFrom('drafts')
        .selectAll()
        .where('email_id', 'in', [...ids, flagged])
        .execute();
      const byEmail = new Map(rows.map((r) => [r.email_id, r]));
      for (const id of ids.slice(0, 2)) {
        const row = byEmail.get(id)!;
        assert.equal(row.status, 'sent');
        assert.equal(row.folder, 'Sent');
        const [mail] = sentMail.filter((m) => m.parsed.headers.get('x-mailroom-email-id') === id);
        assert.ok(mail, 'received by the SMTP server');
        assert.deepEqual(mail.envelopeTo, [sender]);
        assert.equal(mail.parsed.headers.get('auto-submitted'), 'auto-replied');
        assert.equal(mail.parsed.messageId, row.message_id);
        const copies = await messagesIn('Sent', id);
        assert.equal(copies.length, 1);
        assert.ok(copies[0]!.flags.has('\\Seen'));
        assert.equal((await messagesIn('Drafts', id)).length, 0);
      }
      const third = byEmail.get(ids[2]!)!;
      assert.equal(third.status, 'drafted');
      assert.match(third.note ?? '', /2 automatic replies went to .* in the last 24 hours/);
      assert.equal(sentMail.filter((m) => m.parsed.headers.get('x-mailroom-email-id') === ids[2]).length, 0);
      assert.equal((await messagesIn('Drafts', ids[2]!)).length, 1);
      assert.equal((await messagesIn('Drafts', ids[2]!))[0]!.parsed.headers.get('auto-submitted'), undefined, 'a draft for a person is not marked automatic');

      const flaggedRow = byEmail.get(flagged)!;
      assert.equal(flaggedRow.status, 'drafted');
      assert.match(flaggedRow.note ?? '', /never answered automatically/);
      assert.equal(sentMail.filter((m) => m.parsed.headers.get('x-mailroom-email-id') === flagged).length, 0);
    });

    // Security (issue 17, finding 8): a sender-chosen Reply-To must not turn send mode into backscatter.
    test("send mode: a Reply-To on another domain gets no mail (the reply goes to From); one on From's domain or with send_to_reply_to does; drafts keep the Reply-To", async () => {
      const db = getDb();
      const tag = Math.random().toString(36).slice(2);
      const smtpConfig = { host: '127.0.0.1', port: smtpPort, secure: false };
      const send = baseConfig({ drafts: { mode: 'send', smtp: smtpConfig } });
      const trusting = baseConfig({ drafts: { mode: 'send', smtp: smtpConfig, send_to_reply_to: true } });
      const draftOnly = baseConfig();
      const seed = (from: string, replyTo: string) =>
        seedDraft(db, makeEml({ from, subject: `Question ${tag}`, body: 'Do you ship to Norway?', headers: { 'Reply-To': replyTo } }), { classification: classification('en') });
      const sentTo = (id: string) => sentMail.filter((m) => m.parsed.headers.get('x-mailroom-email-id') === id).map((m) => m.envelopeTo);

      const thirdParty = await seed(`Buyer <buyer-${tag}@customer.example>`, `victim-${tag}@elsewhere.example`);
      await writeDueDraftsNow(context(send));
      assert.deepEqual(sentTo(thirdParty), [[`buyer-${tag}@customer.example`]], 'answered From, not the third party');
      const [copy] = await messagesIn('Sent', thirdParty);
      assert.equal(copy?.parsed.to && !Array.isArray(copy.parsed.to) ? copy.parsed.to.value[0]?.address : null, `buyer-${tag}@customer.example`);

      const sameDomain = await seed(`Buyer <buyer2-${tag}@customer.example>`, `Accounts <accounts-${tag}@Customer.Example>`);
      await writeDueDraftsNow(context(send));
      assert.deepEqual(sentTo(sameDomain), [[`accounts-${tag}@customer.example`]], "a Reply-To on From's own domain is answered");

      const trusted = await seed(`Buyer <buyer3-${tag}@customer.example>`, `desk-${tag}@helpdesk.example`);
      await writeDueDraftsNow(context(trusting));
      assert.deepEqual(sentTo(trusted), [[`desk-${tag}@helpdesk.example`]], 'drafts.send_to_reply_to: true answers any Reply-To');

      const drafted = await seed(`Buyer <buyer4-${tag}@customer.example>`, `desk4-${tag}@helpdesk.example`);
      await writeDueDraftsNow(context(draftOnly));
      assert.deepEqual(sentTo(drafted), []);
      const [draft] = await messagesIn('Drafts', drafted);
      assert.equal(draft?.parsed.to && !Array.isArray(draft.parsed.to) ? draft.parsed.to.value[0]?.address : null, `desk4-${tag}@helpdesk.example`, 'a draft for review keeps the Reply-To');
    });

    test('send mode: an attempt interrupted mid-send is never repeated; without a copy in Sent it becomes a draft', async () => {
      const db = getDb();
      const config = baseConfig({ drafts: { mode: 'send', smtp: { host: '127.0.0.1', port: smtpPort, secure: false } } });
      const emailId = await seedDraft(db, makeEml({ from: 'Eva <eva@shop.example>', subject: 'Hours', body: 'When are you open?' }), {
        classification: classification('en'),
      });
      await db.updateTable('drafts').set({ send_started_at: new Date(), recipient: 'eva@shop.example' }).where('email_id', '=', emailId).execute();
      const sentBefore = sentMail.length;
      const pass = await writeDueDraftsNow(context(config));
      assert.equal(pass.drafted, 1);
      assert.equal(sentMail.length, sentBefore, 'not sent again');
      const row = await db.selectFrom('drafts').selectAll().where('email_id', '=', emailId).executeTakeFirstOrThrow();
      assert.match(row.note ?? '', /interrupted/);
      assert.equal((await messagesIn('Drafts', emailId)).length, 1);
    });

    test('mailboxes[].drafts_folder overrides the special-use folder; a missing one postpones with a clear error', async () => {
      const db = getDb();
      const client = await dovecot.client('support');
      try {
        await client.mailboxCreate('Bozze').catch(() => {});
      } finally {
        await client.logout();
      }
      const emailId = await seedDraft(db, makeEml({ subject: 'Cartella' }), { classification: classification('it') });
      const missing = await writeDueDraftsNow(context(baseConfig({ draftsFolder: 'Nonexistent' })));
      assert.equal(missing.postponed, 1);
      const row = await db.selectFrom('drafts').selectAll().where('email_id', '=', emailId).executeTakeFirstOrThrow();
      assert.match(row.last_error ?? '', /folder "Nonexistent" \(mailboxes\[\]\.drafts_folder\) does not exist/);
      const later = { now: () => new Date(Date.now() + 2 * 60 * 60 * 1000) };
      const pass = await writeDueDraftsNow(context(baseConfig({ draftsFolder: 'Bozze' }), { clock: later }));
      assert.equal(pass.drafted, 1);
      assert.equal((await messagesIn('Bozze', emailId)).length, 1);
      assert.equal((await messagesIn('Drafts', emailId)).length, 0);
    });

    test('enqueueDraft is safe to repeat: one draft per email', async () => {
      const db = getDb();
      const emailId = await seedDraft(db, makeEml({ subject: 'Once' }), { classification: classification('en') });
      const again = await db.transaction().execute((trx) => enqueueDraft(trx, { emailId, mailbox: 'support', acknowledgeOnly: false }, new Date()));
      assert.equal(again, null);
      const rows = await db.selectFrom('drafts').select('id').where('email_id', '=', emailId).execute();
      assert.equal(rows.length, 1);
    });
  });
});
