import assert from 'node:assert/strict';
import { test } from 'node:test';
import { simpleParser } from 'mailparser';
import type { ReplyLanguage } from '../../src/drafts/compose-reply.js';
import { composeReply, isMessageId, replyTarget, threadReferences } from '../../src/drafts/compose-reply.js';
import { parseEmail } from '../../src/parse/parse-email.js';
import { makeEml } from '../support/make-eml.js';

const FROM = { name: '', address: 'support@mailroom.example' };

async function compose(eml: Buffer, overrides: { replyText?: string; language?: ReplyLanguage; autoReply?: boolean } = {}) {
  const original = await parseEmail(eml);
  const composed = await composeReply({
    original,
    emailId: 'em_01JTESTTESTTESTTESTTESTTEST',
    from: FROM,
    replyText: overrides.replyText ?? 'Grazie, verifichiamo.',
    language: overrides.language ?? 'it',
    messageId: '<dft_1.mailroom@mailroom.example>',
    date: new Date('2026-11-23T10:00:00Z'),
    autoReply: overrides.autoReply ?? false,
  });
  return { composed, parsed: await simpleParser(composed.raw) };
}

test('threading: In-Reply-To is the original, References the whole chain plus the original, Subject "Re: " once', async () => {
  const { parsed, composed } = await compose(
    makeEml({
      subject: 'RE: R: Fattura errata',
      messageId: '<third@azienda.example>',
      headers: { 'In-Reply-To': '<second@mailroom.example>', References: '<first@azienda.example> <second@mailroom.example>' },
    }),
  );
  assert.equal(parsed.subject, 'Re: Fattura errata');
  assert.equal(parsed.inReplyTo, '<third@azienda.example>');
  assert.deepEqual(parsed.references, ['<first@azienda.example>', '<second@mailroom.example>', '<third@azienda.example>']);
  assert.equal(parsed.messageId, '<dft_1.mailroom@mailroom.example>');
  assert.equal(parsed.headers.get('x-mailroom-email-id'), 'em_01JTESTTESTTESTTESTTESTTEST');
  assert.equal(parsed.from?.value[0]?.address, 'support@mailroom.example');
  assert.equal(composed.subject, 'Re: Fattura errata');
});

test('an original without References but with In-Reply-To threads through both (RFC 5322 3.6.4)', () => {
  assert.deepEqual(threadReferences({ references: [], inReplyTo: '<a@x>', messageId: '<b@x>' }), ['<a@x>', '<b@x>']);
  assert.deepEqual(threadReferences({ references: [], inReplyTo: null, messageId: '<b@x>' }), ['<b@x>']);
  assert.deepEqual(threadReferences({ references: ['<a@x>', '<b@x>'], inReplyTo: '<b@x>', messageId: '<b@x>' }), ['<a@x>', '<b@x>']);
  const long = Array.from({ length: 60 }, (_, i) => `<m${i}@x>`);
  const trimmed = threadReferences({ references: long, inReplyTo: null, messageId: '<last@x>' });
  assert.equal(trimmed.length, 30);
  assert.equal(trimmed[0], '<m0@x>', 'the thread root stays');
  assert.equal(trimmed.at(-1), '<last@x>');
});

// Security (issue 17, finding 7): ids come from the sender and become the draft's headers.
test('an invalid Message-ID is dropped from In-Reply-To and References, never split into id-shaped pieces', async () => {
  const { composed, parsed } = await compose(
    makeEml({
      messageId: '<a@b> Bcc: x@evil.example>',
      headers: { 'In-Reply-To': '<parent@azienda.example>', References: '<root@azienda.example> <bad id@x> Bcc: y@evil.example> <parent@azienda.example>' },
    }),
  );
  const head = composed.raw.toString('utf8').split('\r\n\r\n', 1)[0]!;
  assert.doesNotMatch(head, /Bcc|evil|<bad>|<id@x>/, head);
  assert.equal(parsed.inReplyTo, undefined, 'no In-Reply-To rather than a broken one');
  assert.deepEqual(parsed.references, ['<root@azienda.example>', '<parent@azienda.example>']);
});

test('msg-id syntax: what is accepted and what is refused', () => {
  for (const good of ['<CAF+x=1@mail.gmail.com>', '<20261123.abc$1@[192.0.2.1]>', "<a.b!#$%&'*+/=?^_`{|}~-@host>", '<..odd@host>']) assert.ok(isMessageId(good), good);
  for (const bad of ['<a@b> Bcc: x@evil>', '<Bcc:>', '<no-at-sign>', 'a@b', '<a@b', '<a b@c>', '<a@b@c>', '<"q"@b>', '<a@b>\r\nBcc: x@y', `<${'a'.repeat(1000)}@b>`]) {
    assert.ok(!isMessageId(bad), bad);
  }
  assert.deepEqual(threadReferences({ references: ['<Bcc:>', '<ok@x>'], inReplyTo: '<a@b> c>', messageId: '<me@x>' }), ['<ok@x>', '<me@x>']);
});

