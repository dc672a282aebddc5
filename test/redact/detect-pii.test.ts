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

  test('tax and national ids in their official forms, named or prefixed, with check digits where they have them', () => {
    const first = (text: string) => detectPii(text).filter((m) => m.kind !== 'name')[0];
    const cases: Array<[string, 'tax_id' | 'national_id', string]> = [
      ['Steuernummer: 2181508150', 'tax_id', '2181508150'],
      ['StNr.: 9181/815/08155', 'tax_id', '9181/815/08155'],
      ['UID CHE-123.456.788 MWST', 'tax_id', 'CHE-123.456.788'],
      ['UID-Nr.: ATU13585627', 'tax_id', 'ATU13585627'],
      ['BTW NL123456789B01', 'tax_id', 'NL123456789B01'],
      ['TVA BE 0123.456.749', 'tax_id', 'BE 0123.456.749'],
      ['C.F. e P.IVA 01234567897', 'tax_id', '01234567897'],
      ['CIF: B-12345674', 'tax_id', 'B-12345674'],
      ['N° TVA intracommunautaire : FR 44 732 829 320', 'tax_id', 'FR 44 732 829 320'],
      ['RCS Paris B 732 829 320', 'tax_id', '732 829 320'],
      ['UTR: 12345 67890', 'tax_id', '12345 67890'],
      ['EIN 12-3456789', 'tax_id', '12-3456789'],
      ['NIF: 12.345.678-Z', 'national_id', '12.345.678-Z'],
      ['N.º de la Seguridad Social 28 1234567840', 'national_id', '28 1234567840'],
      ['Personalausweis: L01X00T47', 'national_id', 'L01X00T47'],
      ['NI No: AB 12 34 56 C', 'national_id', 'AB 12 34 56 C'],
    ];
    for (const [text, kind, value] of cases) assert.deepEqual(first(text), { kind, value, start: text.indexOf(value), end: text.indexOf(value) + value.length }, text);
  });

  test('a VAT prefix that is also a word needs the text to say VAT; register numbers and company numbers are not tax ids', () => {
    assert.deepEqual(kinds('Amtsgericht Stuttgart HRB 751234; registered in England and Wales under company number 08123456'), []);
    assert.deepEqual(kinds('Bestellnummer 732829320, Commande n° 73282932000074, Kundennummer 123/456/78901'), []);
    assert.deepEqual(kinds('PL 1234567890 rows were imported'), []);
    assert.deepEqual(kinds('NIP PL1234567890'), ['tax_id:PL1234567890']);
  });

  test('addresses as people write them in the five languages; phrases with a number are not streets', () => {
    for (const text of [
      'Via Roma n. 12',
      'spedite a via Roma 12, Milano',
      'Hauptstr 5',
      'Berliner Straße 5',
      'Kaiser-Wilhelm-Ring 3',
      'Unter den Linden 77',
      'c/ Mayor nº 5',
      'Plaza Mayor s/n',
      'Unit 4, Canal Wharf, Leeds',
      '55 W 42nd St',
    ]) {
      assert.equal(detectPii(text).filter((m) => m.kind === 'address').length, 1, text);
    }
    for (const text of ['Im Jahr 2026', 'Test message from Netscape Communicator 4', 'Firewall 3 is down', 'Am 12. Mai']) assert.deepEqual(kinds(text), [], text);
  });

  test("people's names where the text says a name stands there, in the five languages", () => {
    const names = (text: string, known: string[] = []) => detectPii(text, known).flatMap((m) => (m.kind === 'name' ? [m.value] : []));
    assert.deepEqual(names('Dear Maria Rossi,\nthanks'), ['Maria Rossi']);
    assert.deepEqual(names('Gentile Sig. Bianchi,'), ['Bianchi']);
    assert.deepEqual(names('Sehr geehrte Frau Müller,'), ['Müller']);
    assert.deepEqual(names('Bonjour M. Dupont,'), ['Dupont']);
    assert.deepEqual(names('Estimado Sr. García:'), ['García']);
    assert.deepEqual(names("Dear Mr. O'Brien,"), ["O'Brien"]);
    assert.deepEqual(names('Best regards,\nAnna Rossi'), ['Anna Rossi']);
    assert.deepEqual(names('Cordiali saluti\n\nFrancesca Gallo\nVia Roma 1'), ['Francesca Gallo']);
    assert.deepEqual(names('Mit freundlichen Grüßen\nDr. Hans Müller'), ['Hans Müller']);
    assert.deepEqual(names('Saludos,\nCarmen López'), ['Carmen López']);
    assert.deepEqual(names('Thanks, Tom'), ['Tom']);
    assert.deepEqual(names('My name is John Smith and'), ['John Smith']);
    assert.deepEqual(names('mi chiamo Giulia Verdi'), ['Giulia Verdi']);
    assert.deepEqual(names("je m'appelle Pierre Moreau"), ['Pierre Moreau']);
    assert.deepEqual(names('Me llamo Diego López'), ['Diego López']);
    assert.deepEqual(names('Ich heiße Lena Fischer.'), ['Lena Fischer']);
    assert.deepEqual(names('Name: John Smith\nEmail: x'), ['John Smith']);
    assert.deepEqual(names('Kind regards,\nJean-Pierre Dubois-Martin'), ['Jean-Pierre Dubois-Martin']);
    assert.deepEqual(names('The invoice was approved by Giulia Bianchi yesterday.', ['Giulia Bianchi']), ['Giulia Bianchi'], "the sender's display name wherever it is repeated");
  });

  test('team, company and greeting words are not names', () => {
    for (const text of [
      'Dear Support Team,',
      'Sehr geehrte Damen und Herren,',
      'Dear Sir or Madam,',
      'Bonjour Madame, Monsieur,',
      'Estimados señores:',
      'Hi there,',
      'Hi ALL,',
      'Thanks,\nThe Mailroom Team',
      'Cordialement,\nService Client',
      'Grazie,\nAcme S.r.l.',
      'Mit freundlichen Grüßen\nIhr Kundenservice',
      'Liebe Mitglieder,',
      'I am Italian',
      'Thanks,\nMüller Bau GmbH',
      'Regards,\nBNG',
      'Joseph Alamo\nSr. Administrative Assistant',
    ]) {
      assert.deepEqual(
        detectPii(text).filter((m) => m.kind === 'name'),
        [],
        text,
      );
    }
    assert.deepEqual(detectPii('Hello', ['Acme Support Team']), [], 'a display name that is not a person is not looked for');
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
    assert.equal(pii.view?.from?.name, 'Maria Rossi', 'names are not a kind redacted here');
    assert.equal(pii.view?.subject, 'Rimborso carta [CARD_1]');
    assert.equal(pii.view?.cleanText, 'Scrivete a [EMAIL_1] o a [EMAIL_2]. Tel. [PHONE_1]');
    assert.equal(email.from?.address, 'maria@cliente.example');
    assert.match(email.cleanText, /347 123 4567/);
  });

  test("with names redacted, the sender's display name and its repetitions in the text get one placeholder; restoring puts them back", () => {
    const email = makeParsedEmail({ from: 'Maria Rossi <maria@cliente.example>', subject: 'Rimborso', text: 'Buongiorno Sig. Bianchi,\nvi scrivo per il rimborso.\n\nCordiali saluti\nMaria Rossi' });
    const pii = examineEmail(email, { redact: new Set(['name', 'email']) });
    assert.equal(pii.view?.from?.name, '[NAME_1]');
    assert.equal(pii.view?.cleanText, 'Buongiorno Sig. [NAME_2],\nvi scrivo per il rimborso.\n\nCordiali saluti\n[NAME_1]');
    assert.equal(restorePlaceholders('Gentile [NAME_1], grazie.', pii.mapping).text, 'Gentile Maria Rossi, grazie.');
    assert.equal(pii.found.name, 2);
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
