import type { Rule } from './rules.js';

/**
 * Money at stake (en/it/de/fr/es): refunds and chargebacks, double, unwanted or wrong charges, failed
 * payments and expired cards, dunning and payment demands, instalments, debt enforcement, changed
 * bank details, payment methods, VAT numbers or billing addresses, SEPA mandates, card numbers and
 * IBANs. Patterns are written per concept, every language side by side (notation: rules.ts).
 *
 * Mailroom sells invoicing software, so its customers write about invoices, reminders, amounts and
 * payments as product features every day: those alone are weak signals. A flag needs money that moved
 * or is claimed, asked back or refused, or payment details that change — or two weak signals of
 * different kinds (an invoice number and a reminder, an amount due and a "pay now").
 *
 * Decided on purpose: "money back guarantee", "satisfait ou remboursé" and refund *policies* are
 * marketing or a question before buying; "free of charge" is not a charge; a price is not money at
 * stake (an amount counts only beside money taken, owed, or taken twice); "will I be charged?" is a
 * question, "I was charged" is not.
 */

// Money that left the customer's account, or was paid; beside an amount.
// biome-ignore format: vocabulary reads best as a list
const TAKEN = [
  'charged', 'debited', 'took', 'taken', 'deducted', 'withdrawn', 'went out', 'came out', '(?:left|came off|coming off|taken from|gone from|went from|going out of|coming out of) (?:my|our) (?:\\S+ )?(?:account|card)', 'renewed', 'paid', 'transferred',
  'addebitat~', 'addebitare', 'addebit[oi]', 'prelevat~', 'scalat~', 'uscit[aeio]', 'tolt[io]', 'trattenut[io]', 'pagat[oi]', 'versat[oi]', 'bonificat[oi]',
  'abgebucht', 'eingezogen', 'belastet', 'abgezogen', 'berechnet', 'abgegangen', 'einbehalten', 'bezahlt', 'gezahlt', 'überwiesen', 'abbuchung', 'lastschrift',
  'débité~', 'prélevé~', "(?:m'|nous |l'|les )(?:a|as|avez|ont) (?:été )?facturé~", 'encaissé~', 'ponctionné~', 'partis', 'retiré~', 'payé~', 'réglé~', 'viré~', 'prélèvements?',
  'cobrad[oa]s?', 'cobraron', 'cobrasteis', 'cobró', 'debitaron', 'debitad[oa]s?', 'débitos?', 'cargad[oa]s?', 'cargaron', 'descontad[oa]s?', 'descontaron', 'retirad[oa]s?', 'pagad[oa]s?', 'pagué', 'pagamos', 'abonad[oa]s?', 'transferid[oa]s?', 'cargos?', 'cobros?',
].join('|');

// Charged, in the words that are not also everyday verbs ("it took ages to cancel").
// biome-ignore format: vocabulary reads best as a list
const CHARGED = [
  'charged', 'debited', 'billed', 'deducted', 'addebitat~', 'prelevat~', 'scalat~', 'abgebucht', 'eingezogen', 'belastet',
  'débité~', 'prélevé~', 'encaissé~', "(?:m'|nous |l'|les )(?:a|as|avez|ont) (?:été )?facturé~", "(?:j'ai|nous avons|a|ont) été (?:facturé|débité|prélevé)~", 'cobrad[oa]s?', 'cobraron', 'cobrasteis', 'cargad[oa]s?', 'cargaron', 'descontad[oa]s?', 'descontaron', 'cobró',
].join('|');
// Charges as nouns; "payment" and "transaction" only where nothing else says which payment it is.
const CHARGE_ONLY = 'charges|cargos?|cobros?|addebit[oi]|abbuchung(?:en)?|belastung(?:en)?|lastschrift(?:en)?|prélèvements?';
const CHARGE_NOUN = `${CHARGE_ONLY}|payments?|transactions?`;

// The same money taken more than once.
// biome-ignore format: vocabulary reads best as a list
const TWICE = [
  'twice', 'two times', 'double~', 'duplicate~', 'again', 'another', 'two lots', '(?:2|two|deux|due|zwei|dos) (?:times|fois|volte|mal|veces)',
  'due volte', 'doppi[oa]', 'di nuovo', 'identic[io]', 'uguali', 'ripetut[oi]',
  'zweimal', 'doppelt', 'erneut', 'nochmals', 'noch einmal',
  'deux fois', 'en double', 'à nouveau', 'de nouveau', 'identiques',
  'dos veces', 'duplicad[oa]s?', 'otra vez', 'de nuevo', 'vuelto a', 'repetid[oa]s?',
].join('|');

// Two charges counted as such: "deux débits", "zwei Abbuchungen"; beside an amount also "two lots of £29",
// "due movimenti identici" (alone, "two payments" and "deux lignes" are as often a client's or an invoice's).
const TWO_CHARGES =
  '(?:two|2) (?:charges|debits)|(?:due|2) (?:addebiti|prelievi)|(?:zwei|2) (?:abbuchungen|belastungen|lastschriften)|(?:deux|2) (?:débits|prélèvements)|(?:dos|2) (?:cargos|cobros|adeudos)';
const TWO_ITEMS = `${TWO_CHARGES}|(?:two|2) (?:payments|transactions|lots|invoices)|(?:due|2) (?:movimenti|pagamenti|uscite|fatture)|(?:zwei|2) (?:zahlungen|rechnungen)|(?:deux|2) (?:paiements|lignes|opérations|factures)|(?:dos|2) (?:pagos|movimientos|facturas)`;

// After cancelling, without consent, never ordered.
// biome-ignore format: vocabulary reads best as a list
const UNWANTED = [
  'cancel~', 'unauthori[sz]ed', 'without (?:my|our) (?:consent|permission|authori[sz]ation)', 'never (?:authori[sz]ed|agreed|ordered|signed up)',
  'disdett[ao]', 'disdire', 'recesso', 'receduto', 'non autorizzat[oi]', 'mai (?:autorizzat[oi]|chiest[oi]|richiest[oi])',
  'kündigung', 'gekündigt', 'nicht (?:bestellt|autorisiert|genehmigt)', 'nie (?:bestellt|abgeschlossen|gebucht)', 'ohne (?:meine|unsere) (?:zustimmung|erlaubnis)',
  'résiliation', 'résilié~', 'sans (?:mon|notre) (?:accord|autorisation)', 'non autorisé~', 'jamais (?:demandé|commandé|autorisé)',
  'auto-?renew~ (?:was |is |had been )?(?:off|disabled|turned off)', 'disattivat[oa]', 'deaktiviert', 'désactivé~', 'desactivad[oa]',
  'baja', 'cancelación', 'cancelé', 'cancelad[oa]', 'no autorizad[oa]s?', 'sin (?:mi|nuestro) (?:permiso|consentimiento|autorización)', 'no reconocid[oa]',
].join('|');
// A charge described as wrong: "cobros indebidos", "addebiti non autorizzati", "unberechtigte Abbuchung".
const WRONG =
  'indebid[oa]s?|no autorizad[oa]s?|no reconocid[oa]s?|unauthori[sz]ed|unrecogni[sz]ed|non autorizzat[oi]|non riconosciut[oi]|unberechtigt~|nicht autorisiert~|non autorisé~|non reconnu~|injustifié~|duplicad[oa]s?|duplicate|di troppo|en trop|de trop|zu viel';

// Asking for money back, in words that are not "refund".
// biome-ignore format: vocabulary reads best as a list
const GIVE_BACK = [
  '(?:put|give|pay|send|want|get) (?:it|them|that|this|(?:my|our|the) money|the (?:second|extra|other|duplicate) (?:one|charge|payment)|the difference|the rest) back', 'credit (?:it |them |that )?back',
  '(?:my|our|the) money (?:returned|refunded|back)', "(?:(?:n'est|ne sont) pas )?revenue?s? sur (?:ma|mon|notre) (?:carte|compte)", '(?:give|pay|send|credit) (?:me|us) back', 'return (?:my|our|the) money', '(?:credit|refund|return) (?:(?:me|us) )?(?:the|for the) (?:difference|overpayment|extra)',
  'mi restitu~', 'ci restitu~', 'restitu(?:ite|ire|irci|irmi|itemi|iteci|iscano)', 'restituzione', 'ridat[ei]', 'rivogli(?:o|amo)', 'rivorre(?:i|mmo)', 'tornare indietro', 'riaccredit~',
  '(?:have|get) (?:it|them|that|this) back', 'riaver(?:e|li|lo|la|le)', 'riaverli',
  'zurück(?:zahlen|überweisen|buchen|geben|haben|holen)', '(?:bekommen|kriegen|erhalten) (?:wir|ich) (?:das|es|sie|den betrag|das geld) (?:\\S+ )?(?:wieder|zurück)', 'wiederbekommen', 'zurückgebucht', 'zurückgezahlt', 'zurücküberwiesen', 'zurückgehen', 'zurückerhalten', 'gutschreiben', 'gutgeschrieben',
  'me rendre', 'rendez-moi', "récupérer (?:mes|mon|nos|notre|l'argent|la somme|le montant|la différence)", '(?:les|la|le) récupérer',
  'devolv(?:áis|éis|ed|er|erme|ernos|ieran|ieron)', 'recuperarl[oa]s?', 'recuperar (?:el dinero|ese dinero|esos|esas|el importe)', 'devuélv~', '(?:me|nos) devuelv~', 'devolución', 'retroced~',
].join('|');
const INVOICE = 'invoice~|bill|rechnung~|~rechnung|abrechnung|beleg~|fattur~|factur~';
const MONEY = `@amount|money|soldi|denaro|importo|somma|geld|betrag|argent|somme|dinero|importe|${TAKEN}|${CHARGE_NOUN}|fees?|gebühr~|frais|canone`;