test('To is the Reply-To when there is one, otherwise From', async () => {
  const withReplyTo = await compose(makeEml({ headers: { 'Reply-To': 'Ufficio Conti <conti@azienda.example>' } }));
  assert.equal(withReplyTo.parsed.to && !Array.isArray(withReplyTo.parsed.to) ? withReplyTo.parsed.to.value[0]?.address : null, 'conti@azienda.example');
  const plain = await compose(makeEml({}));
  assert.equal(plain.parsed.to && !Array.isArray(plain.parsed.to) ? plain.parsed.to.value[0]?.address : null, 'maria@azienda.example');
});

test('the original is quoted below an attribution line in the email language, in text and HTML parts', async () => {
  const lines: Record<ReplyLanguage, RegExp> = {
    en: /^On 23 Nov 2026, 08:13 UTC, Maria Rossi <maria@azienda\.example> wrote:$/m,
    it: /^Il giorno 23 nov 2026, 08:13 UTC Maria Rossi <maria@azienda\.example> ha scritto:$/m,
    de: /^Am 23\.11\.2026, 08:13 UTC schrieb Maria Rossi <maria@azienda\.example>:$/m,
    fr: /^Le 23 nov\. 2026, 08:13 UTC, Maria Rossi <maria@azienda\.example> a écrit :$/m,
    es: /^El 23 nov 2026, 8:13 UTC, Maria Rossi <maria@azienda\.example> escribió:$/m,
  };
  for (const language of Object.keys(lines) as ReplyLanguage[]) {
    const { parsed } = await compose(makeEml({ body: 'Prima riga\n\n> citazione vecchia\nUltima riga' }), { language, replyText: 'Risposta.' });
    const text = parsed.text ?? '';
    assert.match(text, /^Risposta\./, language);
    assert.match(text, lines[language], language);
    assert.match(text, /^> Prima riga$/m);
    assert.match(text, /^>$/m, 'empty lines quoted as ">"');
    assert.match(text, /^>> citazione vecchia$/m, 'already quoted lines get one more ">"');
    assert.match(String(parsed.html), /<blockquote type="cite"[^>]*>[\s\S]*Prima riga/);
  }
});

test('HTML part: reply and quoted original are escaped text, never the original HTML', async () => {
  const { parsed } = await compose(makeEml({ body: 'Vedi <script>alert(1)</script> & <img src="https://tracker.example/p.gif">' }), {
    replyText: 'Uno < due & "tre"',
  });
  const html = String(parsed.html);
  assert.ok(!html.includes('<script>'));
  assert.ok(!html.includes('<img'));
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.match(html, /Uno &lt; due &amp; &quot;tre&quot;/);
});

test('a display name with line breaks cannot add a header', async () => {
  const original = await parseEmail(makeEml({}));
  original.from = { name: 'Maria\r\nBcc: victim@evil.example', address: 'maria@azienda.example' };
  const composed = await composeReply({
    original,
    emailId: 'em_x',
    from: FROM,
    replyText: 'Ok',
    language: 'en',
    messageId: '<a@b>',
    date: new Date(),
  });
  const parsed = await simpleParser(composed.raw);
  assert.equal(parsed.bcc, undefined);
  assert.ok(!/^bcc:/im.test(composed.raw.toString('latin1').split('\r\n\r\n')[0]!));
});

test('Auto-Submitted: auto-replied only for automatic sends', async () => {
  const draft = await compose(makeEml({}));
  assert.equal(draft.parsed.headers.get('auto-submitted'), undefined);
  const sent = await compose(makeEml({}), { autoReply: true });
  assert.equal(sent.parsed.headers.get('auto-submitted'), 'auto-replied');
  assert.equal(sent.parsed.headers.get('x-auto-response-suppress'), 'All');
});

test("replyTarget when sending: Reply-To only on From's domain or when trusted", () => {
  const from = { name: 'Buyer', address: 'buyer@customer.example' };
  const other = { name: '', address: 'victim@elsewhere.example' };
  const same = { name: '', address: 'accounts@CUSTOMER.example' };
  const sub = { name: '', address: 'x@mail.customer.example' };
  assert.equal(replyTarget({ from, replyTo: other })?.address, other.address, 'drafts keep the Reply-To');
  assert.equal(replyTarget({ from, replyTo: other }, { sending: true })?.address, from.address);
  assert.equal(replyTarget({ from, replyTo: same }, { sending: true })?.address, same.address);
  assert.equal(replyTarget({ from, replyTo: sub }, { sending: true })?.address, from.address, 'a subdomain is another domain');
  assert.equal(replyTarget({ from, replyTo: other }, { sending: true, trustReplyTo: true })?.address, other.address);
  assert.equal(replyTarget({ from: null, replyTo: other }, { sending: true }), null, 'no From to fall back to: nobody');
});
