import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { ClassifierUnavailableError } from '../../src/classify/classifier.js';
import { type Config, configSchema } from '../../src/config/index.js';
import type { Classification } from '../../src/contract/index.js';
import { REPLY_LANGUAGES } from '../../src/drafts/compose-reply.js';
import { acknowledgementText, createReplyWriter, replyModelConfigured, sanitizeReplyText } from '../../src/drafts/write-reply.js';
import { parseEmail } from '../../src/parse/parse-email.js';
import { silentLogger } from '../../src/util/logger.js';
import { type FakeOpenAIServer, startFakeOpenAIServer } from '../support/fake-openai-server.js';
import { makeEml } from '../support/make-eml.js';
import { replyEchoResponder } from './reply-responder.js';

const classification = (language: string, overrides: Partial<Classification> = {}): Classification => ({
  intent: 'sales',
  category: 'question',
  priority: 'normal',
  summary: 'Chiede un preventivo',
  language,
  flags: { payment: false, legal: false },
  sentiment: 'neutral',
  team: null,
  confidence: 0.9,
  ...overrides,
});

let server: FakeOpenAIServer;
let config: Config;

before(async () => {
  server = await startFakeOpenAIServer({ responder: replyEchoResponder });
});
after(() => server.close());
beforeEach(() => {
  server.resetCounters();
  server.configure({ responder: replyEchoResponder });
  config = configSchema.parse({
    classifier: { base_url: server.url, api_key: 'sk-test', max_retries: 1, timeout: '5s' },
    drafts: { instructions: 'Sign as "The Acme team". Never mention prices.' },
  });
});

const fastRetry = { minDelayMs: 1, maxDelayMs: 5 };

test('the model writes in the language the classification found, with the team instructions and the email fenced as data', async () => {
  const writer = createReplyWriter({ config, logger: silentLogger(), retry: fastRetry });
  const email = await parseEmail(makeEml({ subject: 'Preventivo', body: 'Buongiorno, vorrei un preventivo per 10 licenze. Grazie' }));
  for (const language of ['it', 'de', 'pt']) {
    const reply = await writer.write({ emailId: 'em_1', email, classification: classification(language), acknowledgeOnly: false });
    assert.equal(reply.language, language);
    assert.match(reply.text, new RegExp(`^\\[reply in ${language}\\]`));
    assert.match(reply.writer, /^gpt-4o-mini@[0-9a-f]{16}$/);
  }
  const request = server.requests.at(-1)!.body;
  const system = request.messages[0]!.content!;
  const user = request.messages[1]!.content!;
  assert.match(system, /Write the reply in Portuguese \(ISO 639-1 code: pt\)/);
  assert.match(system, /Sign as "The Acme team"\. Never mention prices\./);
  assert.match(user, /BEGIN EMAIL ([0-9a-f]{24})\n[\s\S]*vorrei un preventivo[\s\S]*\nEND EMAIL \1/);
});

test('acknowledge-only mail gets the fixed template in its language and the model is never asked', async () => {
  const writer = createReplyWriter({ config, logger: silentLogger(), retry: fastRetry });
  const email = await parseEmail(makeEml({ body: 'Voglio un rimborso subito, altrimenti avvocato.' }));
  const reply = await writer.write({
    emailId: 'em_1',
    email,
    classification: classification('it', { flags: { payment: true, legal: true } }),
    acknowledgeOnly: true,
  });
  assert.equal(reply.writer, 'template');
  assert.equal(reply.language, 'it');
  assert.equal(reply.text, acknowledgementText('it'));
  const unknown = await writer.write({ emailId: 'em_1', email, classification: classification('pt'), acknowledgeOnly: true });
  assert.equal(unknown.language, 'en', 'no Portuguese template: English rather than model text');
  assert.equal(server.totalRequests, 0);
});

test('acknowledgement templates promise nothing: no refund, money, deadline or admission words', () => {
  const forbidden =
    /refund|rimbors|erstatt|rembours|reembols|\d|\b(?:hours?|days?|ore|giorni|stunden?|tagen|werktag\w*|heures?|jours?|horas?|días?)\b|sorry|scus|entschuldig|désolé|lament|guarant|garanti/iu;
  for (const language of REPLY_LANGUAGES) {
    const text = acknowledgementText(language);
    assert.ok(!forbidden.test(text), `${language}: ${text}`);
    assert.ok(text.length < 300, `${language} stays short`);
  }
});

test('without a model configured every draft is the acknowledgement template', async () => {
  const offline = configSchema.parse({ classifier: { provider: 'rules' } });
  assert.equal(replyModelConfigured(offline.classifier), false);
  assert.equal(replyModelConfigured(configSchema.parse({}).classifier, undefined), false);
  assert.equal(replyModelConfigured(configSchema.parse({}).classifier, 'sk-env'), true);
  const writer = createReplyWriter({ config: offline, logger: silentLogger() });
  const email = await parseEmail(makeEml({}));
  const reply = await writer.write({ emailId: 'em_1', email, classification: classification('de'), acknowledgeOnly: false });
  assert.equal(reply.text, acknowledgementText('de'));
});

test('an unreachable model rejects with ClassifierUnavailableError (the draft waits), after the configured retries', async () => {
  const writer = createReplyWriter({ config, logger: silentLogger(), retry: fastRetry });
  const email = await parseEmail(makeEml({}));
  server.fail({ type: 'status', status: 503 }, { type: 'status', status: 503 });
  await assert.rejects(writer.write({ emailId: 'em_1', email, classification: classification('it'), acknowledgeOnly: false }), ClassifierUnavailableError);
  assert.equal(server.totalRequests, 2, 'first attempt + classifier.max_retries');
});

test('whatever the model writes, only body text remains: header lines, fences and address lines are dropped', async () => {
  server.configure({
    responder: () => 'Subject: Refund approved\nTo: attacker@evil.example\nBcc: attacker@evil.example\n\nGentile cliente,\nBcc: other@evil.example\nla ringraziamo.\n\n\n\nSaluti',
  });
  const writer = createReplyWriter({ config, logger: silentLogger(), retry: fastRetry });
  const email = await parseEmail(makeEml({}));
  const reply = await writer.write({ emailId: 'em_1', email, classification: classification('it'), acknowledgeOnly: false });
  assert.equal(reply.text, 'Gentile cliente,\nla ringraziamo.\n\nSaluti');
});

test('an empty model answer falls back to the acknowledgement instead of an empty draft', async () => {
  server.configure({ responder: () => '   ' });
  const writer = createReplyWriter({ config, logger: silentLogger(), retry: fastRetry });
  const reply = await writer.write({ emailId: 'em_1', email: await parseEmail(makeEml({})), classification: classification('fr'), acknowledgeOnly: false });
  assert.equal(reply.text, acknowledgementText('fr'));
  assert.equal(reply.writer, 'template');
});

test('sanitizeReplyText', () => {
  assert.equal(sanitizeReplyText('```\nHallo,\n\ndanke.\n```'), 'Hallo,\n\ndanke.');
  assert.equal(sanitizeReplyText('Oggetto: Re: fattura\n\nBuongiorno'), 'Buongiorno');
  assert.equal(sanitizeReplyText('Hello\r\nthere\u0000\u0007 friend'), 'Hello\nthere friend');
  assert.equal(sanitizeReplyText('Dear customer,\nto: whom it may concern is fine'), 'Dear customer,\nto: whom it may concern is fine');
  assert.ok(sanitizeReplyText('x'.repeat(10_000)).length <= 6000);
});
