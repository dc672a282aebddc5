import type { ParsedEmail } from '../parse/index.js';
import { headerValues, quoteForReason, splitAddress, wordsRegExp } from './headers.js';

/**
 * Automatic replies that carry no auto-reply header, recognised from their text: out-of-office
 * notices and challenge-response requests. Text is the weakest evidence the pre-filters use, so
 * each rule asks for the whole message to be of that kind, not for a phrase somewhere in it.
 */

/** A person passing on what they received wants it read, whatever it says. */
const FORWARDED = /^(?:fwd?|fw|wg|tr|rv|enc|i|inoltro|weitergeleitet)\s*:/i;

/** Services that hold mail until the sender proves to be a person (Boxbe, SpamArrest, Mailblocks). */
const CHALLENGE_DOMAINS = new Set(['boxbe.com', 'spamarrest.com', 'mailblocks.com']);

/** "Confirm that you are human" and "add yourself to my allowed list", addressed to the sender, in en/it/de/fr/es. */
// biome-ignore format: a list of patterns reads best packed
const CHALLENGE_TEXT = wordsRegExp([
  "(?:verify|confirm|prove)\\b.{0,40}?\\byou(?:['’]re| are)(?: a)? (?:human|real person|person|not a (?:robot|bot|machine|spammer))",
  "add(?:ed)? (?:yourself|your (?:e-?mail )?address)\\b.{0,40}?\\b(?:guest|allowed|approved|safe|white) ?(?:list|senders)", 'sender not pre-approved',
  '(?:bestätigen|beweisen|verifizieren)\\b.{0,60}?\\b(?:dass|daß) Sie (?:ein Mensch|eine (?:reale|echte) Person|kein (?:Roboter|Bot|Spammer)) sind',
  '(?:conferma|confermare|confermi|verifica|verificare|dimostra|dimostrare)\\b.{0,60}?\\b(?:di essere|che sei|che è) (?:un(?:a|o)? )?(?:essere umano|persona(?: reale)?|umano|non un (?:robot|bot))',
  '(?:confirmer|confirmez|vérifier|vérifiez|prouver|prouvez)\\b.{0,60}?\\bque vous (?:êtes|etes) (?:une? )?(?:humain|être humain|personne(?: réelle)?|pas un robot)',
  '(?:confirmar|confirme|confirma|verificar|verifique|demostrar|demuestre)\\b.{0,60}?\\bque (?:usted )?(?:es|eres) (?:una? )?(?:humano|ser humano|persona(?: real)?|no es un robot)',
]);

/**
 * Challenge-response: the recipient's filter holds our message until we prove we are a person.
 * Some of these systems send their challenge as a delivery report, so this runs before the
 * bounce pre-filter: what we got is an automatic reply that asks for a click, not a failure.
 */
export function challengeEvidence(email: ParsedEmail): string | null {
  const domain = splitAddress(email.from?.address ?? '')?.domain ?? '';
  const vendor = [...CHALLENGE_DOMAINS].find((d) => domain === d || domain.endsWith(`.${d}`));
  if (vendor !== undefined) return `Challenge-response from ${vendor} (${email.from?.address})`;
  if (headerValues(email, 'x-bluebottle-request').length > 0) return 'Challenge-response from Bluebottle (X-Bluebottle-Request)';
  if (FORWARDED.test(email.subject.trim()) || email.newestText.length > 3000) return null;
  const said = CHALLENGE_TEXT.exec(email.newestText)?.[0];
  return said === undefined ? null : `Challenge-response: the sender is asked to prove they are a person ("${quoteForReason(said, 60)}")`;
}

/**
 * First person, present or future: "I am", "I'll be", "sono", "ich bin", "je suis", "estoy". The
 * past ("I was out of office last week") is a customer telling a story.
 */
