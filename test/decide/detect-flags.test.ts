import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { detectFlags } from '../../src/decide/detectors/detect-flags.js';

function inBody(text: string) {
  return detectFlags({ subject: '', text, hiddenText: '' });
}

const PAYMENT_POSITIVE: Record<string, string[]> = {
  en: [
    'I want a refund for last month.',
    'We will file a chargeback with our bank.',
    'Please give me my money back.',
    'Your invoice overdue notice was wrong.',
    'This is about an overdue invoice from March.',
    'We have a payment dispute about order 7781.',
    'You charged me twice for the same plan.',
    'I was double-charged yesterday.',
  ],
  it: ['Vorrei il rimborso dell’abbonamento.', 'Chiedo lo storno della transazione.', 'La fattura scaduta non è corretta.', 'Avete fatto un doppio addebito sulla carta.', 'RIMBORSATEMI SUBITO'],
  de: [
    'Ich verlange eine Rückerstattung.',
    'Wir haben eine Rückbuchung veranlasst.',
    'Die RÜCKBUCHUNGSGEBÜHR ist zu hoch.',
    'Ich möchte mein Geld zurück.',
    'Das ist bereits die zweite Mahnung.',
    'Bitte um Rueckerstattung des Betrags.',
  ],
  fr: ['Je demande le remboursement de ma commande.', 'Nous avons lancé une rétrofacturation auprès de la banque.', 'Votre facture impayée date de mars.', 'Vous m’avez débité deux fois.'],
  es: [
    'Quiero un reembolso inmediato.',
    'Voy a solicitar un contracargo al banco.',
    'Tengo una factura vencida que no reconozco.',
    'Me cobraron dos veces el mismo pedido.',
    'Exijo la devolución de mi dinero.',
  ],
};

const LEGAL_POSITIVE: Record<string, string[]> = {
  en: [
    'Our lawyer will contact you.',
    'I have spoken to my attorney about this.',
    'We are considering legal action.',
    'This is a formal cease and desist letter.',
    'We will sue your company.',
    'I WILL SUE YOU',
    'See you in court.',
    'You will receive a subpoena.',
    'I exercise my right to erasure under Article 17.',
    'This is a subject access request.',
    'Please handle my GDPR erasure request.',
    'Please delete all my personal data.',
    'We will file a lawsuit next week.',
  ],
  it: [
    'Il mio avvocato vi scriverà.',
    'Vi mando una diffida formale.',
    'Ci vediamo in tribunale.',
    'Vi faremo causa.',
    "Chiedo il diritto all'oblio.",
    'Chiedo il diritto all’oblio ai sensi del GDPR.',
    'Procederemo per vie legali.',
  ],
  de: [
    'Mein Anwalt meldet sich bei Ihnen.',
    'Unser Rechtsanwalt prüft den Fall.',
    'Die Rechtsanwältin hat geschrieben.',
    'Wir sehen uns vor Gericht.',
    'Das Amtsgericht München ist zuständig.',
    'Wir leiten rechtliche Schritte ein.',
    'Ich verlange Auskunft nach Art. 15 DSGVO.',
    'Bitte um Löschung meiner Daten gemäß DSGVO.',
    'Sie erhalten eine Abmahnung.',
  ],
  fr: [
    'Notre avocat vous contactera.',
    'Ceci est une mise en demeure.',
    'Nous saisirons le tribunal.',
    "J'exerce mon droit à l'effacement (article 17 du RGPD).",
    'Je vais porter plainte.',
    'Nous avons saisi la CNIL.',
  ],
  es: [
    'Mi abogado se pondrá en contacto.',
    'Iremos al tribunal.',
    'Vamos a emprender acciones legales.',
    'Ejerzo mi derecho de supresión según el RGPD.',
    'Les voy a demandar.',
    'He enviado un burofax.',
  ],
};

