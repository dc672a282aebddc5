import assert from 'node:assert/strict';
import { test } from 'node:test';
import { firstHistoryMarker, stripQuotedHistory } from '../../src/parse/strip-quotes.js';

interface Case {
  name: string;
  text: string;
  newest: string;
}

const cases: Case[] = [
  {
    name: 'en: Gmail attribution and > quote',
    text: [
      'Hi, the export still fails with error 500.',
      '',
      'On Mon, Mar 4, 2024 at 10:12 AM Support Team <support@example.com> wrote:',
      '> Could you try again and tell us what happens?',
      '>',
      '> Thanks',
    ].join('\n'),
    newest: 'Hi, the export still fails with error 500.',
  },
  {
    name: 'en: attribution wrapped over two lines',
    text: ['Still broken on my side.', '', 'On Mon, Mar 4, 2024 at 10:12 AM Very Long Support Team Name <', 'support@example.com> wrote:', '> Please retry.'].join('\n'),
    newest: 'Still broken on my side.',
  },
  {
    name: 'en: Outlook header block after an underscore line, no > quoting',
    text: [
      'Please cancel my order #4411.',
      '',
      '________________________________',
      'From: Shop <orders@shop.example>',
      'Sent: Monday, March 4, 2024 10:12 AM',
      'To: Maria Rossi <maria@example.com>',
      'Subject: Your order #4411',
      '',
      'Thank you for your order.',
    ].join('\n'),
    newest: 'Please cancel my order #4411.',
  },
  {
    name: 'en: -----Original Message-----',
    text: ['Any update on this?', '', '-----Original Message-----', 'From: Bob', 'Old text'].join('\n'),
    newest: 'Any update on this?',
  },
  {
    name: 'it: Il giorno … ha scritto:',
    text: ['Buongiorno, il login non funziona ancora.', '', 'Il giorno lun 4 mar 2024 alle ore 10:12 Assistenza <assistenza@example.it> ha scritto:', '> Può riprovare adesso?'].join('\n'),
    newest: 'Buongiorno, il login non funziona ancora.',
  },
  {
    name: 'it: Il 04/03/2024 … ha scritto: wrapped over two lines',
    text: ['Grazie, ora funziona.', '', 'Il 04/03/2024 10:12, Assistenza Clienti Example <', 'assistenza@example.it> ha scritto:', '> Abbiamo risolto il problema.'].join('\n'),
    newest: 'Grazie, ora funziona.',
  },
  {
    name: 'it: Outlook Da:/Inviato:/A:/Oggetto:',
    text: [
      'Vi prego di annullare il rinnovo.',
      '',
      'Da: Example <noreply@example.it>',
      'Inviato: lunedì 4 marzo 2024 10:12',
      'A: Mario Bianchi <mario@example.it>',
      'Oggetto: Rinnovo abbonamento',
      '',
      'Il suo abbonamento sarà rinnovato.',
    ].join('\n'),
    newest: 'Vi prego di annullare il rinnovo.',
  },
  {
    name: 'it: -----Messaggio originale-----',
    text: ['Avete novità?', '-----Messaggio originale-----', 'Da: Luca', 'Testo vecchio'].join('\n'),
    newest: 'Avete novità?',
  },
  {
    name: 'de: Am … schrieb …:',
    text: ['Hallo, die Rechnung ist immer noch falsch.', '', 'Am Mo., 4. März 2024 um 10:12 Uhr schrieb Support <support@example.de>:', '> Wir haben die Rechnung korrigiert.'].join('\n'),
    newest: 'Hallo, die Rechnung ist immer noch falsch.',
  },
  {
    name: 'de: … schrieb am …:',
    text: ['Danke!', '', 'Support <support@example.de> schrieb am 04.03.2024 10:12:', '> Erledigt.'].join('\n'),
    newest: 'Danke!',
  },
  {
    name: 'de: Von:/Gesendet:/An:/Betreff:',
    text: ['Bitte um Rückruf.', '', 'Von: Example GmbH <info@example.de>', 'Gesendet: Montag, 4. März 2024 10:12', 'An: Max Mustermann <max@example.de>', 'Betreff: Ihr Vertrag'].join('\n'),
    newest: 'Bitte um Rückruf.',
  },
  {
    name: 'de: -----Ursprüngliche Nachricht-----',
    text: ['Gibt es Neuigkeiten?', '-----Ursprüngliche Nachricht-----', 'Von: Anna', 'Alt'].join('\n'),
    newest: 'Gibt es Neuigkeiten?',
  },
  {
    name: 'fr: Le … a écrit : (no-break space before the colon, already normalized)',
    text: ['Bonjour, je n’arrive toujours pas à me connecter.', '', 'Le lun. 4 mars 2024 à 10:12, Support <support@example.fr> a écrit :', '> Pouvez-vous réessayer ?'].join('\n'),
    newest: 'Bonjour, je n’arrive toujours pas à me connecter.',
  },
  {
    name: 'fr: De:/Envoyé:/À:/Objet:',
    text: ['Merci de rembourser la commande.', '', 'De : Boutique <contact@boutique.fr>', 'Envoyé : lundi 4 mars 2024 10:12', 'À : Jean Dupont <jean@example.fr>', 'Objet : Votre commande'].join('\n'),
    newest: 'Merci de rembourser la commande.',
  },
  {
    name: "fr: -----Message d'origine-----",
    text: ['Des nouvelles ?', "-----Message d'origine-----", 'De : Paul', 'Ancien'].join('\n'),
    newest: 'Des nouvelles ?',
  },
  {
    name: 'es: El … escribió:',
    text: ['Hola, la aplicación sigue sin abrir.', '', 'El lun, 4 mar 2024 a las 10:12, Soporte (<soporte@example.es>) escribió:', '> ¿Puede intentarlo de nuevo?'].join('\n'),
    newest: 'Hola, la aplicación sigue sin abrir.',
  },
  {
    name: 'es: De:/Enviado:/Para:/Asunto:',
    text: ['Necesito la factura de febrero.', '', 'De: Tienda <ventas@tienda.es>', 'Enviado: lunes, 4 de marzo de 2024 10:12', 'Para: Ana García <ana@example.es>', 'Asunto: Pedido enviado'].join(
      '\n',
    ),
    newest: 'Necesito la factura de febrero.',
  },
  {
    name: 'es: -----Mensaje original-----',
    text: ['¿Alguna novedad?', '-----Mensaje original-----', 'De: Luis', 'Viejo'].join('\n'),
    newest: '¿Alguna novedad?',
  },
  {
    name: 'inline reply keeps the answers and drops the quotes',
    text: ['On Mon, Mar 4, 2024 at 10:12 AM Support <support@example.com> wrote:', '> Which browser do you use?', 'Firefox 123.', '> And which operating system?', 'Windows 11.'].join('\n'),
    newest: 'Firefox 123.\nWindows 11.',
  },
  {
    name: 'bottom-posted reply keeps the answer below the quote',
    text: ['On 04/02/2012 06:26 PM, Megan One wrote:', '> Hi', 'Hello'].join('\n'),
    newest: 'Hello',
  },
  {
    name: 'plain > quoting without attribution',
    text: ['> Did it work?', 'Yes, thanks.'].join('\n'),
    newest: 'Yes, thanks.',
  },
  {
    name: 'text without history is left alone',
    text: 'Hello,\n\nOn Monday our team will visit you.\nRegards',
    newest: 'Hello,\n\nOn Monday our team will visit you.\nRegards',
  },
];

for (const { name, text, newest } of cases) {
  test(`strip quotes — ${name}`, () => {
    assert.equal(stripQuotedHistory(text), newest);
  });
}

test('a forward separator is reported as a forward, not as history', () => {
  assert.equal(firstHistoryMarker('FYI\n\n---------- Forwarded message ---------\nFrom: A <a@x.test>'), 'forward');
  assert.equal(firstHistoryMarker('Vedi sotto\n\n-------- Messaggio inoltrato --------\nDa: A'), 'forward');
  assert.equal(firstHistoryMarker('Hi\n\nOn Mon, Mar 4, 2024 Bob wrote:\n> x'), 'attribution');
  assert.equal(firstHistoryMarker('Just text'), null);
});

test('a "said:" attribution is history when quoted lines follow it', () => {
  assert.equal(stripQuotedHistory('Agreed.\n\nRobert Elz said:\n> Date: Thu\n> old'), 'Agreed.');
});
