import type { TermDef } from './term-pattern.js';

/**
 * Money at stake: refunds, chargebacks, overdue or disputed invoices, double charges.
 * German and French terms also accept the spellings people type without umlauts or accents.
 *
 * Deliberate choices: "money back guarantee" is marketing (spam, newsletters) and is not matched;
 * "storno" is listed for Italian (a reversal) though in German it also means a cancellation, which
 * then goes to a person too; "refundable" is left out because "non-refundable" sits in many footers.
 */
export const PAYMENT_TERMS: readonly TermDef[] = [
  // en
  { lang: 'en', pattern: 'chargebacks?|charge backs?|charged back' },
  { lang: 'en', pattern: 'refund(?:s|ed|ing)?' },
  { lang: 'en', pattern: 'money back(?![\\s-]+guarantee)|(?:my|our|the) money returned' },
  { lang: 'en', pattern: 'reimburse(?:d|ment|ments)?' },
  {
    lang: 'en',
    pattern:
      'invoices? (?:is |are )?(?:now )?overdue|overdue (?:invoice|payment|bill|balance)s?|payments? (?:is |are )?(?:now )?overdue|past due (?:invoice|amount|balance|payment)s?|unpaid invoices?',
  },
  { lang: 'en', pattern: 'payment disputes?|disput(?:e|ed|ing) (?:the |a |this |that |my )?(?:charge|payment|transaction|invoice)s?' },
  { lang: 'en', pattern: 'double charged|charged (?:me )?(?:twice|two times)|unauthori[sz]ed (?:charge|payment|transaction|debit)s?' },
  { lang: 'en', pattern: 'debt collect(?:ion|or|ors)|payment reminder' },
  // it
  { lang: 'it', pattern: 'rimbors\\p{L}*' },
  { lang: 'it', pattern: 'storn(?:o|i|are|ato|ata)|riaddebit[oi]' },
  { lang: 'it', pattern: 'fattur[ae] (?:non pagat[ae]|scadut[ae]|insolut[ae])|solleciti? di pagamento' },
  { lang: 'it', pattern: 'soldi indietro|ridatemi i (?:miei )?soldi|restitu(?:zione|ire|ite) (?:dei|del|i|il) (?:miei |mio )?(?:soldi|denaro|importo)' },
  {
    lang: 'it',
    pattern: "doppio addebito|addebitat[oi] due volte|addebit[oi] non autorizzat[oi]|contest(?:azione|are) (?:del |dell'|il |l')?(?:pagamento|addebito)",
  },
  // de
  { lang: 'de', pattern: 'r(?:ü|ue)ckbuchung\\p{L}*|r(?:ü|ue)cklastschrift\\p{L}*' },
  { lang: 'de', pattern: 'r(?:ü|ue)ckerstatt\\p{L}*|erstattung(?:en)?|kostenerstattung\\p{L}*|geld zur(?:ü|ue)ck' },
  {
    lang: 'de',
    pattern: '(?:ü|ue)berf(?:ä|ae)llige rechnung(?:en)?|rechnung (?:ist )?(?:ü|ue)berf(?:ä|ae)llig|zahlungserinnerung\\p{L}*|mahnung(?:en)?|inkasso\\p{L}*',
  },
  { lang: 'de', pattern: 'doppelt (?:abgebucht|belastet|berechnet)|unberechtigte (?:abbuchung|lastschrift|belastung)(?:en)?' },
  // fr
  { lang: 'fr', pattern: 'rembours\\p{L}*' },
  { lang: 'fr', pattern: 'r(?:é|e)trofacturation\\p{L}*' },
  { lang: 'fr', pattern: 'factures? (?:impay(?:é|e)es?|en retard|(?:é|e)chues?|non r(?:é|e)gl(?:é|e)es?)|(?:relance|rappel) de paiement' },
  {
    lang: 'fr',
    pattern: "litiges? (?:de|sur (?:le|un)) paiement|contest(?:ation|er) (?:de |du |d'un |le |un |ce )?(?:paiement|pr(?:é|e)l(?:è|e)vement|d(?:é|e)bit)",
  },
  { lang: 'fr', pattern: 'd(?:é|e)bit(?:é|e)e? deux fois|double (?:pr(?:é|e)l(?:è|e)vement|d(?:é|e)bit)|pr(?:é|e)l(?:è|e)vement non autoris(?:é|e)' },
  // es
  { lang: 'es', pattern: 'reembols\\p{L}*' },
  { lang: 'es', pattern: 'contracargos?' },
  { lang: 'es', pattern: 'devoluci(?:ó|o)n (?:de|del) (?:mi |el )?(?:dinero|importe|pago)|devu(?:é|e)lv(?:a|an|anme|ame) (?:mi|el) dinero' },
  { lang: 'es', pattern: 'facturas? (?:vencidas?|impagadas?|pendientes? de pago|sin pagar)|recordatorio de pago' },
  {
    lang: 'es',
    pattern: 'disputa (?:de|del|sobre el) (?:pago|cargo)|(?:cargo|cobro)s? (?:duplicados?|indebidos?|no autorizados?)|(?:me )?cobra(?:do|ron) dos veces',
  },
];
