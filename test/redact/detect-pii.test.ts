import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyMapping, detectPii, examineEmail, MAX_CANDIDATES, Redactor, redactedFields, restorePlaceholders } from '../../src/redact/index.js';
import { makeParsedEmail } from './parsed-email.js';

const kinds = (text: string) => detectPii(text).map((m) => `${m.kind}:${m.value}`);

describe('detectPii', () => {
  test('finds each kind in the five languages', () => {
    assert.deepEqual(kinds('Scrivetemi a mario.rossi@example.it o chiamate il 347 123 4567.'), ['email:mario.rossi@example.it', 'phone:347 123 4567']);
    assert.deepEqual(kinds('Unsere IBAN: DE89 3704 0044 0532 0130 00, Tel. 030 12345678'), ['iban:DE89 3704 0044 0532 0130 00', 'phone:030 12345678']);
    assert.deepEqual(kinds('Ma carte 4970 1024 5957 1172 a été débitée deux fois.'), ['card:4970 1024 5957 1172']);
    assert.deepEqual(kinds('Codice fiscale RSSMRA85T10A562S, P.IVA 12345678903'), ['national_id:RSSMRA85T10A562S', 'tax_id:12345678903']);
    assert.deepEqual(kinds('Mi DNI es 12345678Z y el NIE X1234567L; CIF B18290478'), ['national_id:12345678Z', 'national_id:X1234567L', 'tax_id:B18290478']);
    assert.deepEqual(kinds('NI number JG 10 37 59 A, VAT GB 284 7193 68'), ['national_id:JG 10 37 59 A', 'tax_id:GB 284 7193 68']);
    assert.deepEqual(kinds('N° de sécurité sociale 2 88 05 33 063 127 35, TVA FR83526018155'), ['national_id:2 88 05 33 063 127 35', 'tax_id:FR83526018155']);
    assert.deepEqual(kinds('Steuer-ID: 86095742719, USt-IdNr. DE136695976'), ['national_id:86095742719', 'tax_id:DE136695976']);
    assert.deepEqual(kinds('Geboren am 17.06.2002 in Duisburg'), ['dob:17.06.2002']);
    assert.deepEqual(kinds('Spedire a Via Belzoni 45, 35121 Padova entro venerdì'), ['address:Via Belzoni 45, 35121 Padova']);
  });

  test('order and invoice numbers, versions, dates and amounts are not personal data', () => {
    const text = [
      'Order 4711-2026-0815 shipped, invoice no. 20260412345, ticket #88123456.',
      'Version 10.4.12 build 20261104, released 2026-11-04 at 14:32:10.',
      'Total 1.234,56 EUR, 12.345.678 rows, IP 192.168.100.200, tracking 00340434161234567890.',
      'Rechnung 4000123456789, Bestellung 0176-3318, payment due on 12/05/2026.',
    ].join('\n');
    assert.deepEqual(detectPii(text), []);
  });

  test('a number that fails its check digit is not taken: a card, an IBAN, a codice fiscale', () => {
    assert.deepEqual(kinds('card 4970 1024 5957 1173, IBAN DE89 3704 0044 0532 0130 01, CF RSSMRA85T10A562T'), []);
  });

  test('ids named right before them count at their length; a country prefix and pattern make a VAT number', () => {
    assert.deepEqual(kinds('Steuernummer: 21/815/08150, USt-IdNr. DE123456788'), ['tax_id:21/815/08150', 'tax_id:DE123456788']);
    assert.deepEqual(kinds('P.IVA 01234567891 – SIREN 123456788'), ['tax_id:01234567891', 'tax_id:123456788']);
    assert.deepEqual(kinds('VAT Reg. No. 123 4567 89'), ['tax_id:123 4567 89']);
  });

  test('a card number in digit groups is a card; a bare run of digits only where the text says card; never after an order or tracking word', () => {
    assert.deepEqual(kinds('Visa 4970102459571172'), ['card:4970102459571172']);
    assert.deepEqual(kinds('Sendung 4970102459571172 unterwegs'), []);
    assert.deepEqual(kinds('Ref. 4970 1024 5957 1172'), []);
    assert.deepEqual(kinds('reference 4970102459571172'), []);
  });

  test('a date is a date of birth only after words that say so', () => {
    assert.deepEqual(kinds('Meeting on 17.06.2002. Nata il 03/04/1981.'), ['dob:03/04/1981']);
  });

  test('mail full of numbers stays bounded: at most MAX_CANDIDATES candidates per detector', () => {
    const csv = Array.from({ length: 20_000 }, (_, i) => `${i},2026-11-${String((i % 28) + 1).padStart(2, '0')} 12:00:0${i % 10},${1_000_000 + i * 7},${(i * 3.7).toFixed(2)},OK`).join('\n');
    const cardsEverywhere = Array.from({ length: 2 * MAX_CANDIDATES }, () => '4970 1024 5957 1172').join('\n');
    assert.ok(detectPii(csv).length <= 8 * MAX_CANDIDATES);
    const found = detectPii(cardsEverywhere).filter((m) => m.kind === 'card');
    assert.equal(found.length, MAX_CANDIDATES, 'the card detector stops after MAX_CANDIDATES candidates');
  });

  test('long runs of capitalised words and digits do not make the address pattern backtrack without end', () => {
    const words = `${'Via '.repeat(2000)}${'Alfa Beta '.repeat(2000)}${'12 '.repeat(2000)}`;
    assert.ok(Array.isArray(detectPii(words)));
  });
});