// Bank, card issuer, PayPal: where a charge is reversed or disputed.
const BANK = 'bank|my card|card (?:issuer|company)|paypal|banca|filiale|banque|bancaire|banco|sparkasse|hausbank';
const CONTEST = 'dispute~|disputad[oa]|contest(?:a|are|ato|ata|azione|er|e|é|ée|ation|erai|erons|ing|ed)|reklam~';
const DISPUTE = `${CONTEST}|revers~|stop (?:the )?payment|recall~|opposition|widersprech~|widerspruch|zurückgehen|zurückholen|retroced~|fraud~|frode|betrug~|fraude|reject~|rejet~|refus~|rifiut~|respin~|zurückgewiesen|zurückgegeben|returned|retourné~|rechaz~|devuelt[oa]`;

// Changed details: new, changed, switched, from now on; or asked for.
// biome-ignore format: vocabulary reads best as a list
const CHANGED = [
  'new', 'change~', 'updat~', 'switch~', '(?:all |any )?future (?:invoices|documents|bills)', 'prochain(?:e|s|es)? (?:factures|documents)', 'moved?', 'closing', 'closed', 'old', 'from now on', 'going forward', 'add it', 'instead',
  'nuov[oaie]', 'cambi~', 'variazion~', 'aggiorn~', 'modific~', 'divent~', "d'ora in (?:poi|avanti)", 'da ora in poi', 'a partire da', 'invece',
  'neu~', 'geändert', 'änder~', 'wechsel~', 'gewechselt', 'umstell~', 'umgestellt', 'ab sofort', 'künftig~', 'hinterlegen', 'aktualisier~', 'statt', 'anstatt',
  'nouve(?:au|lle|aux|lles)', 'nouvel', 'changement', 'chang[ée]~', 'modifi~', 'désormais', 'dorénavant', 'mettre à jour', 'au lieu',
  'nuev[oa]s?', 'cambio', 'cambia~', 'cambié', 'actualiz~', 'a partir de', 'en lugar', 'en vez',
].join('|');
const SHARE = 'share|send|provide|confirm|communiquer|envoyer|indiquer|mitteilen|senden|zusenden|inviarci|inviare|comunicare|enviar|facilitar|indicar';
const BANK_WORD = 'iban|account|bank|conto|bonifico|konto|überweis~|kontoinhaber|compte|virement|titulaire|cuenta|transferencia|titular|beneficiar~|intestat[oa]|a nombre de';

// Someone's bank details, payment method, tax number, or invoice address.
const BANK_DETAILS =
  'bank (?:details|account|letter|information|info)|banking (?:information|details)|remittance (?:details|information)|iban|bic|bankverbindung|kontoverbindung|bankdaten|kontodaten|bankkonto|coordinate bancarie|conto corrente|rib|coordonnées bancaires|compte bancaire|datos bancarios|cuenta bancaria|entidad bancaria|número de cuenta';
// biome-ignore format: vocabulary reads best as a list
const PAY_METHOD = [
  'payment (?:method|details|information|info)', 'billing (?:details|information|info)', 'credit card', 'debit card', 'card payments?', 'card details', 'paypal', 'bank transfer', 'direct debit',
  'metodo di pagamento', '(?:dati|informazioni) di pagamento', 'carta di (?:credito|debito)',
  'zahlungs(?:art|methode|mittel|daten|informationen)', 'kreditkarte', 'kartendaten',
  'moyen de paiement', 'mode de (?:paiement|règlement)', 'informations de paiement', 'carte (?:bancaire|de crédit|bleue)',
  'método de pago', 'forma de pago', '(?:información|datos) de pago', 'tarjeta de (?:crédito|débito)',
].join('|');
const TAX_ID =
  'vat (?:number|no|id|registration|reg)|vat-?registered|tax id|ust-?id(?:nr)?|che-\\d{3}\\.\\d{3}\\.\\d{3}|umsatzsteuer-?identifikationsnummer|steuernummer|partita iva|p\\. ?iva|codice fiscale|(?:n°|numéro|no) (?:de )?tva|tva intracommunautaire|siret|siren|nif(?:-iva)?|cif|(?:tva|vat|iva|mwst) (?:[a-z]{2} ?)?\\d{8,12}';
const INVOICE_ADDRESS =
  'billing (?:address|details|entity)|invoice (?:address|details)|rechnungs(?:anschrift|adresse|empfänger|daten)|indirizzo di fatturazione|dati di fatturazione|intestat[ie] (?:a|alla|al)|adresse de facturation|entité facturée|raison sociale|dirección (?:fiscal|de facturación)|domicilio fiscal|datos fiscales|razón social';
const REISSUE =
  're-?issu~|neu ausstellen|neu ausgestellt|neuausstellung|stornier~|riemett~|riemess~|riemission~|réémett~|rééditer|facture rectifiée|reemitir|rectificativ[ao]|rectific(?:ar|ad[ao]s?|ación)';
const PURCHASE_ORDER =
  "purchase order|po (?:number|no|#|ref~|\\d)|po-\\d|bestellnummer|banf|ordine d'acquisto|numero d'ordine|oda \\d|bon de commande|bc \\d|numéro d'engagement|orden de compra|número de pedido|cig|leitweg-id|codice destinatario|codice univoco|chorus pro|coupa|ariba|cfdi|split payment|scissione dei pagamenti|detracción";
const CREDIT = 'credit note|gutschrift|nota di credito|un avoir|notes? de crédit|nota de (?:crédito|abono)|saldo a favor';
const CORRECTION = 'correct(?:ed|ion)?|correct[oa]|corrett[oa]|wrong|incorrect~|errat[oai]|sbagliat[oai]|falsch~|corrig~|correg~';
// A company footer around an account number: register, tax number, managing director.
const FOOTER = 'hrb|hra|ust-?id~|geschäftsführ~|amtsgericht|registergericht|registered (?:office|in)|company (?:no|number|reg~)|p\\. ?iva|rea|siret|rcs|capital social|cif|sitz|vat (?:no|number|reg~)';
// Whether refunds exist at all is a question before buying ("if we cancel in the first month, is there a refund?").
const REFUND_POLICY =
  "do you (?:offer |give |do )?refunds?|(?:is|are) (?:there )?(?:a |any )?refunds?|c'è (?:un )?rimborso|è previsto (?:un )?rimborso|(?:gibt es|bekomme ich) (?:eine )?(?:rück)?erstattung|y a-t-il (?:un )?remboursement|est-ce que vous remboursez|(?:hay|existe|ofrecéis|ofrecen) (?:un |algún )?reembolso";
const NOT_A_QUESTION = 'free|gratuit~|gratis|kostenlos|will|would|if|be|wird|würde|sarà|sarebbe|sera|serait|será|sería';

/** Weak payment signals raise the flag in any two kinds: an invoice number and a reminder, an amount due and a "pay now". */
export function paymentWeakKindsSuffice(kinds: ReadonlySet<string>): boolean {
  return kinds.size >= 2;
}

/**
 * Whether a weak signal of this kind, alone, is a hint worth passing to the decision, which raises the
 * flag when the local model also leans toward payment (decide.ts, localFlagsOf). Reminders, invoice
 * numbers and "your invoices" are not: they are the product's own documents, which customers, their
 * clients and vendors pitching an integration write about every day. On the seed corpus (each part
 * scored by a local model trained without it) every kind found 6 payment mails and flagged 1 support
 * mail (a question about reminders to the customer's clients); without these three, 4 and none. On
 * eval/dev the pairing otherwise flagged a fintech's pitch for a "pay button on your invoices".
 */
const DOCUMENT_KINDS: ReadonlySet<string> = new Set(['dunning', 'invoice number', 'your invoice']);

export function isPaymentHint(kind: string): boolean {
  return !DOCUMENT_KINDS.has(kind);
}