// biome-ignore format: a list of patterns reads best packed
const PRESENT_SELF = wordsRegExp([
  "i am", "i['’]m", "i will be", "i['’]ll be", 'i shall be', 'sono', 'sarò', 'resterò', 'rimarrò', 'ich bin', 'bin ich', 'ich werde', 'werde ich',
  'je suis', 'je serai', 'je me trouve', 'estoy', 'estaré', 'me encuentro', 'voy a estar',
]);
// biome-ignore format: a list of patterns reads best packed
const PAST_SELF = wordsRegExp([
  'i was', "i['’]ve been", 'i have been', "i['’]m back", 'i am back', 'ero', 'sono stat[oa]', 'sono (?:rientrat|tornat)[oa]', 'ich war', 'gewesen', 'ich bin (?:wieder )?zurück(?!\\s+(?:ab|am))',
  "j['’]étais", "j['’]ai été", 'je suis (?:rentrée?|revenue?|de retour)', 'estuve', 'estaba', 'he estado', 'he vuelto',
]);

/** Being away from work, in en/it/de/fr/es. */
// biome-ignore format: a list of patterns reads best packed
const AWAY = wordsRegExp([
  'out of (?:the )?office', 'away', 'on (?:annual |parental |maternity |paternity |sick |study )?leave', 'on (?:vacation|holidays?)', 'travell?ing', 'on a business trip', 'at a (?:conference|trade fair|seminar|training)', 'off work', 'not in the office',
  'fuori (?:sede|ufficio)', 'in ferie', 'in vacanza', 'assente', 'in maternità', 'in congedo', 'in trasferta', 'in malattia', 'in viaggio', 'a (?:una )?(?:fiera|conferenza)',
  'nicht im büro', 'abwesend', 'im urlaub', 'auf (?:dienst|geschäfts)reise', 'auf einer (?:messe|konferenz|schulung)', 'in elternzeit', 'im mutterschutz', 'au(?:ß|ss)er haus', 'nicht im hause', 'krank',
  'absente?', 'en congés?', 'en vacances', 'en déplacement', 'hors du bureau', 'en (?:congé )?maternité', 'en arrêt maladie', 'en voyage', 'en (?:salon|conférence|formation)',
  'fuera de (?:la )?oficina', 'de vacaciones', 'ausente', 'de viaje', 'de baja', 'de permiso', 'de licencia', 'en (?:una )?(?:feria|conferencia)',
]);

