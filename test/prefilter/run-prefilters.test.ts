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
  test("a person's post to a discussion list is left for review, never ignored; a newsletter is ignored", () => {
    const hit = (headers: Record<string, string>, from = 'jay@lists-user.example') => runPrefilters(makeEmail({ from, headers }), ctx);
    const posts: Record<string, string>[] = [
      { 'list-id': 'PostgreSQL SQL <pgsql-sql.postgresql.org>', 'list-post': '<mailto:pgsql-sql@postgresql.org>', 'list-unsubscribe': '<mailto:x@postgresql.org>', precedence: 'bulk' },
      { 'list-id': "Irish Linux Users' Group <ilug.linux.ie>", 'x-beenthere': 'ilug@linux.ie', precedence: 'bulk' },
      { sender: 'owner-openssl-users@openssl.org', precedence: 'bulk' },
      { sender: '"pgsql-sql" <pgsql-sql-owner@postgresql.org>', precedence: 'bulk' },
      { 'mailing-list': 'contact qmail-help@list.cr.yp.to; run by ezmlm', precedence: 'bulk' },
    ];
    for (const headers of posts) {
      const found = hit(headers);
      assert.equal(found?.kind, 'bulk', JSON.stringify(headers));
      assert.equal(found?.action, 'review', JSON.stringify(headers));
      assert.match(found?.reason.text ?? '', /discussion list .+ written by a person/);
    }
    assert.equal(hit({ 'list-id': 'News <news.vendor.example>', 'list-unsubscribe': '<https://vendor.example/u>' })?.action, 'ignore');
    assert.equal(hit({ 'list-post': '<mailto:news@vendor.example>' }, 'noreply@vendor.example')?.action, 'ignore', 'a no-reply sender is no person');
    assert.equal(hit({ sender: 'owner-news@vendor.example', precedence: 'bulk' }, 'owner-news@vendor.example')?.action, 'ignore', 'sent by the list itself');
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

/** The pre-filter's kind, after checking that no draft could be written to the sender. */
function machineKind(sketch: EmailSketch): string | null {
  const email = makeEmail(sketch);
  const kind = runPrefilters(email, ctx)?.kind ?? null;
  if (kind === 'bounce' || kind === 'auto_reply') assert.equal(isReplyableSender(email, OWN), false, `replyable ${kind}: ${sketch.subject}`);
  if (kind === null) assert.equal(isReplyableSender(email, OWN), true, `not replyable without a hit: ${sketch.subject}`);
  return kind;
}

const NULL_PATH = { 'return-path': '<>' };

describe('bounce: servers, headers and structure', () => {
  test('Exchange senders, NDR header and a bare delivery-status part', () => {
    assert.equal(machineKind({ from: 'MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@contoso.example', subject: 'Undeliverable' }), 'bounce');
    assert.equal(machineKind({ from: 'relay@contoso.example', fromName: 'Microsoft Outlook', subject: 'Re: invoice' }), 'bounce');
    assert.equal(machineKind({ from: 'relay@contoso.example', subject: 'Re: invoice', headers: { 'x-ms-exchange-message-is-ndr': '' } }), 'bounce');
    assert.equal(machineKind({ from: null, subject: '', contentType: 'message/delivery-status' }), 'bounce');
  });
  test("Exchange's localized delivery status notifications", () => {
    for (const subject of ['Übermittlungsstatusbenachrichtigung (Fehler)', 'Notifica stato recapito (Errore)', "Notification d'état de remise (échec)", 'Notificación de estado de entrega (Error)']) {
      assert.equal(machineKind({ from: 'relay@mx.example.net', subject }), 'bounce', subject);
    }
  });
  test('weak subjects count when the envelope says a machine sent them (empty Return-Path, Auto-Submitted)', () => {
    const subjects = ['Messaggio non consegnato', 'Mensaje devuelto', 'Unzustellbare Nachricht', 'Message non remis', 'Mail could not be delivered'];
    for (const subject of subjects) {
      assert.equal(machineKind({ from: 'relay@mx.example.net', subject, headers: { 'auto-submitted': 'auto-replied' } }), 'bounce', subject);
      assert.equal(machineKind({ from: 'relay@mx.example.net', subject, headers: NULL_PATH }), 'bounce', subject);
      assert.equal(machineKind({ subject }), null, `from a person: ${subject}`);
    }
  });
  test('failure text from a machine: mailbox full, unknown user, 550 5.7.1 spam rejection, in five languages', () => {
    for (const text of [
      'Your mail sent on 3 March could not be delivered to: <ana@cliente.example>\nAs their mailbox is full.',
      'Sorry, no mailbox here by that name: no such user.',
      '550 5.7.1 Message rejected as spam by the content filter.',
      'Il messaggio non è stato recapitato: casella piena.',
      'Die Nachricht konnte nicht zugestellt werden. Postfach voll.',
      "Votre message n'a pas pu être remis : destinataire inconnu.",
      'No se ha podido entregar el mensaje: buzón lleno.',
    ]) {
      const hit = runPrefilters(makeEmail({ from: 'relay@mx.example.net', subject: 'Re: your offer', text, headers: NULL_PATH }), ctx);
      assert.equal(hit?.kind, 'bounce', text);
      assert.match(hit?.reason.text ?? '', /the text says ".+", empty Return-Path/);
    }
    assert.equal(machineKind({ from: 'no-reply@mail.provider.example', subject: 'Mail', text: 'Your mail could not be delivered to: <x@cliente.example>' }), 'bounce');
  });
  test('list-manager errors and provider complaints', () => {
    const fml = { from: 'support-admin@lists.example', subject: 'Loop Alert: duplicated Message-ID', headers: { 'x-mlserver': 'fml [fml 4.0]' } };
    assert.equal(kindOf(fml), null, 'the -admin sender and X-MLServer alone could be a list post');
    const withId = runPrefilters({ ...makeEmail(fml), messageId: '<202601010000.FML00001.support@lists.example>' }, ctx);
    assert.equal(withId?.kind, 'bounce');
    assert.equal(machineKind({ from: 'staff@mailprovider.example', subject: 'complaint about message from 198.51.100.7' }), 'bounce');
  });
  test('postmaster@ is a server only when nameless, machine-sent or returning a message', () => {
    assert.equal(machineKind({ from: 'postmaster@relay.example', fromName: 'InterScan MSS', subject: 'Report', attachments: ['message/rfc822'] }), 'bounce');
    assert.equal(machineKind({ from: 'postmaster@relay.example', fromName: 'InterScan MSS', subject: 'Report', headers: NULL_PATH }), 'bounce');
    // An administrator writing from the company's postmaster mailbox is a person.
    assert.equal(machineKind({ from: 'postmaster@kunde.example', fromName: 'Bob Miller', subject: 'New domain', text: 'Hello, can you add our new domain to the account?' }), null);
  });
});

describe('bounce: what a person sends is not one', () => {
  test('a forwarded bounce, or a customer reporting one, reaches a person', () => {
    const text = 'Hi, see below.\n\nYour message could not be delivered to sales@shop.example: 550 5.1.1 user unknown.';
    assert.equal(machineKind({ subject: 'Fwd: Undelivered Mail Returned to Sender', text }), null);
    assert.equal(machineKind({ subject: 'FW: Mail delivery failed', text, attachments: ['message/rfc822'] }), null);
    assert.equal(machineKind({ subject: 'Message not delivered', text: 'My message to your sales team could not be delivered (550 5.1.1).', attachments: ['message/rfc822'] }), null);
  });
  test('no-reply notices about parcels or storage stay no-reply notices', () => {
    assert.equal(kindOf({ from: 'noreply@parcels.example', subject: 'Delivery failed', text: 'Your parcel could not be delivered today: address not found.' }), 'no_reply');
    assert.equal(kindOf({ from: 'no-reply@cloud.example', subject: 'Storage quota exceeded', text: 'Your storage is over quota.' }), 'no_reply');
  });
});

describe('challenge-response', () => {
  test('vendors, even when the challenge is dressed as a delivery report', () => {
    const hit = runPrefilters(makeEmail({ from: 'noreply@boxbe.com', contentType: 'multipart/report', reportType: 'delivery-status' }), ctx);
    assert.equal(hit?.kind, 'auto_reply');
    assert.match(hit?.reason.text ?? '', /^Pre-filter: Challenge-response from boxbe\.com/);
    assert.equal(machineKind({ from: 'jo@bluebottle.example', subject: 'RE: Offer', headers: { 'x-bluebottle-request': '<77>' } }), 'auto_reply');
  });
  test('"prove you are a person" in en/it/de/fr/es', () => {
    for (const text of [
      'Your message to anna@shop.example is waiting. To keep spam out, please confirm that you are a human: https://verify.example/a1',
      'Please add yourself to my approved senders list so that your message reaches my inbox: https://verify.example/a2',
      'Il tuo messaggio è in attesa. Per favore conferma di essere una persona reale: https://verify.example/a3',
      'Ihre Nachricht wurde zurückgehalten. Bitte bestätigen Sie mit einem Klick, dass Sie kein Roboter sind: https://verify.example/a4',
      'Votre message est en attente. Merci de confirmer que vous êtes un humain : https://verify.example/a5',
      'Su mensaje está retenido. Por favor, confirme que es una persona real: https://verify.example/a6',
    ]) {
      assert.equal(machineKind({ from: 'verify@filter.example', subject: 'Please confirm your message', text }), 'auto_reply', text);
    }
  });
  test('a customer stuck on a captcha, or forwarding a challenge, is a person', () => {
    assert.equal(machineKind({ text: 'Your signup form keeps asking me to confirm that I am human and then fails. Can you help?' }), null);
    assert.equal(machineKind({ subject: 'Fwd: Please verify', text: 'What is this? It says: please verify that you are a human.' }), null);
  });
});

describe('auto-reply: more headers and subjects', () => {
  test('vacation programs: empty Return-Path with Precedence bulk or junk, and vendor headers', () => {
    assert.equal(machineKind({ subject: 'Thank you for your e-mail', headers: { ...NULL_PATH, precedence: 'bulk' } }), 'auto_reply');
    assert.equal(machineKind({ subject: 'Re: Order', headers: { ...NULL_PATH, precedence: 'junk' } }), 'auto_reply');
    assert.equal(kindOf({ headers: { ...NULL_PATH, precedence: 'list', 'list-id': '<news.vendor.example>' } }), 'bulk');
    assert.equal(machineKind({ headers: { 'x-autoresponse-suppress': 'All' } }), 'auto_reply');
    assert.equal(machineKind({ headers: { 'x-fc-machinegenerated': 'true' } }), 'auto_reply');
    assert.equal(machineKind({ headers: { 'delivered-to': 'Autoresponder' } }), 'auto_reply');
  });
  test('absence and acknowledgement subjects', () => {
    for (const subject of [
      '[Automatic reply] Your order',
      'Out of Office AutoReply: Your order',
      'Out of the office until 3 May',
      'Abwesenheit: Ihre Anfrage',
      'Assenza: richiesta preventivo',
      'Ausencia: pedido 77',
      'Avviso di assenza',
      'Je suis absente du bureau',
      '[Ticket #4411] We have received your request',
      '[HD-2231] Nous avons bien reçu votre demande',
      'Wir haben Ihre Anfrage erhalten',
      'Hemos recibido su solicitud',
      '[CS-18] Abbiamo ricevuto la tua richiesta',
      'Automatyczna odpowiedź: test',
    ]) {
      assert.equal(machineKind({ subject }), 'auto_reply', subject);
    }
  });
  test('subjects that only share a word pass', () => {
    for (const subject of [
      'Out of office feature request',
      'Out of office replies not working',
      'Abwesenheitsregel funktioniert nicht',
      'Ausencia de datos en el informe',
      'Re: We have received your invoice twice',
      'Request for a refund',
    ]) {
      assert.equal(machineKind({ subject }), null, subject);
    }
  });
});

describe('out-of-office replies without any header', () => {
  test('the text alone, in en/it/de/fr/es', () => {
    for (const [subject, text] of [
      [
        'Re: Export settings',
        'Hello,\n\nThank you for your message. I am out of the office until 14 July with no access to email.\nFor urgent matters please contact my colleague Tom Reed (tom.reed@harbour.example).\n\nBest regards,\nLisa Grant',
      ],
      ['Re: Preventivo', 'Buongiorno,\nsono in ferie fino al 25 agosto e non leggerò la posta.\nPer urgenze scrivete a ufficio@rossi.example.\n\nCordiali saluti\nMarco Rossi'],
      [
        'Re: Ihre Rechnung',
        'Guten Tag,\n\nich bin bis einschließlich 9. August im Urlaub. Ihre Nachricht wird nicht weitergeleitet.\nIn dringenden Fällen wenden Sie sich bitte an info@werk.example.\n\nMit freundlichen Grüßen\nAnna Vogt',
      ],
      [
        'Re: Accès au portail',
        "Bonjour,\n\nje suis absente jusqu'au 3 septembre et je n'aurai pas accès à mes e-mails. Pour toute urgence, merci de contacter Paul Martin au 01 23 45 67 89.\n\nBien à vous,\nClaire",
      ],
      ['Re: Pedido 5521', 'Hola:\n\nEstaré fuera de la oficina hasta el 2 de septiembre, con acceso limitado al correo. Responderé a mi regreso.\n\nUn saludo,\nJavier'],
      ['Im Urlaub bis 12.8.', 'Ihre Nachricht wird nach meiner Rückkehr bearbeitet.'],
      ['Re: Devis', "Je suis absente jusqu'au 3 mai. Merci de contacter ma collègue Anne Roy (anne.roy@atelier.example)."],
    ]) {
      const hit = runPrefilters(makeEmail({ subject, text }), ctx);
      assert.equal(hit?.kind, 'auto_reply', text);
      assert.match(hit?.reason.text ?? '', /^Pre-filter: Out-of-office reply without an auto-reply header \(the text only says ".+"/);
      assert.equal(isReplyableSender(makeEmail({ subject, text }), OWN), false);
    }
  });
  test('a person who mentions an absence and asks for something is not caught', () => {
    for (const [subject, text] of [
      ['Login fails', 'Hi, I was out of office last week, now the login fails.'],
      ['Password', "Hi,\n\nI'm on vacation until Monday but I can't log in to the dashboard from the hotel.\nCould you reset my password?\n\nThanks,\nMia"],
      ['Migration', 'I will be out of the office next week. Please make sure the data migration is finished by Friday.\n\nRegards,\nOmar'],
      ['Export', 'Hello, I am away until Monday. Please cancel my subscription.'],
      ['Export', 'Ich war letzte Woche im Urlaub und jetzt funktioniert der Export nicht mehr.'],
      ['Fattura', 'Sono in ferie fino al 20 agosto, ma la fattura di luglio è sbagliata.'],
      ['Facturation', 'Je serai en congé du 3 au 10 août. Pouvez-vous activer la facturation annuelle avant mon départ ?'],
      ['Factura', 'Estoy de vacaciones hasta el lunes, pero necesito la factura de julio para cerrar el mes.'],
      ['Fwd: Re: Order 18', 'I am out of the office until 14 July with no access to email.'],
      ['Fattura', 'Sono in ferie ma la fattura di luglio è sbagliata.'],
      ['Contract', "I'll be away until Friday. My colleague will send you the signed contract tomorrow."],
      ['Out of office feature request', 'Could your app send an automatic reply when our agents are away?'],
    ]) {
      assert.equal(machineKind({ subject, text }), null, text);
    }
  });
});
