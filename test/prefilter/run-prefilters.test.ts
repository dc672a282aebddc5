import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isReplyableSender, type PrefilterContext, runPrefilters } from '../../src/prefilter/index.js';
import { type EmailSketch, makeEmail } from './make-email.js';

const OWN = ['support@mailroom.example', 'Help@Mailroom.example'];
const ctx: PrefilterContext = { ownAddresses: OWN, sizeBytes: 2_000, maxMessageBytes: 25 * 1024 * 1024 };

function kindOf(sketch: EmailSketch, context: PrefilterContext = ctx): string | null {
  return runPrefilters(makeEmail(sketch), context)?.kind ?? null;
}

describe('a plain customer email passes every pre-filter', () => {
  test('no hit, and the sender is replyable', () => {
    const email = makeEmail({});
    assert.equal(runPrefilters(email, ctx), null);
    assert.equal(isReplyableSender(email, OWN), true);
  });
  test('Auto-Submitted: no, Precedence: first-class and X-Auto-Response-Suppress: DR are a person', () => {
    assert.equal(kindOf({ headers: { 'auto-submitted': 'no', precedence: 'first-class', 'x-auto-response-suppress': 'DR, RN, NRN' } }), null);
  });
  test('subjects that only mention the words are not auto-replies or bounces', () => {
    for (const subject of [
      'Re: out of office hours support?',
      'Fwd: Undelivered Mail Returned to Sender',
      'Question about your automatic reply feature',
      'Our mails to you are undeliverable, please check your DNS',
      'Replying to your newsletter',
    ]) {
      assert.equal(kindOf({ subject }), null, subject);
    }
  });
});

describe('oversize', () => {
  test('over the limit → review, naming both sizes', () => {
    const hit = runPrefilters(makeEmail({}), { ...ctx, sizeBytes: 31 * 1024 * 1024 });
    assert.equal(hit?.kind, 'oversize');
    assert.equal(hit?.action, 'review');
    assert.match(hit?.reason.text ?? '', /31 MB, over the 25 MB limit \(ingest\.max_message_bytes\)/);
  });
  test('exactly at the limit is fine', () => {
    assert.equal(kindOf({}, { ...ctx, sizeBytes: ctx.maxMessageBytes }), null);
  });
  test('wins over every other pre-filter', () => {
    assert.equal(kindOf({ from: 'support@mailroom.example', headers: { 'list-id': '<x.example>' } }, { ...ctx, sizeBytes: ctx.maxMessageBytes + 1 }), 'oversize');
  });
});

describe('own address (loop guard)', () => {
  test('From one of our addresses, any case → ignore', () => {
    for (const from of ['support@mailroom.example', 'SUPPORT@MAILROOM.EXAMPLE', 'help@mailroom.example']) {
      const hit = runPrefilters(makeEmail({ from: { address: from, name: 'Support' } }), ctx);
      assert.equal(hit?.kind, 'own_address', from);
      assert.equal(hit?.action, 'ignore');
    }
  });
  test('a lookalike is not us', () => {
    assert.equal(kindOf({ from: 'support@mailroom.example.evil.test' }), null);
  });
  test('wins over the bounce filter', () => {
    assert.equal(kindOf({ from: 'support@mailroom.example', contentType: 'multipart/report', reportType: 'delivery-status' }), 'own_address');
  });
});