/** What becomes of the mail meanwhile: no access, an answer on return, forwarding, someone else to write to. */
// biome-ignore format: a list of patterns reads best packed
const MAIL_MEANWHILE = wordsRegExp([
  '(?:no|limited|without|restricted|intermittent) access to (?:my )?e-?mails?', "(?:not|won['’]t) (?:be )?(?:checking|reading|monitoring) (?:my )?e-?mails?", 'will (?:respond|reply|get back to you|answer|return)',
  'checking (?:my )?e-?mails? (?:only )?(?:occasionally|intermittently|sporadically|periodically|rarely|from time to time)', '(?:unable|not able) to (?:read|answer|respond to|reply to) (?:your |my )?(?:e-?mails?|messages?)',
  '(?:(?:up)?on|after) my return', 'when i (?:return|am back|get back)', '(?:returning|(?:be )?back)(?: (?:to|in|at) (?:the|my) (?:office|desk))? (?:on|in|from|after|by)', '(?:be|being) (?:forwarded|read)',
  'as soon as (?:possible|i can)', 'in my absence', 'someone (?:from|in|on) (?:the|my|our) team', '(?:will|can|(?:is|are|will be) happy to) (?:assist|help) you', 'thank(?:s| you) for your (?:e-?mail|message)',
  'please (?:contact|write|e-?mail|call|reach)', 'for (?:all |any )?(?:other |further |urgent )?(?:questions|queries|enquiries|inquiries|matters|requests)', 'for (?:urgent|any urgent)', 'urgent (?:matters|requests|enquiries|inquiries|issues)',
  "if (?:it['’]s|this is|your (?:matter|request|message|enquiry|inquiry) is) (?:urgent|about|regarding|related)", 'if you need (?:immediate |urgent )?(?:assistance|help)', 'in case of (?:emergency|urgency)',
  'non (?:leggerò|potrò leggere|controllerò|potrò rispondere)', 'accesso (?:limitato )?alla posta', 'al (?:mio )?rientro', 'al mio ritorno', 'risponderò', '(?:vi|ti|le) risponderà', 'appena possibile',
  '(?:non )?(?:verranno|saranno|verrà|sarà) inoltrat[oaie]', 'per urgenze', 'per (?:tutto ciò che riguarda|qualsiasi|ogni)', "se (?:è|si tratta di qualcosa di) urgente", 'in caso di (?:urgenza|necessità)',
  'contattare', 'contattate', 'scrivete a', 'scrivere a', 'rivolgersi', 'rivolgetevi', 'grazie per (?:il (?:suo|tuo) messaggio|la (?:sua|tua) (?:e-?)?mail)',
  '(?:nur )?eingeschränkt erreichbar', 'wieder (?:erreichbar|im büro|im hause)', 'keinen zugriff auf (?:meine )?e-?mails?', 'nach meiner rückkehr', '(?:ich|werde ich)\\b.{0,60}?(?:beantworten|bearbeiten)', 'weitergeleitet', 'schnellstmöglich',
  'in dringenden fällen', 'bei dringenden', 'wenn es dringend ist', 'wenden sie sich', 'kontaktieren sie', 'vertretung', 'vertritt mich', '(?:vielen )?dank für ihre (?:e-?mail|nachricht)',
  'ne consulte pas', "n['’](?:ai|aurai) pas accès", 'vous répondra', 'accès (?:limité|restreint)', '(?:à|dès) mon retour', 'je (?:vous )?répondrai', 'je traiterai', 'dès que possible', 'ne sera pas (?:transféré|lu)', 'sera transféré',
  "en cas d['’]urgence", "si (?:c['’]est|votre demande est) urgent", 'pour toute (?:question|urgence|demande)', "merci (?:de contacter|de vous adresser|d['’]écrire)", '(?:veuillez|merci de) (?:contacter|écrire)',
  'contacte[rz]', 'joindre', 'écrire à', 'merci pour votre (?:message|e-?mail|courriel)',
  'no (?:voy a )?(?:revisar|leer|consultar) el correo', 'acceso (?:limitado )?al correo', 'sin acceso', 'a mi (?:regreso|vuelta)', 'cuando vuelva', 'en cuanto (?:vuelva|regrese|pueda)', 'lo antes posible',
  'responderé', 'respondo', '(?:no )?será reenviado', 'para (?:asuntos )?urgentes?', 'para (?:cualquier|todo)', 'si es urgente', 'en caso de urgencia', 'urgencias', 'contacte', 'contactar',
  'escriba', 'escribe a', 'escribir a', 'le (?:atenderá|responderá)', 'no tengo acceso', 'gracias por su (?:mensaje|correo)',
]);

/** A clause that reports a fault is a person writing, not a notice. */
// biome-ignore format: a list of patterns reads best packed
const FAULT = wordsRegExp([
  'fail(?:s|ed|ing|ure)?', 'error', 'crash(?:es|ed)?', 'broken', 'bug', "(?:doesn['’]t|does not|isn['’]t|is not|not) working", "can(?:['’]t|not) (?:log|sign|access|open)",
  'funktioniert nicht', 'fehler', 'geht nicht', 'non funziona', 'errore', 'non riesco', 'ne fonctionne pas', 'erreur', "je n['’]arrive pas", 'no funciona', 'no puedo', 'falla',
]);

