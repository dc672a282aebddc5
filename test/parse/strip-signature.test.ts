import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isMobileFooter, stripSignature } from '../../src/parse/newest-message.js';

const cases: Array<{ name: string; text: string; newest: string }> = [
  {
    name: 'en: "-- " delimiter',
    text: 'Where is my parcel?\n\n-- \nJohn Smith\nACME Ltd | +44 20 7946 0000',
    newest: 'Where is my parcel?',
  },
  { name: 'en: "--" without the space', text: 'Thanks!\n--\nJane', newest: 'Thanks!' },
  { name: 'en: Sent from my iPhone', text: 'Call me back please.\n\nSent from my iPhone', newest: 'Call me back please.' },
  { name: 'en: Get Outlook for iOS', text: 'Approved.\n\nGet Outlook for iOS', newest: 'Approved.' },
  { name: 'it: Inviato da iPhone', text: 'Il pagamento non è passato.\n\nInviato da iPhone', newest: 'Il pagamento non è passato.' },
  { name: 'it: Inviato dal mio dispositivo Samsung', text: 'Grazie\n\nInviato dal mio dispositivo Samsung', newest: 'Grazie' },
  { name: 'de: Von meinem iPhone gesendet', text: 'Bitte stornieren.\n\nVon meinem iPhone gesendet', newest: 'Bitte stornieren.' },
  { name: 'de: Gesendet von Outlook für Android', text: 'Passt.\n\nGesendet von Outlook für Android', newest: 'Passt.' },
  { name: 'fr: Envoyé de mon iPhone', text: "Je n'ai pas reçu le colis.\n\nEnvoyé de mon iPhone", newest: "Je n'ai pas reçu le colis." },
  { name: 'fr: Télécharger Outlook pour Android', text: "D'accord.\n\nTélécharger Outlook pour Android", newest: "D'accord." },
  { name: 'es: Enviado desde mi iPhone', text: 'No puedo entrar.\n\nEnviado desde mi iPhone', newest: 'No puedo entrar.' },
  { name: 'es: Obtener Outlook para iOS', text: 'Vale.\n\nObtener Outlook para iOS', newest: 'Vale.' },
  {
    name: 'a footer also ends the message when an unrecognised quote follows',
    text: 'OK\n\nSent from my iPad\n\n2024-03-04 10:12 GMT Bob:\nold text',
    newest: 'OK',
  },
  { name: 'no signature: unchanged', text: 'Line one\n-- not a delimiter --\nLine two', newest: 'Line one\n-- not a delimiter --\nLine two' },
];

for (const { name, text, newest } of cases) {
  test(`strip signature — ${name}`, () => {
    assert.equal(stripSignature(text), newest);
  });
}

test('a sentence that mentions a phone is not a footer', () => {
  assert.equal(isMobileFooter('I sent from my iPhone the photo you asked for, but it bounced and I do not know why.'), false);
  assert.equal(isMobileFooter('Inviato: lunedì 4 marzo 2024'), false);
  assert.equal(isMobileFooter('Enviado: lunes'), false);
});