describe('bounce', () => {
  test('multipart/report delivery-status', () => {
    const hit = runPrefilters(makeEmail({ contentType: 'multipart/report', reportType: 'delivery-status' }), ctx);
    assert.equal(hit?.kind, 'bounce');
    assert.match(hit?.reason.text ?? '', /report-type=delivery-status.*nobody to answer/);
  });
  test('feedback reports are bounces, read receipts are auto-replies', () => {
    assert.equal(kindOf({ contentType: 'multipart/report', reportType: 'feedback-report' }), 'bounce');
    assert.equal(kindOf({ contentType: 'multipart/report', reportType: 'disposition-notification' }), 'auto_reply');
  });
  test('MAILER-DAEMON and postmaster senders', () => {
    assert.equal(kindOf({ from: 'MAILER-DAEMON@mx.example.net', subject: 'hello' }), 'bounce');
    assert.equal(kindOf({ from: 'postmaster@example.org', subject: 'hello' }), 'bounce');
    assert.equal(kindOf({ from: 'daemon@example.org', fromName: 'Mail Delivery Subsystem', subject: 'x' }), 'bounce');
  });
  test('X-Failed-Recipients (Exim)', () => {
    assert.equal(kindOf({ headers: { 'x-failed-recipients': 'bob@example.org' } }), 'bounce');
  });
  test('DSN subjects in five languages', () => {
    for (const subject of [
      'Undelivered Mail Returned to Sender',
      'Delivery Status Notification (Failure)',
      'Mail delivery failed: returning message to sender',
      'Undeliverable: Invoice 42',
      'Returned mail: see transcript for details',
      'failure notice',
      'Unzustellbar: Ihre Anfrage',
      'Non recapitabile: fattura',
      'Non remis : Votre commande',
      'No se puede entregar: pedido',
    ]) {
      assert.equal(kindOf({ from: 'someone@example.org', subject }), 'bounce', subject);
    }
  });
});

describe('bounce subjects that could be about a parcel need the empty Return-Path of a delivery report', () => {
  test('from a customer they pass', () => {
    for (const subject of ['Delivery failed', 'Delivery failure on order 5512', 'Mancato recapito del pacco', 'Nicht zustellbar - Paket 4411', 'Échec de la remise du colis']) {
      assert.equal(kindOf({ subject }), null, subject);
    }
  });
  test('with Return-Path: <> they are bounces', () => {
    for (const subject of ['Delivery failed', 'Delivery has failed to these recipients or groups', 'Mancato recapito del messaggio', 'Übermittlungsfehler', 'Échec de la remise du message']) {
      assert.equal(kindOf({ subject, headers: { 'return-path': '<>' } }), 'bounce', subject);
    }
  });
  test('Exchange forms with a colon, with or without a space after it', () => {
    assert.equal(kindOf({ subject: 'Unzustellbar:Ihre Anfrage' }), 'bounce');
    assert.equal(kindOf({ subject: 'Nicht zustellbar: Ihre Anfrage' }), 'bounce');
    assert.equal(kindOf({ subject: 'Undeliverable cargo in Rotterdam' }), null);
  });
});

describe('auto-reply', () => {
  test('RFC 3834 Auto-Submitted other than "no", with parameters', () => {
    const hit = runPrefilters(makeEmail({ headers: { 'auto-submitted': 'auto-replied; owner-email="x@example.org"' } }), ctx);
    assert.equal(hit?.kind, 'auto_reply');
    assert.equal(hit?.reason.text, 'Pre-filter: Automatic reply (Auto-Submitted: auto-replied): nobody to answer', 'the reason says a pre-filter decided');
    assert.equal(kindOf({ headers: { 'auto-submitted': 'auto-generated' } }), 'auto_reply');
  });
  test('vendor headers', () => {
    assert.equal(kindOf({ headers: { 'x-autoreply': 'yes' } }), 'auto_reply');
    assert.equal(kindOf({ headers: { 'x-autorespond': 'Out of office' } }), 'auto_reply');
    assert.equal(kindOf({ headers: { 'x-auto-response-suppress': 'All' } }), 'auto_reply');
    assert.equal(kindOf({ headers: { 'x-auto-response-suppress': 'DR, OOF' } }), 'auto_reply');
    assert.equal(kindOf({ headers: { 'x-auto-response-suppress': 'AutoReply' } }), 'auto_reply');
    assert.equal(kindOf({ headers: { precedence: 'auto_reply' } }), 'auto_reply');
    assert.equal(kindOf({ headers: { 'x-autogenerated': 'Reply' } }), 'auto_reply');
  });
  test('an auto-forwarded person (X-Autogenerated: Forward) is not an auto-reply', () => {
    assert.equal(kindOf({ headers: { 'x-autogenerated': 'Forward' } }), null);
  });
  test('a repeated Auto-Submitted header is read value by value', () => {
    assert.equal(kindOf({ headers: { 'auto-submitted': 'no\nauto-replied' } }), 'auto_reply');
  });
  test('out-of-office subjects in en/it/de/fr/es', () => {
    for (const subject of [
      'Out of Office: Login problem',
      'Automatic reply: Your ticket',
      'Auto-Reply: thanks',
      'AUTO: Jane Doe is out of the office (returning 12/01/2026)',
      'Risposta automatica: Problema login',
      'Fuori ufficio fino al 3 gennaio',
      'Abwesenheitsnotiz: Ihre Anfrage',
      'Automatische Antwort: Rechnung',
      'Réponse automatique : Votre demande',
      "Message d'absence",
      'Absent du bureau',
      'Respuesta automática: Pedido 123',
      'Fuera de la oficina',
    ]) {
      assert.equal(kindOf({ subject }), 'auto_reply', subject);
    }
  });
});

