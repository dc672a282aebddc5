import type { Rule } from './rules.js';

/**
 * Legal matters (en/it/de/fr/es): lawyers acting or engaged, courts and proceedings, formal notices
 * (cease and desist, Abmahnung, diffida, messa in mora, mise en demeure, burofax), threats to sue,
 * data-protection requests (GDPR/DSGVO/RGPD access and erasure, a regulator's letter), data-breach
 * notices, and copyright takedowns (DMCA §512, § 97 UrhG, LCEN, Ley de Propiedad Intelectual).
 *
 * Decided on purpose:
 * - A lawyer's title alone is weak: lawyers are customers too ("I am a solicitor; how do I bill
 *   per fee earner?"). "My lawyer", "we act for", a court or a threat stands alone.
 * - Register courts in German signatures ("Amtsgericht Stuttgart HRB 751234") and everything after
 *   the closing formula are who the sender is, not a legal matter.
 * - "sue" counts only lower-case or all capitals and not after Italian "le/delle" ("le sue fatture"),
 *   so "Sue from accounting" is not legal. "court" is not legal after food/tennis/… nor in French
 *   "à court terme". German "Gericht" is also a dish: only "vor Gericht", "gerichtlich", "Amtsgericht".
 * - "GDPR" alone ("are you GDPR compliant?") is a sales question: it needs a request or breach word.
 */

const GDPR = 'gdpr|uk gdpr|dsgvo|ds-gvo|rgpd|lopd(?:gdd)?|dsg|datenschutzgesetz|(?:regolamento|regulation|reglamento|règlement|verordnung) \\(?(?:ue|eu)\\)? ?(?:n\\. )?2016/679|2016/679';
// biome-ignore format: vocabulary reads best as a list
const DATA_REQUEST = [
  'eras~', 'delet~', 'access', 'request~', 'forgot~', 'copy', 'portab~', 'object~', 'rectif~', 'breach', 'notif~',
  'cancellazion~', 'cancellare', 'accesso', 'richiest~', 'oblio', 'violazion~', 'notific~',
  'löschung', 'löschen', 'auskunft~', 'ersuch~', 'verletzung', 'datenpanne',
  'effac~', 'suppression', 'supprim~', 'accès', 'demande', 'oubli', 'violation',
  'supresión', 'suprimir', 'borrar', 'eliminar', 'acceso', 'solicitud', 'olvido', 'brecha',
].join('|');
// Data about the writer: "Personendaten über mich", "données me concernant", "all my personal data".
// biome-ignore format: vocabulary reads best as a list
const PERSONAL_DATA = [
  '(?:my|her|his|their) personal (?:data|information)', 'personal data (?:you hold|held|that you)', '(?:data|information) (?:\\S+ ){0,2}(?:hold|store|keep|process|have)~? (?:about|on) me',
  'i miei dati personali', 'dati (?:personali )?che mi riguardano',
  'meine(?:r|n)? (?:personenbezogenen|persönlichen) daten', '~daten über mich', 'über mich gespeichert~', 'mich betreffend~',
  'mes données personnelles', 'données (?:personnelles )?(?:me|qui me) concernant',
  'mis datos personales', 'datos (?:personales )?(?:sobre mí|que (?:tienen|tenéis) de mí)',
].join('|');
// "All my data" asks for erasure, not for access: "can I export all my data?" is a how-to.
const ALL_MY_DATA = 'all (?:of )?my (?:personal )?(?:data|information|details)|tutti i miei dati|alle meine daten|toutes mes données|todos mis datos';
const ERASE = 'delete|erase|remove|purge|wipe|cancell~|elimin~|rimuov~|löschung|löschen|effac~|supprim~|suppression|borr~|supr~';
const ACCESS = 'access|copy|auskunft|herausgabe|kopie|accesso|copia|accès|copie|acceso';

// Words of a data-protection notice: beside a security incident they make it a breach notification.
const DATA_PROTECTION =
  'controller|processor|data processing agreement|data protection|personal data|dpo|ico|titolare del trattamento|responsabile del trattamento|dati personali|garante|auftragsverarbeit~|personenbezogene~|datenschutz~|responsable (?:du|de) traitement|sous-traitant|données personnelles|cnil|encargado del tratamiento|responsable del tratamiento|datos personales|aepd';