describe('Redactor', () => {
  test('same value, same placeholder; numbered per kind in order of appearance', () => {
    const r = new Redactor();
    const out = r.text('Write to A.B@Example.com or a.b@example.com, call +39 347 123 4567 or +39 06 1234 5678.');
    assert.equal(out, 'Write to [EMAIL_1] or [EMAIL_1], call [PHONE_1] or [PHONE_2].');
    assert.deepEqual(
      r.entries().map((e) => e.placeholder),
      ['[EMAIL_1]', '[PHONE_1]', '[PHONE_2]'],
    );
  });

  test('only the configured kinds are replaced', () => {
    const r = new Redactor(new Set(['card']));
    assert.equal(r.text('mail a@b.example, card 4970 1024 5957 1172'), 'mail a@b.example, card [CARD_1]');
  });

  test('placeholder-looking text from the sender is defused and can never be filled', () => {
    const r = new Redactor();
    assert.equal(r.text('my mail is [EMAIL_1] and x@y.example'), 'my mail is (EMAIL_1) and [EMAIL_1]');
  });
});

describe('examineEmail', () => {
  test('the view replaces the sender, the mailbox addresses in the text, the subject and the text; the email itself is untouched', () => {
    const email = makeParsedEmail({
      from: 'Maria Rossi <maria@cliente.example>',
      subject: 'Rimborso carta 4970 1024 5957 1172',
      text: 'Scrivete a maria@cliente.example o a support@mailroom.example. Tel. 347 123 4567',
    });
    const pii = examineEmail(email, { redact: new Set(['email', 'phone', 'card']) });
    assert.deepEqual(pii.found, { card: 1, email: 2, phone: 1 });
    assert.equal(pii.view?.from?.address, '[EMAIL_1]');
    assert.equal(pii.view?.subject, 'Rimborso carta [CARD_1]');
    assert.equal(pii.view?.cleanText, 'Scrivete a [EMAIL_1] o a [EMAIL_2]. Tel. [PHONE_1]');
    assert.equal(email.from?.address, 'maria@cliente.example');
    assert.match(email.cleanText, /347 123 4567/);
  });

  test('without redaction it still counts, and gives no view', () => {
    const pii = examineEmail(makeParsedEmail({ text: 'IBAN DE89 3704 0044 0532 0130 00' }), { redact: null });
    assert.deepEqual(pii, { found: { iban: 1 }, view: null, mapping: [] });
  });

  test('redactedFields redacts every kind of subject and newest text', () => {
    assert.deepEqual(redactedFields({ subject: 'Call 030 12345678', newestText: 'mail me: x@y.example' }), { subject: 'Call [PHONE_1]', body_text: 'mail me: [EMAIL_1]' });
  });
});

describe('restorePlaceholders', () => {
  const mapping = [
    { placeholder: '[EMAIL_1]', kind: 'email' as const, value: 'maria@cliente.example' },
    { placeholder: '[PHONE_1]', kind: 'phone' as const, value: '347 123 4567' },
  ];

  test('puts the values back; a placeholder the model invented is removed, not filled', () => {
    const out = restorePlaceholders('We will call you at [PHONE_1] and write to [EMAIL_1] or [EMAIL_2].', mapping);
    assert.equal(out.text, 'We will call you at 347 123 4567 and write to maria@cliente.example or.');
    assert.deepEqual(out.invented, ['[EMAIL_2]']);
  });

  test('applyMapping redacts again with the stored mapping', () => {
    assert.equal(applyMapping('maria@cliente.example, 347 123 4567', mapping), '[EMAIL_1], [PHONE_1]');
  });
});