// biome-ignore format: a table of rules reads best one per line
export const PAYMENT_RULES: readonly Rule[] = [
  // Entities: a card number, an IBAN in the text (not in a signature's or a company footer's bank line).
  { find: '@card' },
  { find: '@iban', bodyOnly: true, unless: 'clients', not: FOOTER, notWithin: 12 },
  { find: '@iban-like', near: BANK_WORD, within: 6, bodyOnly: true, unless: 'clients', not: FOOTER, notWithin: 12 },
  { find: "card number|numéro de (?:la )?carte|numero (?:della |di )?carta|kartennummer|número de (?:la )?tarjeta", unless: 'how-to' },
  // Money asked back: refunds, chargebacks, credits, in every language and in other words.
  { find: 'refund(?:s|ed|ing)?|reimburs~|re-?credit~', not: `polic(?:y|ies)|guarantee~|terms|conditions|non|${REFUND_POLICY}`, notWithin: 1 },
  { find: 'chargebacks?|charge ?backs?|charged back|money back|moneyback', not: 'guarantee~|garantie', notWithin: 1 },
  { find: 'rimbors~|storn(?:o|i|are|ato|ata|ate)|riaddebit[oi]|riaccredit~', not: `soddisfatti|garanzia|${REFUND_POLICY}`, notWithin: 3 },
  { find: 'rückerstatt~|erstattung(?:en)?|erstatt(?:en|et)|(?:kosten|beitrags|gebühren)erstatt~|rückbuchung~|rücklastschrift~|geld zurück', not: `garantie|anzeige|meldung|bericht|${REFUND_POLICY}`, notWithin: 2 },
  { find: 'rembours~|rétrofacturation~|recrédit~', not: `satisfait|garanti~|${REFUND_POLICY}`, notWithin: 2 },
  { find: 'reembols~|reintegr~|contracargos?|devolución del? (?:mi |el |los )?(?:dinero|importe|pago|cargo)', not: `garantía|política|${REFUND_POLICY}`, notWithin: 2 },
  { find: GIVE_BACK, near: MONEY, within: 10, not: 'guarantee~|garantie|garanzia|garantía', notWithin: 1 },
  { find: 'prorat~ (?:credit|refund)|pro[ -]rata (?:credit|refund)|anteilig~ (?:gutschrift|erstattung)|(?:rimborso|accredito) proporzional~|(?:avoir|remboursement) au prorata|(?:abono|reembolso) prorratead[oa]', unless: 'how-to' },
  { find: "owed|owe (?:me|us)|(?:mi|ci) spetta|zusteht|me corresponde|nos corresponde|(?:m'|nous )est dû", near: 'credit|refund|money|compensation|rimborso|accredito|gutschrift|erstattung|remboursement|avoir|reembolso|abono|@amount', within: 4 },
  { find: "revers(?:e|al of|ing) (?:this|the|that|my|these|it)(?: (?:charge|payment|transaction|debit)s?)?" },
  // Money taken twice, after cancelling, without consent, wrongly, still, or to be taken no more.
  { find: `double ?(?:charg|bill|debit)~|overcharg~|overbill~|doppio addebito|doppelt (?:abgebucht|belastet|berechnet|bezahlt)|double (?:prélèvement|débit|facturation)|débits? en double|doble (?:cargo|cobro)|${TWO_CHARGES}` },
  { find: `${CHARGED}|${CHARGE_ONLY}|went through|(?:è|sono) passat[oi]|ging|passé|pasó`, near: TWICE, within: 6, not: `${NOT_A_QUESTION}|hours?|stunden|ore|heures|horas|minut~`, notWithin: 2 },
  { find: `${CHARGED}|${CHARGE_ONLY}|renewal charge`, near: UNWANTED, within: 10, not: NOT_A_QUESTION, notWithin: 2 },
  { find: `(?:${CHARGE_NOUN}) (?:\\S+ )?(?:${WRONG})|(?:unauthori[sz]ed|unrecogni[sz]ed|unberechtigte) (?:${CHARGE_NOUN})` },
  { find: 'wrongly|erroneously|by mistake|in error|irrtümlich|fälschlich~|per errore|erroneamente|à tort|par erreur|por error|indebidamente', near: `${CHARGED}|factur(?:ée?s?|ado|ato)|berechnet`, within: 4 },
  { find: '(?:continu~|keep|kept|still|weiter|weiterhin|toujours|sigue[ns]?|seguís|seguir) (?:\\S+ ){0,3}(?:charging|charg(?:e|es|ed) (?:me|us|my|our)|bill(?:ing|s|ed)? (?:me|us)|addebit~|abbuch~|prélev~|débit~|(?:me|nous) factur~|cobr~|cargándo(?:me|nos)|cargar(?:me|nos))', not: 'battery|batteria|akku|batterie|batería', notWithin: 4 },
  { find: `${CHARGED}|charg(?:e|es|ing)|bill(?:s|ing)?|addebit~|abbuchung(?:en)?|abbuchen|lastschrift(?:en)?|prélèvements?|prélever|débiter|factur(?:er|ation)|cargos?|cobros?|cobrar|cargar`, near: 'further|additional|any more|ulterior[ei]|weitere~|zusätzlich~|supplémentaires?|autres?|adicional(?:es)?|más', within: 3 },
  { find: "(?:do not|don't|stop|non|nicht mehr|ne (?:plus|pas)|cessez de|smettete di|dejen de) (?:\\S+ ){0,2}(?:charg(?:e|ing)|bill(?:ing)?|debit(?:ing)?|addebitar~|abbuchen|belasten|prélever|débiter|cobrar~|cargar~)", not: 'vat|tax|iva|tva|mwst|ust|impuest~|steuer~', notWithin: 3 },
  { find: "(?:i|we) (?:have |had |already )*cancel(?:l)?ed(?! (?:the |an? |this |that )?(?:invoice|quote|estimate|task|project|import|export))|(?:ich|wir) (?:habe|haben) (?:\\S+ ){0,3}gekündigt|(?:nach|trotz) (?:der |meiner |unserer )?kündigung|(?:ho|abbiamo) (?:\\S+ ){0,2}(?:disdetto|receduto)|(?:dopo|nonostante) (?:la )?disdetta|(?:j'ai|nous avons) (?:\\S+ ){0,2}(?:résilié|annulé (?:mon|notre) abonnement)|(?:après|malgré) (?:la |ma |notre )?résiliation|(?:di|dimos|me di|nos dimos) de baja|cancelé (?:la|mi) (?:suscripción|cuenta)|(?:tras|después de|pese a) (?:la )?baja", near: `${INVOICE}|${CHARGE_NOUN}|${TAKEN}|@amount`, within: 15 },
  { find: "(?:got|received|erhalten|bekommen|ricevuto|reçu|recibido) (?:\\S+ ){0,2}(?:invoices?|rechnung(?:en)?|fattur[ae]|factures?|facturas?)", near: 'cancel(?:l)?ed|cancellation|downgrad~|gekündigt|kündigung|herabgestuft|disdett[ao]|disdetto|résilié~|résiliation|de baja|cancelad[oa]|cancelé|although|despite|obwohl|trotz|nonostante|malgré|aunque|pese', within: 12 },
  // The writer's own money: charged *me*, taken from my card, on my statement, never authorised, not recognised.
  { find: "(?:charged|billed|debited|invoiced) (?:me|us)|(?:mi|ci) (?:\\S+ ){0,2}(?:addebitat~|prelevat~|fatturat~|scalat~)|(?:mir|uns) (?:\\S+ ){0,4}(?:berechnet|abgebucht|belastet|in rechnung gestellt)|(?:m'|nous )(?:avez|a|ont) (?:\\S+ )?(?:débité|prélevé|facturé|encaissé)~|(?:me|nos) (?:habéis|han|ha|has) (?:\\S+ )?(?:cobrado|cargado|facturado|pasado)|(?:me|nos) (?:cobraron|cobrasteis|cobró|cargaron|facturaron)", unless: 'how-to' },
  { find: "(?:went|gone|go|going) through|(?:è |si è |sono )?(?:passat[oa]|pres[oa])|gelaufen|abgegangen|(?:est )?passée?|(?:se ha )?pasad[oa]|(?:take|took|taken|taking|charg(?:e|ed|ing)|debit(?:ed)?|deduct~|withdr[ae]w~|prelev~|addebit~|scal~|abbuch~|abgebucht|einzieh~|eingezogen|belast~|prélev~|débit(?:er|é~)|cobr~|carg(?:ar|ado|aron)|descont~)", near: "(?:from|off|on|to|out of) (?:my|our) (?:card|credit card|account|bank account|statement)|(?:dal|dalla|sul|sulla) (?:mio|mia|nostro|nostra) (?:conto|carta)|sulla carta|(?:von|auf|über) (?:meinem|meiner|unserem|unserer|die) (?:konto|karte|kreditkarte)|(?:sur|de) (?:mon|ma|notre) (?:compte|carte)|(?:de|en|a) (?:mi|nuestra|nuestro) (?:cuenta|tarjeta|extracto)|a la tarjeta", within: 4, unless: 'clients' },
  // Money sent to Mailroom ("sent £145 to you", "vi ha mandato 145 €", "hat Ihnen 145 € geschickt", "vous a envoyé 145 €", "os mandó 145 €").
  { find: "(?:sent|paid|transferred|wired) (?:\\S+ )?@amount (?:\\S+ )?to you|(?:vi|ci) (?:\\S+ )?(?:mandat[oi]|inviat[oi]|versat[oi]|pagat[oi]|bonificat[oi]) @amount|(?:ihnen|euch) (?:\\S+ ){0,3}@amount (?:\\S+ )?(?:geschickt|überwiesen|gezahlt|bezahlt)|vous (?:a|avons|ai|ont) (?:\\S+ )?(?:envoyé|versé|viré|payé|réglé) @amount|os (?:mandó|mandamos|enviamos|envió|pagamos|pagó|transferimos|transfirió) @amount", unless: 'clients' },
  // A payment in flight on the writer's bank app ("processing on my bank app since Monday").
  { find: "bank ?apps?|banking ?apps?|bank-app|app (?:della|de la|del|de ma) (?:mia |ma |mi )?(?:banca|banque|banco)|appli (?:de|de la) (?:ma |mi )?(?:banque|banca)", near: "pending|processing|in elaborazione|in sospeso|in bearbeitung|ausstehend|vorgemerkt|en cours|en attente|en proceso|pendiente", within: 10, unless: 'clients' },
  // Money from the writer to Mailroom, beside an amount: "a payment to you of £348", "un movimento verso di voi: 348 €".
  { find: "(?:payment|transfer|transaction|zahlung|überweisung|abbuchung|pagamento|bonifico|movimento|addebito|paiement|virement|opération|prélèvement|pago|transferencia|movimiento|cargo) (?:to|an|verso|a|vers|hacia|para) (?:you|sie|euch|di voi|voi|vous|vosotros|ustedes)", near: '@amount', within: 6, unless: 'clients' },
  { find: "(?:my|our|the) (?:bank |card |credit card )?statement|(?:mein(?:em)?|unser(?:em)?|dem) kontoauszug|estratto conto|(?:mon|notre) relevé|relevé (?:de compte|bancaire)|extracto (?:de (?:la |mi )?tarjeta|bancario|de (?:la )?cuenta)|(?:mi|el|nuestro) extracto", near: `@amount|${CHARGE_NOUN}|${TAKEN}|mailroom|von ihnen|vostr[oi]|de vous|vuestro`, within: 10, unless: 'how-to' },
  { find: "(?:never|mai|nie|jamais|nunca) (?:\\S+ ){0,2}(?:authori[sz]ed|approved|autorizzat[oa]|approvat[oa]|autorisiert|genehmigt|autorisé~|autorizad[oa])", near: `${CHARGE_NOUN}|${TAKEN}|@amount|this|questo|diese|ce|este`, within: 6 },
  { find: "no (?:la |lo |los |las )?reconozco|(?:don't|do not) recogni[sz]e|non (?:la |lo |li |le )?riconosco|erkenne (?:ich )?nicht|ne (?:la |le |les )?reconnais pas|unrecogni[sz]ed|unbekannte?", near: `${INVOICE}|${CHARGE_NOUN}|${CHARGED}|@amount`, within: 6 },
  // Not about e-mails sent twice ("each patient got two identical mails for their 60 € invoice"): that is the product's sending.
  { find: '@amount', near: `${TAKEN}|${TWICE}|${TWO_ITEMS}`, within: 6, unless: 'how-to', not: '(?:two|2|zwei|due|deux|dos) (?:\\S+ )?(?:e-?mails|mails|correos|messages|nachrichten)|(?:sent|verschickt|versendet|inviat[ei]|envoyée?s|enviad[oa]s) (?:\\S+ ){0,2}(?:twice|zweimal|doppelt|due volte|deux fois|en double|dos veces)', notWithin: 8 },
  // Disputed with the bank ("my bank is reversing it", "je conteste l'opération auprès de ma banque"), or an invoice contested.
  { find: BANK, near: DISPUTE, within: 6 },
  { find: CONTEST, near: `${MONEY}|${INVOICE}`, within: 6 },
  // Payments that failed or did not arrive, expired cards, a payment method that changes.
  { find: "(?:card|payment|transaction|renewal|charge|direct debit)s? (?:\\S+ ){0,2}(?:declined|rejected|refused|bounced|failed)|declined card|failed payments?|payment failure|(?:could ?n[o']t|can ?not|can't|unable to|failed to|not able to) (?:be )?(?:process|charge|authori[sz]e|verify|complete|take|collect)~? (?:the |your |my |our )?(?:payment|card|charge)" },
  { find: '(?:carta|pagamento|transazione|rinnovo|addebito) (?:\\S+ ){0,2}(?:rifiutat[oa]|respint[oa]|declinat[oa]|negat[oa]|non (?:riuscit[oa]|andat[oa] a buon fine))|(?:impossibile|non (?:è stato possibile|siamo riusciti a|riesco a)) (?:\\S+ ){0,2}(?:addebitare|verificare|elaborare|processare|completare|rinnovare) (?:\\S+ ){0,3}(?:pagamento|carta|addebito)' },
  { find: '(?:karte|zahlung|abbuchung|lastschrift|kreditkarte|transaktion|verlängerung) (?:\\S+ ){0,3}(?:abgelehnt|fehlgeschlagen|nicht (?:durchgegangen|möglich|verarbeitet))|zahlung fehlgeschlagen|(?:konnte|konnten) (?:\\S+ ){0,3}nicht (?:abgebucht|belastet|eingezogen|verarbeitet)' },
  { find: "(?:carte|paiement|transaction|renouvellement|prélèvement) (?:\\S+ ){0,3}(?:refusé~|rejeté~|échoué~|décliné~)|échec (?:du|de) (?:paiement|prélèvement|renouvellement)|(?:n'a|n'avons|n'ont) pas pu (?:être )?(?:débiter|prélever|aboutir|débité~|prélevé~|encaisser)" },
  { find: '(?:tarjeta|pago|transacción|operación|renovación|cobro) (?:\\S+ ){0,3}(?:denegad[oa]|rechazad[oa]|fallid[oa]|declinad[oa])|(?:no se pudo|no pudimos|no hemos podido) (?:\\S+ ){0,2}(?:procesar|autorizar|cobrar|cargar|completar) (?:\\S+ ){0,2}(?:pago|cobro|tarjeta)|fall(?:ó|a) el (?:cobro|pago)|(?:cobro|pago) (?:ha )?fall(?:ado|ido|ó)' },
  { find: 'pay(?:ing|ment)?|pagar|pago|pagare|pagamento|zahl(?:en|ung)|bezahl~|payer|paiement|checkout|renew~|rinnov~|verlänger~|renouvel~|renov~', near: "errors?|errore|fehler|erreur|fail~|fall(?:a|ó|ido)|échou~|fehlgeschlagen|non va|non passa|funktioniert nicht|doesn't work|not working|no funciona|ne (?:fonctionne|marche) pas|non funziona|declined|rejected|refused|abgelehnt|rifiutat[oa]|refusé~|rechazad[oa]|denegad[oa]|non (?:va|è andato) a buon fine", within: 5, not: 'reminders?|erinnerung~|promemoria|rappels?|recordatorios?|sollecit~|mahnung~|links? (?:for|to) (?:my|our) clients?', notWithin: 1 },
  { find: "(?:payment|zahlung|pagamento|paiement|pago|überweisung|bonifico|virement|transferencia) (?:\\S+ ){0,3}(?:(?:has|have)n't|has not|did ?n[o']t|nicht|non (?:è|e)|n'est pas|no (?:ha|se ha)) (?:\\S+ )?(?:arriv~|angekommen|eingegangen|arrivat[oa]|arrivé~|llegado|recibid[oa]|received|gone through|reach~)" },
  { find: 'pay (?:your|the|our|this|my|an?) (?:[\\p{L}]+ )?invoice', near: "error~|fail~|unable|can ?not|can't|won't|doesn't|problem|not working", within: 10 },
  { find: '(?:card|carte|carta|karte|kreditkarte|tarjeta) (?:\\S+ ){0,3}(?:expired|has expired|scadut[ao]|abgelaufen|expiré~|caducad[ao]|vencid[ao])|(?:expired|abgelaufene) (?:credit )?(?:card|karte)|carte expirée|carta scaduta|tarjeta caducada' },
  { find: PAY_METHOD, near: CHANGED, within: 8, unless: 'clients' },
  { find: "(?:pay|pagare|pagar|zahlen|bezahlen|payer|régler) (?:\\S+ ){0,3}(?:con|per|by|par|with|mit|via|tramite|por|en) (?:\\S+ )?(?:bonifico|carta|card|karte|kreditkarte|überweisung|lastschrift|virement|carte|prélèvement|transferencia|tarjeta|domiciliación|paypal|bank transfer|invoice|rechnung|fattura|facture|factura)", near: 'instead|statt|anstatt|invece|au lieu|en lugar|en vez|switch~|move|passare|passer|umstellen|wechseln|cambiar|from now on|ab sofort|d\'ora in poi|désormais|a partir de ahora', within: 10 },
  // Details that change: bank account, VAT number, billing address and name, invoices to reissue or credit, SEPA mandates.
  { find: BANK_DETAILS, near: `${CHANGED}|${SHARE}`, within: 8, bodyOnly: true, unless: 'how-to' },
  { find: TAX_ID, near: `${CHANGED}|${CORRECTION}|nachtrag~|ergänz~|please add|could you (?:please )?add`, within: 10, bodyOnly: true, unless: 'how-to' },
  { find: INVOICE_ADDRESS, near: CHANGED, within: 10, bodyOnly: true, unless: 'how-to' },
  { find: `address on (?:the |our |my |your )?invoices?|(?:indirizzo|sede) (?:\\S+ ){0,4}fattur~|fattur~ (?:\\S+ ){0,5}(?:indirizzo|sede)|adresse (?:\\S+ ){0,3}factur~|factur~ (?:\\S+ ){0,5}adresse|(?:anschrift|adresse) (?:\\S+ ){0,3}(?:rechnung~|belegen)|rechnung~ (?:\\S+ ){0,5}(?:anschrift|adresse)|dirección (?:\\S+ ){0,3}factur~|factur~ (?:\\S+ ){0,5}dirección`, near: `${CHANGED}|wrong|incorrect~|errat[oa]|sbagliat[oa]|corregg~|falsch~|korrigier~|erron~|corrig~|correg~`, within: 10, bodyOnly: true, unless: 'how-to' },
  { find: `${INVOICE}`, near: "in the name of|made out to|a nome d(?:i|ella|el)|intestat[ao] a|auf (?:den )?namen|au nom de|a nombre de|(?:auf|an) diese gesellschaft|a questa società|(?:de|à) cette société|de esta sociedad|a nombre de esta", within: 6, bodyOnly: true, unless: 'how-to' },
  { find: INVOICE, near: REISSUE, within: 12, bodyOnly: true, unless: 'how-to' },
  { find: CREDIT, near: `${INVOICE}|${MONEY}`, within: 10, bodyOnly: true, unless: 'how-to' },
  { find: 'vorsteuer~|input tax|iva (?:non )?detraibile|tva (?:non )?déductible|iva (?:no )?deducible|reverse[ -]?charge|steuerschuldnerschaft|inversione contabile|autoliquidation|inversión del sujeto pasivo', near: INVOICE, within: 10, unless: 'how-to' },
  { find: "purchase order|po (?:number|no|#)|bestellnummer|ordine d'acquisto|numero d'ordine|bon de commande|orden de compra", near: INVOICE, within: 10, weak: 'invoice admin' },
  { find: 'lastschriftmandat~|sepa-?mandat~|mandat (?:de prélèvement|sepa)|mandato (?:sepa|sdd|di addebito)|sepa mandate|mandato (?:de adeudo|sepa)|orden de domiciliación' },
  { find: 'sepa|direct debit|lastschrift~|~lastschrift|einzugsermächtigung|addebito diretto|domiciliazione (?:bancaria)?|sdd|prélèvement (?:sepa|automatique)|domiciliación|adeudo (?:directo|sepa)', near: `mandat[eo]?s?|mandato|mandat|${CHANGED}|iban|switch|passer|passare|umstellen|pasar`, within: 8, unless: 'how-to' },
  // Invoices said to be paid already, reminders, demands to pay; reminders and invoice numbers alone are weak, because
  // invoicing customers write "reminder" and "overdue" about their own clients every day.
  { find: "already (?:been )?(?:paid|settled|transferred)|(?:was|were|been|have|has) (?:paid|settled)|già (?:pagat|saldat|versat|bonificat|partit|effettuat|inviat)[oa]|(?:payment|transfer|virement|paiement|règlement|bonifico|pagamento|überweisung|zahlung|pago|transferencia) (?:\\S+ ){0,5}(?:was|has been|a été|è stato|ist|wurde|fue|ha sido) (?:\\S+ )?(?:made|sent|done|effectué~|envoyé~|fait|effettuat[oa]|eseguit[oa]|inviat[oa]|ausgeführt|erfolgt|getätigt|überwiesen|realizad[oa]|efectuad[oa]|hech[oa]|enviad[oa])|(?:pago|transferencia) (?:\\S+ ){0,5}se (?:hizo|realizó|efectuó)|saldat[oa] con bonifico|bereits (?:bezahlt|überwiesen|beglichen)|schon (?:bezahlt|überwiesen)|déjà (?:payée?s?|réglée?s?|viré~)|ya (?:pagad[oa]|abonad[oa]|transferid[oa])", near: `${INVOICE}|@amount|transfer|bonifico|überweisung|virement|transferencia|reminder|sollecit~|mahnung|relance|recordatorio`, within: 15, unless: 'how-to' },
  { find: "(?:i|we) (?:have |had |already )*(?:paid|settled|transferred|wired)|(?:ho|abbiamo) (?:già )?(?:pagato|saldato|versato|bonificato)|(?:ich|wir) (?:habe|haben) (?:\\S+ ){0,3}(?:bezahlt|überwiesen|beglichen)|(?:j'ai|nous avons) (?:déjà )?(?:payé|réglé|viré)|(?:he|hemos) (?:\\S+ )?(?:pagado|abonado|transferido)|pagué|pagamos", near: 'reminders?|sollecit~|richiam[oi]|mahnung~|zahlungserinnerung~|relances?|rappels?|avisos?|recordatorios?|overdue|unpaid|impag~|insolut~|offene?n?|scadut[ae]|impayé~|still|ancora|immer noch|toujours|sigo|todavía|@amount', within: 10, unless: 'how-to' },
  { find: 'sollecit(?:o|i) di pagamento|payment reminder|zahlungserinnerung|relance de paiement|rappel de paiement|recordatorio de pago', near: '@amount|already|già|bereits|schon|déjà|ya|paid|pagat[ao]|saldat[ao]|bezahlt|überwiesen|payée?|réglée?|pagad[ao]', within: 25, unless: 'how-to' },
  { find: 'letzte mahnung|final (?:reminder|demand|notice)|dernière relance|ultimo sollecito|último aviso|aviso final' },
  { find: '(?:second|third|2nd|3rd|another) (?:payment )?reminder|(?:zweite|dritte|erneute) (?:mahnung|zahlungserinnerung)|(?:secondo|terzo|ennesimo) (?:sollecito|richiamo)|(?:deuxième|troisième|nouvelle) relance|(?:segundo|tercer) (?:aviso|recordatorio)', near: 'received|got|arrived|already|your|erhalten|bekommen|bereits|schon|ihre|ricevuto|arrivato|già|vostro|reçu|déjà|votre|recibido|llegado|ya|su|paid|bezahlt|überwiesen|pagat[oa]|saldat[oa]|payée?|réglée?|pagad[oa]', within: 8 },
  { find: "please pay|kindly (?:pay|settle|remit|transfer|release)|please (?:settle|remit)|bitte (?:\\S+ ){0,3}(?:überweisen|begleichen|bezahlen)|begleichen sie|vi preghiamo di (?:pagare|saldare|versare)|effettuate il versamento|(?:procedere|procedete|provvedere|provvedete) al (?:pagamento|saldo)|merci de (?:régler|payer|procéder au (?:paiement|règlement))|veuillez (?:régler|payer|procéder au (?:paiement|règlement))|rogamos (?:que )?(?:realice|abone|pague)|proceda al pago|realice (?:la transferencia|el pago)|consign(?:e|ar) (?:hoy )?a la cuenta", not: 'attention', notWithin: 1 },
  { find: "can only pay|can(?:not|'t) pay|unable to pay|release (?:the )?payment|können (?:\\S+ )?nicht (?:bezahlen|zahlen|überweisen)|non (?:possiamo|posso) pagare|ne (?:pouvons|peux) pas (?:payer|régler)|no (?:podemos|puedo) pagar", near: `${INVOICE}|@amount`, within: 10 },
  { find: "receipt|quittung|zahlungsbestätigung|ricevuta|quietanza|quietanzat[ae]|reçu|acquittée?s?|justificatif de paiement|recibo|comprobante", near: "payment|paid|pagamento|pagato|zahlung|bezahlt|paiement|payé|pago|pagado", within: 6, unless: 'how-to' },
  { find: 'install?ments?|payment plan|rateizz~|(?:in|due|tre|quattro|\\d) rate|ratenzahlung|ratenplan|teilzahlung|in (?:\\S+ )?raten|paiement en (?:plusieurs|\\d+) fois|échelonn~|pago (?:a plazos|fraccionado|aplazado)|a plazos|en (?:\\d|dos|tres) plazos' },
  { find: 'overdue|past due|unpaid|outstanding (?:invoice|balance|amount|payment)s?|amounts? (?:due|owed|owing)|(?:payment )?reminders?|payment (?:received|receipt)|remittance', weak: 'dunning' },
  { find: 'sollecit(?:o|i) di pagamento|solleciti?|richiam[oi]|insolut[ae]|non (?:pagat[ae]|saldat[ae])|da (?:saldare|pagare)|scadut[ae]|in scadenza|pagamento ricevuto', weak: 'dunning' },
  { find: 'mahnung(?:en)?|~mahnung(?:en)?(?<!abmahnung(?:en)?)|zahlungserinnerung~|zahlungseingang|überfällig~|offene(?:n|r)? (?:rechnung|forderung|betrag|posten)|noch offen|fällig', weak: 'dunning' },
  { find: 'impayé~|reste (?:dû|due|à régler)|(?:relance|rappel)s?(?: de paiement)?|en retard de paiement|échue?s?|non réglée?s?|paiement reçu', weak: 'dunning' },
  { find: 'recordatorios?(?: de pago)?|impag(?:o|ad[oa]s?)|vencid[oa]s?|pendientes? de pago|saldo pendiente|sin pagar|pago recibido', weak: 'dunning' },
  { find: `(?:${INVOICE}) (?:n|nr|no|num|núm|number|nummer|numero|número|#)?[.º°]* ?[:#]? ?(?:[a-z]{1,4}[-/])*\\d[\\d/-]{2,}|inv-?\\d[\\d-]{3,}|(?:[a-z]{2,4}-){1,2}20\\d{2}-\\d{2,}`, weak: 'invoice number' },
  { find: "(?:your|vos|votre|vostr[ae]|vuestr[ao]s?|ihre|eure) (?:invoices?|factures?|fattur[ae]|facturas?|rechnung(?:en)?)", not: 'template~|editor|modul[eo]s?|pdf|export~|design~|features?|pages?|layout|vorlage~|modell[io]|modèles?|plantillas?|app|tool', notWithin: 1, weak: 'your invoice' },
  { find: '(?:debt|owed|owing|outstanding|balance|credito|dovut[oaie]|insolut~|forderung|schuld~|ausstehend~|créance|dette|solde|crédito|deuda|adeud~|valor a pagar|amount to pay|importo da pagare|zu zahlen|montant à payer|importe a pagar|total due|amount due|importe|betrag|montant|importo)', near: '@amount', within: 3, weak: 'amount due' },
  { find: 'überwiesen|überweisung|bank transfer|bonifico|virement|transferencia|transferid[oa]|by transfer|e-banking', near: '@amount', within: 12, weak: 'transfer' },
  { find: 'pay now|paga ora|jetzt (?:bezahlen|zahlen)|payer maintenant|pagar ahora|procedere al pagamento|proceed to payment|complete (?:the )?payment|complete el pago', weak: 'payment demand' },
  // Money asked for personally, a transfer demanded to an account (CEO fraud, fake invoices), debts enforced, damages.
  { find: "(?:fammi|farmi|fatemi|me (?:haces|hagas|hacéis|mandas)|hazme|send me|envoie-moi|vire-moi|mir (?:\\S+ )?überweisen|an mich (?:\\S+ )?überweisen) (?:\\S+ ){0,3}(?:bonifico|transferencia|bizum|überweisung|virement|paypal|money|soldi|geld|argent|dinero)", near: '@amount|transfer~|bonifico|überweis~|virement|transferencia|pag~|pay~|zahl~', within: 15 },
  { find: 'bizum|satispay|twint|venmo', near: '@amount', within: 12 },
  { find: 'urgent (?:wire |bank )?transfer|wire transfer|bonifico urgente|überweisung|virement urgent|transferencia urgente', near: '@iban|@iban-like|@amount|beneficiary|iban', within: 20 },
  { find: 'mahnbescheid~|mahnverfahren|vollstreckungsbescheid|decreto ingiuntivo|injonction de payer|procedimiento monitorio|pignorament~|pfändung~|zwangsvollstreckung~|betreibung~|zahlungsbefehl|precetto|saisie-attribution|saisie sur salaire|(?:orden|oficio|auto) de embargo|embargo y retención|garnish~|créance~|forderungsanmeldung|insolvenz~|insolvency|bankruptcy|liquidation judiciaire|redressement judiciaire|fallimento|concorso dei creditori|concurso de acreedores|debt recovery|recouvrement|recupero (?:del )?credit[oi]|cobro de deuda|inkasso~|debt collect~|collection agency|centrales de riesgo' },
  { find: 'damages|compensation|schaden(?:s?ersatz)?|risarciment~|dommages|indemnisation|indemnización|daños|perjuicios', near: '@amount', within: 10 },
  // Money at stake told in plain words (written from how customers describe it, checked on the seed corpus's independent parts):
  // "why did you take 58 off me", "mi avete preso 99 euro", a line on a statement nobody can place, seats still billed after
  // removing them, a tax wrongly applied to *their* bill, a purchase order an invoice must carry, payment terms answered to a reminder.
  { find: "(?:you|u|they) (?:have |'ve |just )?(?:took|taken)|did (?:you|u|they) take|(?:mi|ci) (?:avete|hanno|ha|hai) (?:\\S+ )?(?:pres[oi]|tolt[oi]|portat[oi] via)|(?:m'|nous )(?:avez|a|ont) (?:\\S+ )?pris|on (?:m'|nous )a (?:\\S+ )?pris|(?:me|nos) (?:habéis|han|ha|has|volvisteis a|volvieron a) (?:\\S+ )?(?:quitad[oa]|quitar|pasad[oa]|pasar|sacad[oa]|sacar)|(?:me|nos) (?:quitaron|quitasteis|sacaron|sacasteis|pasaron|pasasteis)|(?:mir|uns) (?:\\S+ ){0,3}(?:genommen|weggenommen|abgezogen)|(?:von mir|von uns|vom konto|von (?:meinem|unserem) konto) (?:\\S+ ){0,3}(?:geholt|genommen|abgezogen)", near: '@amount|\\d+(?:[.,]\\d+)? (?:off|from|out of)|off (?:me|us|my|our)', within: 8, unless: 'clients' },
  { find: "(?:my|our|the) (?:\\S+ ){0,2}statement|kontoauszug|kreditkartenabrechnung|estratto conto|(?:mon|notre|le|sur le) relevé|relevé (?:de compte|bancaire|de (?:ma|la) carte)|(?:mi|el|nuestro|en el) extracto|extracto (?:de|bancario)|bank app|banking-?app|app (?:della|de la|de ma) (?:banca|banque|banco)", near: `@amount|${TWICE}|${TWO_ITEMS}`, within: 15, unless: 'how-to' },
  { find: "(?:this|that|a|one|the|questo|quest[oa]|un|una|diese[rn]?|folgende|eine?n?|cette|cet|une|ce|este|esta|ese|un) (?:\\S+ ){0,2}(?:line|entry|debit|transaction|charge|movimento|operazione|addebito|riga|buchung|posten|abbuchung|lastschrift|ligne|écriture|opération|débit|prélèvement|movimiento|cargo|débito|cobro|apunte)", near: "(?:don't|do not|can't|cannot) (?:\\S+ )?(?:know|place|recogni[sz]e|identify|explain|match)|not sure what|what (?:is|was) (?:this|that|it)|is (?:this|that|it) (?:you|from you|yours)|non (?:\\S+ )?(?:so|riconosco|capisco|riesco a)|cos(?:'è|a sono|a è)|(?:kann|können) (?:\\S+ ){0,3}nicht (?:zuordnen|einordnen)|keinem (?:\\S+ )?zuordnen|was (?:ist|sind) (?:das|die|diese)|ne (?:\\S+ )?(?:sais|reconnais|comprends|parvenons|arrive) pas|n'arrive pas à (?:rattacher|identifier)|à quoi (?:correspond|elle correspond)|non identifiée?|no (?:\\S+ )?(?:sé|reconozco|entiendo|identificamos)|qué es|de qué es", within: 12, unless: 'clients' },
  { find: "why|what (?:is|are|was|were)|perché|cosa (?:è|sono)|da dove|warum|wieso|was (?:ist|sind)|woher|pourquoi|(?:à quoi|a quoi) correspond~|d'où|por qué|de dónde|qué (?:es|son)", near: '@amount', within: 4, unless: 'clients', weak: 'amount questioned' },
  // An amount asked of the writer ("we're being asked for £58 each month", "ci vengono chiesti 58 €"): weak, a price can be asked too.
  { find: "(?:we are|we're|i am|i'm) (?:being )?(?:asked|charged|billed) (?:for )?@amount|(?:ci|mi) (?:vengono|viene) (?:chiest[io]|addebitat[io]) @amount|verlangt (?:werden|wird) (?:\\S+ ){0,4}@amount|(?:on nous|on me) demande (?:\\S+ ){0,2}@amount|(?:se (?:nos|me) piden|nos piden|me piden) (?:\\S+ ){0,2}@amount", unless: 'clients', weak: 'amount asked' },
  // The customer's accounts team setting Mailroom up as a supplier before paying it; weak, because buyers ask the same before a first order.
  { find: "(?:supplier|vendor) (?:set ?up|onboarding|registration|master data)(?: form)?|new supplier form|lieferantenstamm~|kreditorenstamm~|anagrafica (?:del )?fornitor[ei]|fiche fournisseur|(?:fichier|référencement) fournisseurs?|ficha de proveedor(?:es)?|alta de proveedor", unless: 'how-to', weak: 'invoice admin' },
  // An amount nobody can place ("39.00 GBP on 14/05 - is this one of ours? I can't match it"): weak, a report's total can be as puzzling.
  { find: '@amount', near: "(?:can't|cannot|can not|couldn't|don't|do not) (?:\\S+ )?(?:match|place|recogni[sz]e|identify)|(?:is|was) (?:this|that|it) (?:one of )?(?:ours|yours|you)|(?:does|did) (?:this|that|it) come from you|non (?:\\S+ )?(?:riesco a (?:capire|collocare|abbinare)|riconosco)|(?:viene|arriva) da voi|(?:kann|können) (?:\\S+ ){0,3}nicht zuordnen|kommt (?:das|die|diese) (?:\\S+ )?von (?:ihnen|euch)|ne (?:\\S+ )?(?:sais|reconnais) pas|(?:cela|ça) vient de (?:chez )?vous|no (?:\\S+ )?(?:sé|reconozco)|(?:es|era) vuestro", within: 10, unless: 'clients', weak: 'amount questioned' },
  // One amount paid or asked in place of another ("our bill is £89 instead of the £59", "ci avete chiesto 59 € invece dei soliti 39 €"):
  // a bill that changed, told by the writer about their own money.
  { find: "@amount (?:instead of|rather than|invece (?:dei|di|del|della|delle)|anziché|statt|anstatt|au lieu (?:de|des|du)|en lugar de|en vez de) (?:\\S+ ){0,3}@amount", near: "bill|paid|pay|charged|asked|chiesto|pagat[oi]|pagare|paghiamo|addebitat[oi]|berechnet|bezahlt|zahlen|abgebucht|payé~|payons|prélevé~|pagad[oa]|pagamos|cobrad[oa]|cobrasteis", within: 8, unless: 'clients' },
  { find: "\\d+ (?:users|seats|licen[cs]es|members|people|utenti|licenze|postazioni|benutzer|nutzer|lizenzen|plätze|utilisateurs|licences|postes|usuarios|licencias|puestos)", near: `${CHARGED}|${TAKEN}|${CHARGE_ONLY}|billed|berechnet|fatturat[io]|facturad[oa]s?|facturé~|(?:invoice|bill|fattura|rechnung|facture|factura)[a-z]* (?:\\S+ ){0,3}(?:for|per|für|pour|por|sur|su|über)`, within: 8, weak: 'seats billed', unless: 'clients' },
  { find: "(?:removed|deactivated|deleted|reduced|downgraded|rausgenommen|herausgenommen|tolt[io]|rimoss[io]|disattivat[io]|ridott[io]|entfernt|deaktiviert|reduziert|supprimé~|désactivé~|réduit~|retiré~|eliminad[oa]s?|eliminamos|desactivad[oa]s?|quitad[oa]s?|quitamos|reducid[oa]s?|bajamos|dimos de baja)", near: "\\d+ (?:users|seats|licen[cs]es|members|people|utenti|licenze|persone|benutzer|nutzer|lizenzen|leute|personen|mitarbeiter|utilisateurs|licences|personnes|usuarios|licencias|personas)|(?:users|seats|utenti|benutzer|nutzer|utilisateurs|usuarios)", within: 6, weak: 'seats removed' },
  // Still paying for as many as before ("zahlen aber immer noch für 10"): beside seats removed, the bill did not follow.
  { find: "(?:still|immer noch|noch immer|weiterhin|ancora|toujours|todavía|aún) (?:\\S+ ){0,2}(?:paying|pay|zahlen|pagare|pagando|pagamos|paghiamo|payer|paie|payons|payez)|(?:continu~ a|seguimos|sigo) (?:pagare|pagando)|(?:zahlen|paie|payons|pagamos|paghiamo|pay|paying) (?:\\S+ ){0,3}(?:immer noch|noch immer|toujours|todavía|ancora|still)", near: "(?:for|für|per|pour|por) \\d+", within: 3, unless: 'clients', weak: 'seats billed' },
  { find: "credit (?:us|me|it|the difference|our account)|(?:the|la|die|le) (?:difference|differenza|differenz|différence|diferencia)|(?:angerechnet|verrechnet|gutgeschrieben|anrechnen|verrechnen)|(?:scalat[ao]|compensat[io]|riconosciut[io]|restituit[ao])|(?:déduit~|reporté~|compensé~|imputé~|régularis~)|(?:descontad[oa]|compensad[oa]s?|abonad[oa]|devolvéis|descontáis|compensan)", near: `${INVOICE}|${CHARGE_NOUN}|${TAKEN}|@amount|month|mese|monat|mois|mes|months|mesi|monate|meses|renewal|rinnovo|verlängerung|renouvellement|renovación|users|utenti|nutzer|benutzer|utilisateurs|usuarios|seats|plan|piano|tarif|formule|plan`, within: 10, unless: 'how-to', weak: 'credit asked' },
  { find: "vat|mwst|mehrwertsteuer|umsatzsteuer|ust|steuersatz|iva|aliquota|tva|tps|tvq|taxes?|impuestos?|igic|sales tax", near: "wrong|incorrect~|falsch~|fehlerhaft~|errat[oa]|sbagliat[oa]|per errore|à tort|erron~|equivocad[oa]|mal aplicad[oa]|should(?:n't| not) (?:be|have)|non (?:dovrebbe|va|andava)|nicht (?:\\S+ )?werden|obwohl wir|ne (?:devrait|doit) pas|no (?:nos )?(?:deberíais|deberían|debería|corresponde)|(?:ci|uns|nous|nos|us|me|mir|mi) (?:\\S+ )?(?:avete |habéis |have |hat |haben |avez |has )?(?:applicat[oa]|berechnet|appliqué~|aplicad[oa]|aplicar|charged|added|facturé~|cobrad[oa]|addebitat[oa])|(?:vous|you|ihr|voi) (?:\\S+ )?(?:ne )?(?:facturez|charge|charged|berechnen|applicate|aplicáis|cobráis)|(?:bill|invoice|fattura|rechnung|facture|factura) (?:\\S+ ){0,2}charg(?:e|es|ed|ing) (?:us|me)|è stata applicata|(?:wurde|wird) (?:\\S+ )?(?:berechnet|ausgewiesen)|a été appliquée|se (?:nos )?ha aplicado|was (?:charged|applied|added)", within: 10, unless: 'clients' },
  { find: PURCHASE_ORDER, near: "reject~|refus~|respint[oi]|rifiutat[oi]|zurückgewiesen|abgelehnt|rejet~|rechazad[oa]|sent back|zurückgeschickt|rimandat[oi] indietro|renvoyé~|devuelt[oa]|cannot (?:be )?(?:paid|processed|released)|can't (?:be )?(?:paid|processed|released)|non (?:possiamo|potremo) (?:pagare|liquidare|procedere)|nicht (?:bezahlt|freigegeben|bearbeitet)|pas (?:être )?(?:mise? en paiement|traité~|réglé~)|no (?:podremos|podemos) (?:pagar|tramitar|deducir)", within: 20, unless: 'how-to', not: 'clients?|customers?|kunden|clienti|clientes', notWithin: 10 },
  { find: PURCHASE_ORDER, near: "reissue|re-?send|riemett~|rimand~|rinvi~|neu (?:ausstellen|senden|schicken)|réémett~|rééditer|renvoy~|reemitir|volver a emitir|missing|manca|mancano|fehlt|fehlen|manque|falta|faltan|doesn't have|non riporta|ne porte pas|no lleva|cannot (?:be )?(?:paid|processed|released)|non (?:possiamo|potremo) (?:pagare|liquidare|procedere)|nicht (?:bezahlt|freigegeben|bearbeitet)|pas (?:être )?(?:mise? en paiement|traité~|réglé~)|no (?:podremos|podemos) (?:pagar|tramitar|deducir)|liquidar~|liquidazione", within: 15, unless: 'how-to', weak: 'invoice admin' },
  { find: "(?:\\d+|thirty|sixty|ninety|trenta|sessanta|novanta|dreißig|sechzig|neunzig|trente|soixante|quarante-cinq|treinta|sesenta|noventa) (?:days|giorni|tagen?|jours|días)", near: "(?:we|our company) (?:\\S+ )?pay|our (?:\\S+ )?(?:terms|policy)|paghiamo|saldiamo|(?:i )?nostri fornitori|nostra policy|wir zahlen|zahlen wir|unsere lieferanten|nous réglons|nos (?:règlements|fournisseurs|conditions)|pagamos|nuestros proveedores|nuestras condiciones", within: 10, weak: 'payment terms' },
  { find: "suspend~|block~|sospes[oa]|sospension~|bloccat[oa]|gesperrt|sperr~|suspendu~|bloqué~|suspendid[oa]|bloquead[oa]|suspensión", near: "non-?payment|unpaid|not paid|overdue|mancato pagamento|insolut~|morosità|zahlungsrückstand~|nicht bezahlt|offene~|défaut de paiement|impayé~|retard de paiement|impago|falta de pago|deuda|adeudo|hasn't arrived|not arrived|non (?:è )?arrivat[oa]|nicht eingegangen|pas arrivé|no ha llegado|regolarizz~|régularis~|regulariz~|ponernos al día|ausgleichen|settle|clear what we owe|mettere in regola", within: 12 },
  { find: "receipt|ricevuta|quittung|beleg|reçu|justificatif|recibo|comprobante", near: "expense(?:s| claim| report)?|employer|nota spese|rimborso spese|spesenabrechnung|spesen|arbeitgeber|note de frais|employeur|gastos? de empresa|nota de gastos", within: 12, unless: 'clients', weak: 'receipt for expenses' },
  { find: "firmier~|umfirmier~|firmenname|firmierung|ragione sociale|intestazione|intestat[ie]|raison sociale|razón social|(?:company|legal|registered) name|made out to|a nome di|au nom de|a nombre de|auf den namen", near: "wrong|incorrect~|falsch~|errat[oa]|sbagliat[oa]|erron~|equivocad[oa]|changed|cambiat[oa]|geändert|changé~|cambiad[oa]|correct~|corregg~|korrigier~|corrig~|rifare|rifatt[ie]|rehacer|refaire|from now on|d'ora in poi|ab sofort|désormais|a partir de ahora", within: 12, bodyOnly: true, unless: 'how-to' },
  { find: "belegen?|paperwork|documents?|documenti|documentos|receipts|ricevute|recibos|justificantes", near: `${CHANGED}|wrong|incorrect~|falsch~|errat[oa]|sbagliat[oa]|erron~|equivocad[oa]`, within: 8, bodyOnly: true, unless: 'how-to', weak: 'billing documents' },
  { find: "(?:not|never|hasn't|haven't|didn't|nobody|no one|non|nicht|nie|keine|niemand|pas|jamais|personne|no|ningún|nadie|nessun[ao]?) (?:\\S+ ){0,4}(?:told|informed|notified|announced|notice|avvisat[io]|comunicat[oa]|informat[io]|angekündigt|mitgeteilt|informiert|annoncé~|prévenu~|informé~|avisad[oa]s?|comunicad[oa]|aviso|comunicazione|ankündigung|information)", near: "price|pric(?:e|ing) (?:increase|change)|prezzo|aumento|preis(?:erhöhung)?|tarif|hausse|precio|subida|per user|a utente|pro (?:nutzer|benutzer)|par utilisateur|por usuario|@amount", within: 12, weak: 'price dispute' },
  { find: "trial|prova|testphase|essai|prueba", near: `${CHARGED}|@amount`, within: 12, weak: 'charged after trial' },
  { find: "promo(?:tion(?:al)?)? ?code|discount code|coupon code|codice (?:sconto|promo)|gutscheincode|rabattcode|code promo|code de réduction|código (?:de descuento|promocional)", near: `${CHARGED}|full (?:price|amount)|full \\d+|pieni|prezzo pieno|importo pieno|vollen? (?:preis|betrag)|plein tarif|prix plein|precio completo|importe completo|(?:not|non|nicht|pas|no) (?:\\S+ ){0,2}(?:applied|applicat[oa]|angewendet|berücksichtigt|appliqué|aplicad[oa])`, within: 15 },
  { find: "pre-?auth~|(?<!on )\\bhold|vorgemerkt|reserviert|vorautorisierung|trattenut[oa]|bloccat[oa]|bloqué~|retenid[oa]|empreinte", near: '@amount', within: 4, unless: 'clients' },
  { find: "service credits?|credito di servizio|servicegutschrift|gutschrift|crédit de service|crédito de servicio|credit", near: "outage|downtime|ausfall|disservizio|interruzione|interruption|indisponibilité|caída", within: 20, not: "do you|would|würde|sarebbe|serait|sería|if|falls|qualora|en cas|en caso", notWithin: 4 },
  { find: "foreign (?:transaction|exchange)|conversion|non-sterling|commissione (?:di )?cambio|fremdwährung|auslandseinsatz|frais de (?:conversion|change)|comisión (?:por|de) (?:cambio|conversión)", near: "fee|fees|charge~|commission~|gebühr~|frais|comisi[oó]n~|costo|spese", within: 6, weak: 'currency fee' },
  // A switch of bank told without naming any details ("we've moved to a different banking provider"): weak, because customers
  // also write about their own bank feeds; beside the local model's lean, or a transfer, it is the change of details it announces.
  { find: "(?:changed|switched|moved|changing|switching|moving) (?:to )?(?:a )?(?:new |different |another )?(?:banks?|banking provider|bank provider)|(?:new|different|another) (?:banking provider|bank provider)|(?:bank|kreditinstitut|hausbank|bankinstitut) (?:\\S+ ){0,2}(?:gewechselt|wechseln)|neue(?:n|s)? (?:kreditinstitut|hausbank)|(?:cambiato|cambiamo|cambieremo|cambiare) (?:\\S+ )?(?:banca|istituto (?:bancario|di credito))|(?:changé|changeons|changer|changerons) (?:de |d')(?:banque|établissement bancaire|établissement)|(?:cambiado|cambiamos|cambiaremos|cambiar) de (?:entidad|banco)", bodyOnly: true, unless: 'how-to', weak: 'bank changed' },
  { find: "(?:confidential|confidenziale|riservat[oa]|vertraulich~|confidentiel~|confidencial) (?:\\S+ ){0,3}(?:transfer|payment|pagamento|bonifico|überweisung|zahlung|virement|paiement|opération|transferencia|pago|operación)|(?:transfer|payment|pagamento|bonifico|überweisung|zahlung|virement|paiement|opération|transferencia|pago|operación) (?:\\S+ ){0,4}(?:confidential|confidenziale|riservat[oa]|vertraulich~|confidentiel~|confidencial)" },
  { find: "(?:new|updated|changed|nuov[oa]|aggiornat[oa]|cambiat[oa]|neue[sn]?|geändert~|nouveau|nouvel|changé|modifié|nuev[oa]|cambiad[oa]) (?:\\S+ ){0,3}(?:receiving account|remittance account|account (?:details|number)|sort code|conto (?:di appoggio|corrente)|empfängerkonto|kontonummer|bankkonto|compte (?:de réception|bancaire)|cuenta (?:de cobro|bancaria))|(?:receiving|remittance) account (?:\\S+ ){0,3}(?:changed|change)|(?:conto di appoggio|empfängerkonto|compte de réception|cuenta de cobro) (?:\\S+ ){0,3}(?:cambiat[oa]|geändert|changé|cambiad[oa])", unless: 'how-to' },
  { find: "(?:card|carta|karte|firmenkarte|kreditkarte|carte|tarjeta)(?: \\S+){0,6} (?:expires?|expiring|scade|scadrà|läuft (?:\\S+ ){0,4}ab|expire|expirera|caduca|vence)", unless: 'clients' },
  { find: "(?:we|i) (?:have )?(?:sent|made|paid|wired|transferred) (?:the |a |our )?(?:\\S+ )?(?:payment|transfer|bacs|@amount)|(?:abbiamo|ho) (?:\\S+ )?(?:disposto|fatto|effettuato|eseguito|inviato) (?:il |un )?bonifico|(?:wir|ich) (?:haben|habe) (?:\\S+ ){0,4}überwiesen|überweisung (?:ist|ging) (?:\\S+ )?raus|(?:nous avons|j'ai) (?:\\S+ )?(?:viré|effectué (?:le|un) virement|fait (?:le|un) virement)|(?:hicimos|hemos hecho|realizamos|he hecho|hice) (?:\\S+ )?(?:la |una )?transferencia", near: "still|ancora|immer noch|noch|toujours|sigue|open|aperto|offen|en attente|pendiente|suspen~|sospension~|sperr~|reminder|sollecit~|mahnung|relance|aviso|avviso|check|verificare|prüfen|vérifier|comprobar|confirm~", within: 30 },
  { find: "(?:pays?|paid|settles?) (?:all |our )?suppliers|paghiamo (?:i )?fornitori|(?:i )?(?:nostri )?fornitori (?:\\S+ ){0,3}(?:pagati|saldati)|(?:zahlen|bezahlen|begleichen) (?:wir )?(?:\\S+ )?lieferanten|lieferanten (?:\\S+ ){0,3}(?:bezahlt|gezahlt|beglichen)|(?:nos )?(?:règlements )?fournisseurs (?:\\S+ ){0,3}(?:réglés|payés)|nos règlements fournisseurs|pagamos (?:a )?(?:los )?proveedores|(?:nuestros )?proveedores (?:\\S+ ){0,3}(?:pagados|se pagan)", near: "\\d+ (?:days|giorni|tagen?|jours|días)|(?:thirty|sixty|ninety|trenta|sessanta|novanta|dreißig|sechzig|neunzig|trente|soixante|quarante-cinq|treinta|sesenta|noventa) (?:days|giorni|tagen?|jours|días)", within: 8 },
  { find: "from you|von ihnen|von euch|da voi|de (?:chez )?vous|de vuestra parte|de ustedes|vuestro de|vostro di", near: '@amount', within: 2, unless: 'clients' },
  { find: '@amount', near: "(?:sind|ist|waren|war) (?:schon |bereits )?weg|(?:sono|è) (?:già )?(?:uscit[io]|andat[io] via|spariti)|(?:ya )?(?:han|ha) salido|sont (?:déjà )?partis|already (?:gone|left|taken)", within: 6 },
  { find: "(?:bank|banca|banking-?app|bank app|banque|banco)(?: \\S+){0,6} (?:showed|notified|notificato|avvisato|zeigte|gemeldet|notifié|avisó|avisado|sent me)", near: '@amount', within: 8 },
  { find: "(?:unused|remaining|rest of the|non usat[io]|restant[ie]|rimanent[ie]|nicht genutzt~|verbleibend~|restlich~|non utilisé~|restants|no usad[oa]s|que no usamos|restantes) (?:\\S+ ){0,2}(?:months?|mesi|monate?n?|mois|meses|part|parte|teil|period|periodo|zeitraum|période)|(?:months?|mesi|monate|mois|meses) (?:\\S+ ){0,3}(?:not used|won't use|will not use|non usat[io]|non userò|non useremo|nicht genutzt|nicht (?:mehr )?nutze~|non utilisés|n'utiliserai pas|que no usamos|no voy a usar|no usaré)", near: "back|returned|return|zurück~|rendre|devuelv~|devolv~|refund~|credit~|rimbors~|riconosciut~|restitu~|resi|scalat~|detratt~|angerechnet|erstatt~|gutgeschrieben|gutschrift|rembours~|reporté~|compens~|devuel~|reembols~|balance|saldo|solde", within: 12 },
  { find: "(?:price|prezzo|preis|prix|tarif|precio)(?:erhöhung)?|aumento|hausse|subida|increase|erhöht|augmenté~|aumentat[oa]|subido", near: "(?:not|no|never|nobody|no one|nessun[ao]?|keine?|kein|niemand|pas|aucune?|personne|ningún|ninguna|nadie|non) (?:\\S+ ){0,4}(?:notice|told|informed|notified|announced|avviso|comunicazione|avvisat[io]|comunicat[oa]|ankündigung|angekündigt|mitgeteilt|information|informé~|annonc~|prévenu~|aviso|avisad[oa]s?|comunicad[oa]|informad[oa]s?)|(?:ankündigung|mitteilung|information|aviso|avviso|comunicazione) (?:\\S+ ){0,4}(?:nicht|keine|no|non|pas)", within: 15, unless: 'how-to' },
  { find: "(?:paid|pagato|bezahlt|payé|pagué|pagado)(?: \\S+){0,5} (?:my|mia|meiner|ma|mi|con la mia|mit meiner|avec ma|con mi) (?:own |personal |personale |privaten |personnelle )?(?:card|carta|karte|carte|tarjeta)", weak: 'paid by own card' },
  { find: "(?:my|our|la mia|la nostra|meine|unsere|ma|notre|mi|nuestra) (?:\\S+ )?(?:bank|banca|banque|banco|caisse populaire)", near: "fee|fees|commission~|gebühr~|frais|comisi[oó]n~|spese", within: 6, weak: 'bank fee' },
  { find: "lease|bail commercial|bail|mietvertrag~|gewerbemietvertrag~|contratto di locazione|locazione|contrato de arrendamiento|arrendamiento", near: "rent|loyer|miete|canone|renta|alquiler", within: 30, bodyOnly: true, not: 'how|come|wie|comment|cómo', notWithin: 3 },
  { find: "messa in mora|interessi (?:di|moratori) mora|mise en demeure de payer|intérêts (?:de retard|moratoires)|verzugszinsen|inverzugsetzung|intereses (?:de demora|moratorios)|late payment interest|statutory interest", unless: 'how-to' },
  { find: '@amount', near: "in meno sul (?:mio |nostro )?conto|weniger auf (?:dem|meinem|unserem) konto|de moins sur (?:mon|notre|le) compte|menos en (?:mi|la|nuestra) cuenta|less in (?:my|our) account", within: 2, unless: 'clients' },
  { find: "frais de rejet|rejet de prélèvement|rücklastschriftgebühr~|gebühr~ für die rücklastschrift|spese (?:di|per) insolut~|commissioni? (?:di|per) insolut~|comisi[oó]n (?:de|por) devoluci[oó]n|returned (?:direct )?debit fee" },
  { find: "(?:fait|faire|ferai|formé|former) (?:une )?opposition", near: `${CHARGE_NOUN}|paiement|prélèvement|@amount|banque`, within: 10 },
  // An e-mail that denies, to a machine, being about payment is trying to talk its way out of the flag.
  { find: 'payment ?(?:flag)? ?(?:=|:|to|is) ?(?:false|no|0)|not (?:a )?payment (?:matter|related)|keine zahlungsangelegenheit|nessun flag (?:di )?pagamento|pas une question de paiement|no es un asunto de pago', label: 'says to a machine it is no payment matter' },
];