// A confidentiality footer or privacy notice: it cites the GDPR and the reader's rights, and asks a
// wrong recipient to delete the mail; nobody there requests anything.
const NOTICE =
  'confidential~|privileged|riservat[ae]|vertraulich~|confidenti~|confidencial~|intended recipient|destinatari[oa]|destinataire|adressat|empfänger|per errore|par erreur|por error|irrtümlich|in error|informativa|datenschutz(?:erklärung|hinweise?)|informationen zum datenschutz|privacy (?:policy|notice)|politique de confidentialité|política de privacidad|vous (?:disposez|pouvez exercer)|potete esercitare|può esercitare|puede (?:usted )?ejercer|podrá ejercer|sie haben das recht|you (?:have|may|can) (?:the right|exercise)';

// Someone who acts for, or is engaged by, the writer.
const LAWYER = 'lawyers?|attorneys?|solicitors?|barristers?|legal (?:counsel|advisers?|advisors?|representatives?)';
const AVVOCATO = 'avvocat[oaie]|legal[ei]|studio legale|ufficio legale|consulente legale';
const ANWALT = '~anwalt|~anwältin|~anwälte|anwalt|anwältin|rechtsbeistand|rechtsabteilung';

/**
 * Weak legal signals that raise the flag together: a lawyer's title with a deadline, a claim or a
 * termination (a lawyer writing), or a claim with a termination. A deadline with a termination is a
 * customer leaving, and a deadline with a claim for compensation is a complaint.
 */
export function legalWeakKindsSuffice(kinds: ReadonlySet<string>): boolean {
  return (kinds.has('lawyer') && kinds.size >= 2) || (kinds.has('claim') && kinds.has('termination'));
}