const NEGATIVE: Record<string, string[]> = {
  en: [
    'Sue from accounting asked about the login page.',
    'I talked to Sue yesterday about the export.',
    'We met at the food court and discussed the API.',
    'Our tennis court booking page is down.',
    'Is your product GDPR compliant?',
    'Satisfaction guaranteed with our money back guarantee!',
    'The issue persists; pursue the bug please.',
    'The courtesy copy was not delivered.',
    'The tickets are non-refundable, is that right?',
    'Please reset my password, the login fails.',
  ],
  it: ['Il legale rappresentante della società è Mario Rossi.', 'La sede legale è a Milano.', 'A causa di un errore non riesco ad accedere.', 'Non riesco a fare il login.'],
  de: ['Das Gericht des Tages war lecker.', 'Die Berichterstattung war gut.', 'Ich kann mich nicht anmelden, bitte helfen Sie.', 'Die Verwaltung der Benutzer funktioniert nicht.'],
  fr: ['Je ne peux pas me connecter depuis ce matin.', 'Le tableau de bord ne charge pas.'],
  es: ['Hay una alta demanda de nuestro producto.', 'No puedo iniciar sesión en la aplicación.'],
};

describe('payment terms are found in every language', () => {
  for (const [lang, sentences] of Object.entries(PAYMENT_POSITIVE)) {
    test(lang, () => {
      for (const s of sentences) {
        const r = inBody(s);
        assert.equal(r.payment, true, `payment not found in: ${s}`);
        assert.ok(r.matches.every((m) => m.where === 'body'));
      }
    });
  }
});

describe('legal terms are found in every language', () => {
  for (const [lang, sentences] of Object.entries(LEGAL_POSITIVE)) {
    test(lang, () => {
      for (const s of sentences) assert.equal(inBody(s).legal, true, `legal not found in: ${s}`);
    });
  }
});

describe('ordinary sentences raise no flag', () => {
  for (const [lang, sentences] of Object.entries(NEGATIVE)) {
    test(lang, () => {
      for (const s of sentences) {
        const r = inBody(s);
        assert.deepEqual([r.payment, r.legal, r.matches], [false, false, []], `false positive in: ${s}`);
      }
    });
  }
});

describe('word boundaries that know accented letters', () => {
  test('a term inside a longer word with an accented letter is not a match', () => {
    // "diffidò" (he distrusted) is not "diffida"; "stornò" is a verb form we do not list.
    assert.equal(inBody('Egli diffidò del venditore.').legal, false);
    assert.equal(inBody('Qualcuno stornò la chiamata.').payment, false);
    assert.equal(inBody('Pré-remboursementé').payment, true, 'rembours… is a stem and matches its forms');
    assert.equal(inBody('Xavocat').legal, false);
    assert.equal(inBody('ñabogado').legal, false);
  });
  test('accented letters right after a term end the match only at a real word end', () => {
    assert.equal(inBody('tribunalé').legal, false);
    assert.equal(inBody('(tribunal)').legal, true);
    assert.equal(inBody('«avocat»').legal, true);
  });
  test('decomposed accents and full-width letters are normalised', () => {
    assert.equal(inBody('Ru\u0308ckerstattung bitte').payment, true);
    assert.equal(inBody('ｒｅｆｕｎｄ please').payment, true);
    assert.equal(inBody('re\u200Bfund please').payment, true, 'zero-width space inside the word');
  });
  test('case-insensitive, including accented capitals', () => {
    assert.equal(inBody('RÉTROFACTURATION').payment, true);
    assert.equal(inBody('MISE EN DEMEURE').legal, true);
  });
});

describe('where a match was found', () => {
  test('subject, body and hidden text are reported separately, each term once per place', () => {
    const r = detectFlags({
      subject: 'Richiesta di rimborso',
      text: 'Vorrei un rimborso. Ripeto: rimborso! Il mio avvocato è informato.',
      hiddenText: 'refund',
    });
    assert.deepEqual(r.matches, [
      { flag: 'payment', term: 'rimborso', where: 'subject' },
      { flag: 'payment', term: 'rimborso', where: 'body' },
      { flag: 'legal', term: 'avvocato', where: 'body' },
      { flag: 'payment', term: 'refund', where: 'hidden' },
    ]);
    assert.equal(r.payment, true);
    assert.equal(r.legal, true);
  });
  test('hidden text alone raises the flag', () => {
    const r = detectFlags({ subject: 'How do I export?', text: 'How do I export my data to CSV?', hiddenText: 'lawyer refund' });
    assert.equal(r.payment, true);
    assert.equal(r.legal, true);
    assert.ok(r.matches.every((m) => m.where === 'hidden'));
  });
  test('GDPR requests are reported with a label, not a long snippet', () => {
    const r = inBody('Under GDPR I request deletion of my account.');
    assert.deepEqual(
      r.matches.map((m) => m.term),
      ['GDPR/DSGVO/RGPD request'],
    );
  });
});
