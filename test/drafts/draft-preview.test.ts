import assert from 'node:assert/strict';
import { test } from 'node:test';
import { simpleParser } from 'mailparser';
import { configSchema, mailboxFacts } from '../../src/config/index.js';
import type { Classification } from '../../src/contract/index.js';
import { previewDraft } from '../../src/drafts/draft-preview.js';
import type { ReplyWriter } from '../../src/drafts/write-reply.js';
import { acknowledgementText, createReplyWriter } from '../../src/drafts/write-reply.js';
import { parseEmail } from '../../src/parse/parse-email.js';
import { makeEml } from '../support/make-eml.js';

const classification: Classification = {
  intent: 'billing',
  category: 'question',
  priority: 'normal',
  summary: 'Domanda sulla fattura',
  language: 'it',
  flags: { payment: true, legal: false },
  sentiment: 'neutral',
  team: null,
  confidence: 0.8,
};

test('previewDraft: the message a triage run would store, without any mailbox', async () => {
  const config = configSchema.parse({ classifier: { provider: 'rules' } });
  const email = await parseEmail(makeEml({ subject: 'Fattura', to: 'fatture@azienda-nostra.example', messageId: '<orig@x.example>' }));
  const preview = await previewDraft({
    email,
    emailId: 'em_preview',
    mailbox: 'triage',
    classification,
    acknowledgeOnly: true,
    mailboxes: mailboxFacts(config),
    writer: createReplyWriter({ config }),
    now: new Date('2026-11-23T10:00:00Z'),
  });
  assert.ok(preview.ok);
  assert.match(preview.readable, /^From: fatture@azienda-nostra\.example$/m, 'unconfigured mailbox: the address the email was sent to');
  assert.match(preview.readable, /^Subject: Re: Fattura$/m);
  assert.match(preview.readable, /^In-Reply-To: <orig@x\.example>$/m);
  assert.ok(preview.readable.includes(acknowledgementText('it')));
  const parsed = await simpleParser(Buffer.from(preview.message));
  assert.equal(parsed.inReplyTo, '<orig@x.example>');
  assert.equal(parsed.headers.get('x-mailroom-email-id'), 'em_preview');
});

test('previewDraft: no draft for a no-reply sender, and the writer is not asked', async () => {
  const config = configSchema.parse({});
  let asked = 0;
  const writer: ReplyWriter = {
    write: async () => {
      asked++;
      return { text: 'x', language: 'en', writer: 'test' };
    },
  };
  const email = await parseEmail(makeEml({ from: 'no-reply@service.example' }));
  const preview = await previewDraft({
    email,
    emailId: 'em_x',
    mailbox: 'triage',
    classification,
    acknowledgeOnly: false,
    mailboxes: mailboxFacts(config),
    writer,
  });
  assert.equal(preview.ok, false);
  assert.equal(asked, 0);
});