describe('bulk', () => {
  test('List-Id, List-Unsubscribe, Precedence bulk|list|junk', () => {
    assert.equal(kindOf({ headers: { 'list-id': 'Product news <news.vendor.example>' } }), 'bulk');
    assert.equal(kindOf({ headers: { 'list-unsubscribe': '<https://vendor.example/u/1>' } }), 'bulk');
    for (const p of ['bulk', 'list', 'junk', 'Bulk']) assert.equal(kindOf({ headers: { precedence: p } }), 'bulk', p);
  });
  test('our own support list relaying customer mail is not bulk', () => {
    assert.equal(kindOf({ headers: { 'list-id': 'Support <support.mailroom.example>', precedence: 'list' } }), null);
    assert.equal(kindOf({ headers: { 'list-post': '<mailto:support@mailroom.example>', precedence: 'list' } }), null);
  });
  test('auto-reply wins over bulk', () => {
    assert.equal(kindOf({ headers: { 'list-id': '<x.example>', 'auto-submitted': 'auto-replied' } }), 'auto_reply');
  });
});

describe('no-reply senders', () => {
  test('the usual local parts', () => {
    for (const from of [
      'noreply@vendor.example',
      'no-reply@vendor.example',
      'no_reply@vendor.example',
      'do-not-reply@vendor.example',
      'donotreply@vendor.example',
      'DoNotReply@vendor.example',
      'notifications-noreply@vendor.example',
      'noreply+abc123@vendor.example',
      'dont-reply@vendor.example',
    ]) {
      const hit = runPrefilters(makeEmail({ from }), ctx);
      assert.equal(hit?.kind, 'no_reply', from);
      assert.equal(isReplyableSender(makeEmail({ from }), OWN), false, from);
    }
  });
  test('names that merely contain the letters are people', () => {
    for (const from of ['noreen@example.org', 'reply@example.org', 'norepl@example.org', 'snoreply@example.org']) {
      assert.equal(kindOf({ from }), null, from);
    }
  });
  test('a contact form from noreply@ with the customer in Reply-To passes, and is replyable', () => {
    const email = makeEmail({ from: 'noreply@forms.example', replyTo: 'luca@cliente.example' });
    assert.equal(runPrefilters(email, ctx), null);
    assert.equal(isReplyableSender(email, OWN), true);
  });
});

describe('isReplyableSender', () => {
  test('not ourselves, not automatic, needs an address', () => {
    assert.equal(isReplyableSender(makeEmail({ from: 'support@mailroom.example' }), OWN), false);
    assert.equal(isReplyableSender(makeEmail({ headers: { 'auto-submitted': 'auto-generated' } }), OWN), false);
    assert.equal(isReplyableSender(makeEmail({ from: 'mailer-daemon@mx.example' }), OWN), false);
    assert.equal(isReplyableSender(makeEmail({ from: null }), OWN), false);
    assert.equal(isReplyableSender(makeEmail({ from: { address: '', name: 'Broken' } }), OWN), false);
    assert.equal(isReplyableSender(makeEmail({ replyTo: 'noreply@x.example' }), OWN), false);
  });
  test('a newsletter sender is replyable (it is ignored by the bulk filter, not by this)', () => {
    assert.equal(isReplyableSender(makeEmail({ headers: { 'list-id': '<x.example>' } }), OWN), true);
  });
});