// biome-ignore format: a list of patterns reads best packed
const GREETING = /^(?:hi|hello|hey|dear|good (?:morning|afternoon|evening|day)|greetings|hallo|guten (?:tag|morgen|abend)|sehr geehrte|liebe[rs]?|ciao|buongiorno|buonasera|gentil[ei]|salve|bonjour|bonsoir|madame|monsieur|hola|buen(?:os|as) (?:días|tardes|noches)|estimad[oa]s?)(?![\p{L}\p{N}])(?:\s+[\p{L}.'’-]+){0,4}\s*(?:[,!:–-]\s*|$)/iu;
const SMALL_TALK = /^¿?(?:how are you|cómo estás|cómo está|come stai|come sta|wie geht(?:['’]s| es (?:ihnen|dir))|comment (?:allez-vous|vas-tu|ça va))\s*[?!.]*$/iu;
/** A line that is only a closing formula, maybe with a name: the signature follows. */
// biome-ignore format: a list of patterns reads best packed
const CLOSING_LINE = /^(?:(?:best|kind|warm|with best) regards|regards|cheers|sincerely|yours(?: sincerely| truly)?|thanks|thank you|many thanks|best|saluti|cordiali saluti|distinti saluti|un saluto|grazie(?: e a presto| mille)?|a presto|mit freundlichen grüßen|freundliche grüße|viele grüße|beste grüße|mfg|lg|cordialement|bien à vous|bien cordialement|salutations|merci|saludos|un saludo|atentamente|cordialmente|gracias)[\s,.!]*(?:\p{L}[\p{L}.'’-]*[\s,.!]*)?$/iu;
/** Clauses are checked one by one, so "I am on holiday but the export fails" cannot hide behind its first half. */
// Italian "ma" is "but"; French "ma" before a colleague or a mailbox is "my".
const CLAUSE_BREAK = /[,;:–—()]\s*|\s+(?:and|but|however|e|ma(?! (?:coll[èe]gue|messagerie|bo[îi]te|rempla[çc]ante|assistante))|però|und|aber|jedoch|et|mais|y|pero)\s+/iu;
/** An absence with its end, in a subject ("Im Urlaub bis 12.8.") or a sentence ("I am away until Monday"). */
const UNTIL = wordsRegExp(['until', 'till', 'through', 'returning', 'bis', 'fino al?', "jusqu['’]au", 'hasta(?: el)?']);

/** Sentences of the newest text up to its closing line, wrapped lines joined; a digit before the dot ("2. November") ends none. */
function sentences(text: string): string[] {
  const lines = text.split('\n');
  const closing = lines.findIndex((line) => CLOSING_LINE.test(line.trim()));
  return (closing < 0 ? lines : lines.slice(0, closing))
    .join('\n')
    .split(/\n\s*\n/)
    .flatMap((paragraph) => paragraph.replace(/\s*\n\s*/g, ' ').split(/(?<=[^\d\s][.!?]|[!?])\s+(?=[\p{Lu}¿¡])/u))
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

const letterWords = (text: string): number => text.split(/\s+/).filter((w) => /\p{L}/u.test(w)).length;

/**
 * An out-of-office notice without any auto-reply header: every clause up to the closing is a
 * greeting, the absence itself (first person, present or future), or what happens to mail
 * meanwhile, and at least one says the absence and one the mail or the return. One clause more
 * (a question, a fault, a request) and it is a person writing, who may be on holiday and still
 * need help.
 */
export function absenceEvidence(email: ParsedEmail): string | null {
  const subject = email.subject.trim();
  if (email.newestText.length > 1200 || FORWARDED.test(subject)) return null;
  let away = AWAY.test(subject) && UNTIL.test(subject) && !PAST_SELF.test(subject) ? subject : null;
  let meanwhile = false;
  for (const sentence of sentences(email.newestText)) {
    const rest = sentence.replace(GREETING, '');
    if (rest === '' || SMALL_TALK.test(rest)) continue;
    if (rest.includes('?') || FAULT.test(rest)) return null;
    const self = PRESENT_SELF.test(rest) && !PAST_SELF.test(rest);
    for (const clause of rest.split(CLAUSE_BREAK)) {
      const isAway = self && AWAY.test(clause);
      const isMeanwhile = MAIL_MEANWHILE.test(clause) || (isAway && UNTIL.test(rest));
      if (isAway) away ??= rest;
      meanwhile ||= isMeanwhile;
      // Names, titles and phone numbers run to two words; anything longer must be explained.
      if (!isAway && !isMeanwhile && letterWords(clause) > 2) return null;
    }
  }
  return away !== null && meanwhile ? `Out-of-office reply without an auto-reply header (the text only says "${quoteForReason(away, 70)}" and where mail goes meanwhile)` : null;
}
