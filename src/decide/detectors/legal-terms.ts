import type { TermDef } from './term-pattern.js';

/** Words that, near "GDPR", make it a data-subject request rather than a compliance question. */
const REQUEST_WORDS =
  'eras|delet|access|request|forgot|l(?:ö|oe)sch|auskunft|cancellazion|cancellare|accesso|richiest|oblio|effac|suppress|supprim|acc(?:è|e)s|demande|oubli|supresi(?:ó|o)n|suprimir|borrar|eliminar|acceso|solicitud|olvido';
const GDPR_NAMES = 'gdpr|dsgvo|ds-gvo|rgpd|uk gdpr';

/**
 * Legal matters: lawyers, courts, formal notices, threats of legal action, and data-protection
 * requests (GDPR/DSGVO/RGPD erasure or access), which carry legal deadlines.
 *
 * False positives, decided on purpose:
 * - "sue" is matched only as written lower-case or all capitals (and "sued"/"suing"), so "Sue from
 *   accounting" is not legal, "we will sue" and "I WILL SUE" are.
 * - "court" is legal except after food/tennis/basketball/… ("food court", "tennis court").
 * - German "Gericht" is also a dish: only "vor Gericht", "gerichtlich", "Amtsgericht"… match.
 * - Italian "legale" alone is an adjective ("sede legale", "legale rappresentante"): only
 *   "il mio legale", "studio legale", "azioni legali"… match. Spanish "demanda" alone also means
 *   (market) demand: only "demanda judicial", "interponer una demanda", "demandar" match.
 * - French "avocat" is also an avocado; a support mailbox rarely discusses those, so it stays.
 * - "GDPR" alone (e.g. "are you GDPR compliant?") is a sales question; it is legal only with a
 *   request word in the same sentence ("GDPR erasure request", "löschen … DSGVO").
 */
export const LEGAL_TERMS: readonly TermDef[] = [
  // en
  { lang: 'en', pattern: 'lawyers?|attorneys?|solicitors?|law firm|legal counsel' },
  { lang: 'en', pattern: 'legal (?:action|actions|proceedings|steps|measures|department|team)|lawsuits?|litigation|class action|small claims' },
  { lang: 'en', pattern: 'sue|sued|suing|SUE|SUED|SUING|Sued|Suing', caseSensitive: true },
  {
    lang: 'en',
    pattern: '(?<!(?:food|tennis|basketball|squash|badminton|volleyball|padel|netball|handball|pickleball|racquetball|clay|grass|hard|indoor|outdoor)\\s)courts?|courtroom',
  },
  { lang: 'en', pattern: 'subpoena(?:s|ed)?|cease and desist|ombudsman|data protection authority|supervisory authority' },
  { lang: 'en', pattern: 'right (?:to|of) (?:erasure|be forgotten|access|deletion)|(?:data )?subject access requests?|DSARs?' },
  { lang: 'en', pattern: '(?:delete|erase|remove) all (?:of )?my (?:personal )?(?:data|information)' },
  // any language: the article numbers people cite, and GDPR with a request word in the same sentence
  { lang: 'any', pattern: '(?:art\\.|article|artikel|articolo|art(?:í|i)culo) ?(?:15|17)', label: 'Art. 15/17 GDPR' },
  { lang: 'any', pattern: `(?:${GDPR_NAMES})(?=[^.!?\\n]{0,80}?(?:${REQUEST_WORDS}))`, label: 'GDPR/DSGVO/RGPD request' },
  // The look-behind comes after the name so it only runs where a name matched (10× faster on long mail).
  { lang: 'any', pattern: `(?:${GDPR_NAMES})(?<=(?:${REQUEST_WORDS})[^.!?\\n]{0,80}?(?:${GDPR_NAMES}))`, label: 'GDPR/DSGVO/RGPD request' },
  // it
  { lang: 'it', pattern: 'avvocat\\p{L}*' },
  {
    lang: 'it',
    pattern: '(?:mio|miei|nostro|nostri|suo|loro) legal[ei]|studio legale|ufficio legale|consulente legale|azion[ei] legal[ei]|vie legali|via legale',
  },
  { lang: 'it', pattern: 'tribunal[ei]|giudice|giudizi(?:ari[ao]|ale)|in giudizio|(?:fare|far|faremo|farò|farò) causa|intentare (?:una )?causa|causa legale' },
  { lang: 'it', pattern: 'diffid(?:a|e|iamo|o)|messa in mora|decreto ingiuntivo|querel(?:a|are)' },
  { lang: 'it', pattern: "diritto all'oblio|diritto (?:alla cancellazione|di accesso)|garante (?:della |per la )?(?:privacy|protezione dei dati)" },
  // it + es
  { lang: 'any', pattern: 'denunci(?:a|are|ar|aré|erò|eremo)' },
  // de
  { lang: 'de', pattern: '(?:rechts|fach|patent|staats|straf|miet|arbeits|familien|steuer|scheidungs|verkehrs|medien)?anw(?:ä|ae|a)lt\\p{L}*|kanzlei' },
  {
    lang: 'de',
    pattern: '(?:vor|zum|ans|vors) gericht|gericht(?:lich\\p{L}*|sverfahren|sbeschluss|stermin|svollzieher)|(?:amts|land|ober\\p{L}*|arbeits|verwaltungs|sozial|bundes)gericht\\p{L}*',
  },
  {
    lang: 'de',
    pattern:
      'verklag\\p{L}*|klage (?:einreichen|erheben|gegen)|rechtliche(?:n)? schritte(?:n)?|rechtsweg|abmahnung\\p{L}*|unterlassungserkl(?:ä|ae)rung\\p{L}*|einstweilige(?:n)? verf(?:ü|ue)gung|mahnbescheid\\p{L}*|strafanzeige\\p{L}*',
  },
  {
    lang: 'de',
    pattern: 'auskunft nach art|auskunftsersuchen|auskunftsanspruch|recht auf (?:vergessenwerden|l(?:ö|oe)schung|auskunft)|datenschutzbeh(?:ö|oe)rde|datenschutzaufsicht|aufsichtsbeh(?:ö|oe)rde',
  },
  // fr
  { lang: 'fr', pattern: 'avocat(?:e|s|es)?|mise en demeure|huissiers?|contentieux|service juridique' },
  {
    lang: 'fr',
    pattern: 'tribunal|tribunaux|poursuites? judiciaires?|action en justice|proc(?:é|e)dures? judiciaires?|(?:porter|d(?:é|e)poser) (?:une )?plainte|d(?:é|e)p(?:ô|o)t de plainte|injonction de payer',
  },
  { lang: 'fr', pattern: "droit (?:à|a) l'oubli|droit (?:à|a) l'effacement|droit d'acc(?:è|e)s|CNIL" },
  // es
  {
    lang: 'es',
    pattern: 'abogad[oa]s?|bufete|juzgados?|tribunales|demanda judicial|(?:presentar|interponer|poner) una demanda|demandar(?:é|emos|les|te|los|la)?',
  },
  { lang: 'es', pattern: 'acciones legales|acci(?:ó|o)n legal|medidas legales|v(?:í|i)a judicial|burofax|requerimiento notarial|querella' },
  { lang: 'es', pattern: 'derecho al olvido|derecho de (?:supresi(?:ó|o)n|acceso)|AEPD|agencia espa(?:ñ|n)ola de protecci(?:ó|o)n de datos' },
];
