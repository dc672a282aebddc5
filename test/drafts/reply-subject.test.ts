import assert from 'node:assert/strict';
import { test } from 'node:test';
import { replySubject, stripReplyPrefixes } from '../../src/drafts/compose-reply.js';

test('one "Re: " whatever reply prefixes the original carried, in en/it/de/fr/es clients', () => {
  const cases: Array<[string, string]> = [
    ['Fattura di ottobre', 'Re: Fattura di ottobre'],
    ['Re: Fattura di ottobre', 'Re: Fattura di ottobre'],
    ['RE: Re: re: Invoice', 'Re: Invoice'],
    ['R: Fattura', 'Re: Fattura'],
    ['RIF: Fattura', 'Re: Fattura'],
    ['AW: Rechnung', 'Re: Rechnung'],
    ['Aw: AW: Antw: Rechnung', 'Re: Rechnung'],
    ['Antwort: Rechnung', 'Re: Rechnung'],
    ['Réf. : Facture', 'Re: Facture'],
    ['Réf : Facture', 'Re: Facture'],
    ['Re : Facture', 'Re: Facture'],
    ['RV: Factura', 'Re: Factura'],
    ['SV: Faktura', 'Re: Faktura'],
    ['Re[2]: Invoice', 'Re: Invoice'],
    ['Re(3): Invoice', 'Re: Invoice'],
    ['Re：Invoice', 'Re: Invoice'],
    ['  Re:   spaced  ', 'Re: spaced'],
    ['Re: Fwd: Invoice', 'Re: Fwd: Invoice'],
    ['Fwd: Re: Invoice', 'Re: Fwd: Re: Invoice'],
    ['', 'Re:'],
    ['Re:', 'Re:'],
  ];
  for (const [original, expected] of cases) assert.equal(replySubject(original), expected, `subject ${JSON.stringify(original)}`);
});

test('words that merely start like a prefix are kept', () => {
  for (const subject of ['Result of the audit', 'Rechnung 42', 'Svuotare la cache', 'Avviso: manutenzione', 'Reset: password']) {
    assert.equal(stripReplyPrefixes(subject), subject);
  }
});

test('a subject spread over several lines becomes one line', () => {
  assert.equal(replySubject('Re: line one\r\n line two'), 'Re: line one line two');
});
