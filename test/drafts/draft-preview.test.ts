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

// Security (issue 17, finding 5): the preview is printed to a terminal; its header lines are the email's words.
test('previewDraft: a display name with CR/LF and a subject with escape sequences cannot pass for headers or act on the terminal', async () => {
  const config = configSchema.parse({ classifier: { provider: 'rules' } });
  const name = Buffer.from('Maria\r\nBcc: everyone@evil.example\r\nX', 'utf8').toString('base64');
  const email = await parseEmail(
    makeEml({
      from: `=?utf-8?B?${name}?= <maria@azienda.example>`,
      subject: 'Login \u001b[2J\u001b]0;owned\u0007 broken',
      body: 'Hello\u001b[8m hidden',
      messageId: '<orig@x.example>',
    }),
  );
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
  assert.doesNotMatch(preview.readable, /^Bcc:/m, 'no line of the preview starts with an injected header');
  assert.doesNotMatch(preview.readable, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
  assert.match(preview.readable, /^To: Maria\\r\\nBcc: everyone@evil\.example\\r\\nX <maria@azienda\.example>$/m);
  assert.match(preview.readable, /^Subject: Re: Login \\u001b\[2J\\u001b\]0;owned\\u0007 broken$/m);
});