// biome-ignore format: a table of rules reads best one per line
export const LEGAL_RULES: readonly Rule[] = [
  // A lawyer engaged: "my lawyer", "mein Anwalt", "il mio avvocato", "notre avocat", "mi abogado".
  { find: `(?:my|our) (?:${LAWYER})|(?:spoken|talked|speaking|talking|consult~|instruct~) (?:to |with )?(?:a|an|my|our) (?:lawyer|attorney|solicitor)`, unless: 'how-to' },
  { find: `(?:mio|mia|miei|nostro|nostra|nostri) (?:${AVVOCATO})`, unless: 'how-to' },
  { find: `(?:mein|meine|meinem|meinen|meiner|unser|unsere|unserem|unseren|unserer) (?:${ANWALT})`, unless: 'how-to' },
  { find: '(?:mon|ma|mes|notre|nos) (?:avocat~|service juridique|juriste)|(?:mon|notre) conseil (?:est|a|vous|juridique)' },
  { find: '(?:mi|mis|nuestro|nuestra|nuestros) (?:abogad[oa]s?|letrad[oa]s?|asesor(?:ía)? (?:legal|jurídic[oa])|servicios jurídicos|departamento (?:jurídico|legal))|servicios jurídicos|departamento jurídico|asesoría jurídica' },
  // Lawyers for a client: "we act for", "wir vertreten", "unsere Mandantin", "actuamos en nombre".
  { find: 'we (?:act|are acting) (?:for|on behalf of)|(?:act|acting) as (?:\\S+ )?(?:attorneys?|lawyers?|solicitors?|counsel) (?:for|to)|on behalf of (?:our|my) client|write on behalf of|our client~? (?:requires?|reserves?|has instructed|instructs|is entitled)|(?:we are|have been) instructed|reserves? (?:its|our|my|their|his|her) (?:position|rights)|without prejudice' },
  { find: 'wir vertreten|unsere(?:r|n)? mandant(?:in|en|innen)?|namens und in vollmacht|vollmacht (?:liegt|anbei|ist beigefügt)|in vollmacht' },
  { find: 'in nome e per conto|per conto del (?:nostro|mio) (?:assistito|cliente)|(?:mio|mia|miei|mie|nostro|nostra|nostri|nostre) assistit[oaie]|(?:mi|ci) riserv~ (?:di|ogni)|tutelare i (?:miei|nostri|propri) (?:interessi|diritti)' },
  { find: 'agissant (?:pour|au nom) de|pour le compte de (?:notre|mon) client~|(?:notre|mon) client(?:e)? (?:nous a|m\'a) (?:mandaté|chargé)|(?:me|nous) réserv~ (?:le droit|la possibilité|tout droit)?(?: d\'engager)?' },
  { find: 'actua(?:mos|ndo) en (?:nombre|representación) de|en nombre y representación de|(?:nuestr[oa]|mi) (?:mandante|representad[oa])|nos reservamos (?:el derecho|las acciones)|se reserva (?:el ejercicio de )?(?:cuantas|las|todas las) acciones' },
  // Trademarks: a competitor's mark and the confusion it claims.
  { find: 'trade ?mark infringement|likelihood of confusion|markenverletzung|markenrecht~|verwechslungsgefahr|rischio di confusione|contraffazione|risque de confusion|riesgo de confusión|cesen? (?:inmediatamente )?en el uso' },
  // Courts, judges, proceedings, formal notices.
  { find: 'courts?|courtroom', not: 'dates?|calendar|hearings?|food|tennis|basketball|squash|badminton|volleyball|padel|netball|handball|pickleball|racquetball|clay|grass|hard|indoor|outdoor|terme|délai|circuit|métrage|plus|très|trop|assez', notWithin: 1 },
  { find: '(?:a|the|any) judges?|giudic[ei]|(?:le|un|au|du|les|des|aux) juges?|juez|jueza|jueces', not: 'contest|competition|gara|concorso|jury|wettbewerb|concours|concurso|premio|prize', notWithin: 4 },
  { find: 'tribunals?|lawsuits?|litigation|class action|small claims|legal (?:action|actions|proceedings|steps|measures|recourse|remedies|options|routes?|avenues|means)|legal ones|breach(?:ed|es|ing)? (?:of )?(?:our|the|this|your|its) (?:contract|agreement|terms|sla)' },
  // Turning to a lawyer, or protecting one's rights: "passo tutto a un legale", "anwaltlich prüfen lassen".
  { find: "(?:hand|pass|refer|turn|take|send|forward) (?:\\S+ ){0,3}(?:to|over to) (?:a|an|my|our) (?:lawyer|attorney|solicitor)|(?:rivolg|affid|consult|pass|rimett|gir)~ (?:\\S+ ){0,4}(?:a|ad) (?:un|uno|il mio|al mio|al nostro) (?:legale|avvocato)|(?:an|zu) (?:einen|meinen|unseren) anwalt|anwalt(?:lich)? (?:\\S+ )?(?:einschalten|beauftragen|hinzuziehen|prüfen)|(?:consulter|saisir|mandater) (?:un|mon|notre) avocat|(?:en manos de|consultar (?:con )?) (?:un|mi|mis|nuestros?) abogad~", unless: 'how-to' },
  { find: "(?:a tutela|a difesa) dei (?:nostri|miei|propri) (?:diritti|interessi)|(?:pour la |à la )?défense de (?:nos|mes|ses) (?:droits|intérêts)|zur wahrung (?:unserer|meiner|ihrer) (?:rechte|interessen)|to protect (?:our|my|its) (?:legal )?(?:rights|interests)|en defensa de (?:nuestros|mis|sus) (?:derechos|intereses)|zu unterlassen|unterlassen sie|autorità competenti|zuständigen behörden|autorités compétentes|autoridades competentes" },
  // Hearings, judgments, summons, arbitration, in every language.
  { find: "(?:court|tribunal) hearing|witness (?:statement|summons)|deposition|judg(?:e)?ment (?:against|in (?:your|our|my) favou?r|debt)|arbitration|urteil (?:des|vom|gegen)|zeugenladung|ladung (?:zur|zum|vor)|schiedsverfahren|udienza|sentenza|notifica (?:di |dell')?atto|atto giudiziario|arbitrato|audience (?:du|au|devant)|jugement|convocation (?:au|devant)|audiencia (?:previa|judicial)|sentencia|citación (?:judicial)?|emplazamiento|notificación judicial|arbitraje", not: 'dates?|calendar~|kalender|calendario|calendrier|agenda', notWithin: 2 },
  { find: '(?:issue|start|commence|bring|begin|initiate) (?:legal |court )?proceedings|proceedings (?:against|without)|injunctions?|subpoena(?:s|ed)?|cease and desist|summons|letter before (?:action|claim)|pre-action|formal notice|notice of (?:claim|intended proceedings)' },
  { find: '(?:file|filing|filed|lodge|lodging|bring|make|making) (?:a |an )?(?:formal )?(?:claim|complaint|lawsuit|suit|case) (?:online )?(?:against|with the)|take (?:you|this|it) to court' },
  { find: 'sue|sued|suing|SUE|SUED|SUING|Sued|Suing', caseSensitive: true, not: 'le|alle|delle|dalle|nelle|sulle|tra|con', notWithin: 0 },
  { find: 'tribunal[ei]|giudizi(?:ari[ao]|ale)|in giudizio|(?:fare|far|faremo|farò|faccio|fargli|farvi) causa|intentare (?:una )?causa|causa (?:legale|civile)|(?:atto di )?citazione in giudizio|atto di citazione|decreto ingiuntivo|ufficiale giudiziario' },
  { find: 'diffid(?:a|e|iamo|o|ato|ata)|messa in mora|mettere in mora|mess[oi] in mora|costituzione in mora|querel(?:a|are)|denunci(?:a|are|ar|aré|erò|eremo)|sed[ei] (?:competenti|opportune|giudiziari[ae])|vie legali|via legale|azion[ei] (?:legal[ei]|giudiziari[ae])|carta bollata' },
  { find: '(?:vor|zum|ans|vors|vor das|vor dem) gericht|gericht(?:lich~|sverfahren|sbeschluss|stermin|svollzieher|sstand)|(?:amts|land|ober~|arbeits|verwaltungs|sozial|bundes|handels)gericht~', not: 'hrb|hra|handelsregister~|registergericht|register|registriert|eingetragen|sitz|ust-?id~', notWithin: 4, bodyOnly: true },
  { find: 'verklag~|einklag~|klage (?:einreich~|erheb~|gegen|vor|beim|einleiten)|klageerhebung|klageschrift|rechtliche(?:n)? schritte(?:n)?|rechtsweg~|rechtsstreit~|abmahnung~|unterlassung~|einstweilige(?:n)? verfügung|mahnbescheid~|mahnverfahren|strafanzeige~|anzeige erstatten|gerichtsvollzieher~' },
  { find: 'tribunal|tribunaux|en justice|action en justice|poursuites? judiciaires?|(?:des|de|les|engager|engagerons) poursuites|procédures? judiciaires?|assignation|assigner|huissier~|commissaire de justice|mise en demeure|mettre en demeure|mis en demeure|injonction~|(?:porter|déposer|dépôt de) (?:une )?plainte|je vous attaque|vous attaquer|engager (?:toute |une |des )?(?:action|poursuites|procédure)~' },
  { find: '(?:service|phase|procédure|recouvrement) (?:du )?contentieu(?:x|se)|au contentieux|transmis au contentieux' },
  { find: 'juzgad~|tribunal(?:es)?|demanda judicial|(?:presentar|interponer|poner) (?:una )?demanda|demandar(?:é|emos|les|te|los|la)?|denuncia~|querella~|burofax|requerimiento (?:notarial|fehaciente)|acciones? (?:legales|judiciales|oportunas)|medidas legales|vía judicial|reclamación judicial|procedimiento judicial' },
  // Police, prosecutors and enforcement officers asking for data or money; executors of an estate.
  { find: 'police (?:station|department|officer|investigation)|cyber ?crime|law enforcement|prosecutor|procura della repubblica|pubblico ministero|polizia (?:postale|di stato)|carabinieri|guardia di finanza|staatsanwalt~|polizeidienststelle|kriminalpolizei|ermittlungsverfahren|strafverfahren|procureur|ministère public|gendarmerie|commissariat|procédure pénale|fiscalía|ministerio público|policía (?:nacional|judicial)|guardia civil|procedimientos? penal(?:es)?|carpeta de investigación|criminal (?:case|investigation|proceedings)|procedimento penale|court order|search warrant' },
  { find: 'precetto|ufficio (?:d\'|di )?esecuzione|esecuzione forzata|pignorament~|ingiung~|betreibung~|zahlungsbefehl|zwangsvollstreckung~|pfändung~|drittschuldner~|saisie-attribution|saisie sur salaire|(?:orden|oficio|auto) de embargo|embargo y retención|proceso ejecutivo|garnish~|liquidation judiciaire|mandataire judiciaire|insolvenzverwalter~|curatore fallimentare|administrador concursal' },
  { find: 'probate|executors? of|estate of the late|grant of (?:probate|representation)|erbschein|nachlassgericht|notai[oa]|notaire|notari[oa]|notar(?:in)?|succession de' },
  // Data protection: GDPR requests, rights, regulators, breach notices.
  { find: GDPR, near: DATA_REQUEST, within: 10, label: 'GDPR/DSGVO/RGPD request', not: NOTICE, notWithin: 15 },
  { find: '(?:art\\.?|artt\\.|articles?|artikel|articol[oi]|artículos?) ?(?:15|17|20|25|33|34)\\b', near: `${GDPR}|data|daten|dati|données|datos|privacy|datenschutz|protection|protezione|protección`, within: 8, not: NOTICE, notWithin: 15 },
  { find: 'right (?:to|of) (?:erasure|be forgotten|access|deletion|rectification|portability|object)|(?:data )?subject access requests?|dsars?|diritto (?:all\'oblio|alla cancellazione|di accesso|alla portabilità)|recht auf (?:vergessenwerden|löschung|auskunft|datenübertragbarkeit)|droit (?:à|a) l\'(?:oubli|effacement)|droit d\'accès|derecho (?:al olvido|de supresión|de acceso|a la portabilidad)', not: NOTICE, notWithin: 15 },
  { find: ERASE, near: `${ALL_MY_DATA}|${PERSONAL_DATA}|everything you (?:have|hold|store|keep) (?:on|about) me|my data|meine[rn]? daten|i miei dati|mes données|mis datos`, within: 6, unless: 'how-to' },
  { find: "(?:data|information|details|daten|angaben|dati|informazioni|données|informations|datos|información) (?:\\S+ ){0,4}(?:about me|on me|über mich|zu meiner person|su di me|sur moi|me concernant|sobre mí)", not: 'api|endpoint|json|webhook|export~', notWithin: 4 },
  { find: "withdraw (?:my )?consent|object to (?:the )?processing|right to object|(?:widerspruch gegen|widersprech~) (?:\\S+ ){0,2}verarbeitung|einwilligung (?:\\S+ )?widerruf~|widerruf~ (?:\\S+ ){0,2}einwilligung|revoc~ (?:il |mio )?consenso|(?:mi|ci) oppong~ al trattamento|opposizione al trattamento|droit d'opposition|opposition au traitement|retir~ (?:mon|notre) consentement|(?:me|nos) opon~ al tratamiento|derecho de oposición|revoc~ (?:mi|el) consentimiento" },
  { find: `${ACCESS}|know|tell me|wissen|sapere|savoir|saber`, near: PERSONAL_DATA, within: 6 },
  { find: 'auskunft~|~auskunft|auskunftsersuchen|auskunftsanspruch', near: 'personendaten|personenbezogen~|über mich|gespeichert~|datenschutz~|dsgvo|dsg', within: 10 },
  { find: 'data protection (?:authority|commission~)|supervisory authority|information commissioner|cnil|aepd|agencia española de protección de datos|garante (?:della |per la )?(?:privacy|protezione dei dati)|autorità di controllo|datenschutzbehörde|datenschutzaufsicht|aufsichtsbehörde|autorité de contrôle' },
  { find: 'ICO', caseSensitive: true },
  { find: 'data breach~|personal data breach|datenpanne|datenleck|datenschutzverletzung|verletzung des schutzes personenbezogener daten|violazione (?:dei|di) dati(?: personali)?|violation de (?:données|la sécurité des données)|fuite de données|brecha de (?:seguridad|datos)|violación de (?:datos|la seguridad)' },
  { find: 'security (?:incident|breach)|unauthori[sz]ed access|accesso non autorizzato|unbefugte(?:r|n)? zugriff|sicherheitsvorfall|accès non autorisé|incident de sécurité|acceso no autorizado|incidente de seguridad', near: DATA_PROTECTION, within: 40 },
  { find: "data leak~|leaked (?:our|my|personal|customer|client)|fuite de données|(?:ont|a) fuité|faille de sécurité|sicherheitslücke|datenleck|fuga di dati|falla di sicurezza|filtración de datos|(?:se han|han sido) filtrad[oa]s", near: 'données|data|dati|daten|datos|personal~|personnel~|personenbezogen~|clients?|kunden|clienti|clientes', within: 8 },
  // Regulators and investigations; a matter handed to a legal team; rights reserved; unlawful terms.
  { find: "regulator|regulatory authority|ombudsman|(?:the )?commission has received|schlichtungsstelle|régulateur|autorité de régulation|médiateur|autorità di vigilanza|regulador" },
  { find: "(?:with|to|passed to|forwarded to|handed (?:over )?to|transferred to) (?:our|my) legal (?:team|department|counsel)|(?:an|der) (?:unsere|meine) rechtsabteilung|(?:al nostro|al mio) ufficio legale|(?:à|a) notre service juridique|(?:a|al) nuestro departamento (?:jurídico|legal)" },
  { find: "(?:behalte|behalten) (?:mir|uns) (?:\\S+ ){0,4}vor|vorbehaltlich (?:\\S+ )?(?:ansprüche|rechte)|unlawful|rechtswidrig~|unrechtmäßig~|illegittim[oaie]|illicéité|ilícit[oa]s?" },
  // Copyright and takedowns.
  { find: 'dmca|digital millennium copyright act|§ ?512|section 512|17 u\\.?s\\.?c|under penalty of perjury|good ?faith belief|copyright (?:infringement|owner|holder|agent)|infring~|own the copyright|(?:copyright|designs and patents) act|take ?down (?:notice|request)|notice and take ?down' },
  { find: 'urheberrechtsverletzung~|urhg|§ ?97|diritt[oi] d\'autore|violazione del copyright|droits? d\'auteur|propriété intellectuelle|contrefaçon|lcen|confiance dans l\'économie numérique|contenus? (?:manifestement )?illicites?|propiedad intelectual|derechos de (?:autor|explotación)|lssi(?:-?ce)?|infracción de derechos' },
  { find: "copyright~|urheberrecht~|bildrecht~|diritt[oi] d'autore|droits? d'auteur|derechos de autor|(?:my|our|mi[ae]|mio|nostr[eoai]|meine[rn]?|unsere[rn]?|mes|mon|notre|nos|mis|mi|nuestr[oa]s?) (?:photo~|images?|pictures?|fotograf~|foto~|immagin[ei]|bild(?:er)?|texts?|articles?|oper[ae]|œuvres?|obras?|artwork|illustration~|logos?|trade ?marks?|brand|marke|marchio|marque|marca)", near: 'without|senza|ohne|sans|sin|unauthori[sz]ed|unlicen[cs]ed|non autorizzat~|take (?:it |them )?down|taken down|infring~', within: 8, bodyOnly: true },
  // Weak: alone none of these is a legal matter, two kinds together are.
  { find: `${LAWYER}|legal (?:team|department)|law firm|avvocat[oaie]|studio legale|${ANWALT}|kanzlei|avocat~|barreau|cabinet d'avocats|abogad[oa]s?|bufete|letrad[oa]s?|avv\\.|maître`, weak: 'lawyer' },
  { find: 'fristlos~|außerordentlich~ kündig~|terminat~ (?:the|our|this) (?:contract|agreement)|termination for (?:breach|cause)|risoluzione del contratto|recesso per giusta causa|résiliation (?:immédiate|pour faute)|resolución del contrato|resolver el contrato', weak: 'termination' },
  { find: 'damages|compensation|liab(?:le|ility)|negligence|breach of (?:contract|the agreement|the sla)|risarciment~|inadempiment~|danni|schadens?ersatz~|haftung|vertragsbruch|dommages|indemnisation|préjudice|réparation|manquement|daños|perjuicios|indemnización|incumplimiento', weak: 'claim' },
  { find: 'within (?:\\d+|seven|fourteen|thirty) (?:working |business |calendar )?(?:days|hours)|by \\d+ ?(?:pm|am)|entro (?:e non oltre )?\\d+ (?:giorni|ore)|binnen \\d+|innerhalb (?:von )?\\d+ (?:tagen|stunden)|bis (?:zum|spätestens) \\d|sous \\d+ (?:jours|heures)|dans un délai de|(?:en|dentro de) (?:el|un) plazo (?:máximo )?de|innert \\d+', weak: 'deadline' },
  // An e-mail that denies, to a machine, being a legal matter is trying to talk its way out of the flag.
  { find: 'legal ?(?:flag)? ?(?:=|:|to|is) ?(?:false|no|0)|not (?:a )?legal (?:matter|notice|issue)|keine rechtsangelegenheit|nessun flag legale|pas une question juridique|no es un asunto legal', label: 'says to a machine it is no legal matter' },
];
