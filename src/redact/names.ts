import { nextTurn } from '../util/wait.js';
import type { PiiMatch } from './kinds.js';

/**
 * People's names, where the text says that a name stands there: after a salutation ("Dear Maria
 * Rossi", "Sehr geehrte Frau Müller"), a title ("Sig. Bianchi", "M. Dupont"), a sign-off ("Best
 * regards" and the name on the next line), a self-introduction ("mi chiamo", "je m'appelle"), a
 * form field ("Name:", "Kontoinhaber:"), and wherever the sender's own display name is repeated.
 * A name alone in running text is not looked for: without such a cue a capitalised word is as
 * often a product, a company or (in German) any noun, and precision matters more than the last
 * names in prose.
 */

/** One word of a name: Müller, García-López, O'Brien, McDonald, ROSSI, or an initial (J.). */
const TOKEN = "(?:\\p{Lu}['’])?\\p{Lu}[\\p{Ll}\\p{M}]+(?:\\p{Lu}[\\p{Ll}\\p{M}]+)?(?:-\\p{Lu}[\\p{Ll}\\p{M}]+)?|\\p{Lu}{2,}(?![\\p{L}.])|\\p{Lu}\\.";
const PARTICLE = '(?:de|di|da|del|della|dei|van|von|der|den|le|la|du|dos|das|zu|ten|ter|al)';
/** Up to four words, particles between them ("Ludwig van Beethoven", "María de la O"). */
const NAME = `(?:${TOKEN})(?:[ ](?:${PARTICLE}[ ]){0,2}(?:${TOKEN})){0,3}`;

const TITLE =
  '(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Mag|Dipl\\.-Ing|Rechtsanwalt|Rechtsanwältin|RA|Sig\\.(?:ra|na)?|Sig(?:ra|na|r)\\.?|Signor|Signora|Signorina|Dott(?:\\.ssa|ssa)?|Dr\\.ssa|Ing|Avv|Geom|Rag|Frau|Herrn?|M\\.|MM\\.|Mme|Mlle|Madame|Monsieur|Me\\.|Me(?=[ ]\\p{Lu})|Ma[iî]tre|Sr|Sra|Srta|Señor|Señora|Señorita|Don|Doña|D\\.|Dña)(?![\\p{L}])\\.?';

const SALUTATION =
  '(?:Dear|Hi|Hello|Hey|Morning|Good (?:morning|afternoon|evening)|Gentil(?:e|issim[oa])|Egregi[oa]|Car[oa]|Carissim[oa]|Ciao|Buongiorno|Buonasera|Salve|Sehr geehrte[rs]?|Liebe[rs]?|Hallo|Moin|Servus|Guten (?:Tag|Morgen|Abend)|Bonjour|Bonsoir|Salut|Ch(?:er|ère)s?|Hola|Estimad[oa]s?|Querid[oa]s?|Buen(?:os|as) (?:días|tardes|noches))';

const SIGN_OFF =
  "(?:(?:best|kind|warm|warmest|many)?\\s?regards|best wishes|all the best|best|thanks(?: again| in advance| a lot)?|thank you(?: very much)?|many thanks|cheers|sincerely|yours (?:sincerely|faithfully|truly)|respectfully|cordiali saluti|distinti saluti|saluti(?: cordiali)?|un (?:cordiale )?saluto|cordialmente|grazie(?: mille| ancora| in anticipo)?|a presto|buona giornata|mit freundlichen grüßen|mit freundlichem gruß|mit besten grüßen|(?:freundliche|viele|beste|liebe|herzliche|schöne) grüße|grüße|gruß|mfg|vg|lg|danke(?: schön| und grüße)?|vielen dank|(?:bien )?cordialement|bien à vous|(?:sincères |meilleures )?salutations|merci(?: beaucoup| d'avance| par avance)?|bonne journée|à bientôt|(?:un )?saludos?(?: cordiales)?|atentamente|(?:muchas )?gracias|un abrazo)";

const INTRO = "(?:my name is|mi chiamo|il mio nome è|(?:io |la |il )?sottoscritt[oa]|ich heiße|mein name ist|je m'appelle|je m’appelle|je soussignée?|me llamo|mi nombre es|yo,)";
/** Weaker introductions: "I am" is also "I am Italian"; a first and last name are required after them. */
const WEAK_INTRO = "(?:I am|I'm|I’m|this is|sono|ich bin|je suis|soy)";

const FIELD =
  '(?:name|full name|your name|customer name|contact(?: name| person)?|account holder|cardholder|card holder|nome(?: e cognome)?|cognome e nome|nominativo|intestatario|titolare|referente|vor- und nachname|vorname|nachname|ansprechpartner(?:in)?|kontoinhaber(?:in)?|karteninhaber(?:in)?|nom(?: complet)?|prénom(?: et nom)?|titulaire(?: du compte)?|nombre(?: y apellidos| completo)?|apellidos|titular(?: de la cuenta)?|persona de contacto)';
const HOLDER = '(?:intestat[oa] a|a nome di|auf den namen|au nom de|a nombre de|on behalf of|im auftrag von|per conto di|de la part de|de parte de)';

/**
 * Case-insensitive keywords without the `i` flag: with `iu`, \\p{Lu} would match lower-case letters
 * too and every capitalised-word test would be lost. Each letter becomes a class of its two cases.
 */
function caseless(source: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      out += c + (source[++i] ?? '');
      continue;
    }
    if (c === '[') inClass = true;
    if (c === ']') inClass = false;
    const lower = c.toLowerCase();
    const upper = c.toUpperCase();
    if (lower === upper) out += c;
    else out += inClass ? lower + upper : `[${lower}${upper}]`;
  }
  return out;
}

const L = '(?<![\\p{L}\\p{N}.-])';
const PATTERNS: RegExp[] = [
  // Sehr geehrte Frau Dr. Müller / Gentile Sig. Bianchi / Estimado Sr. García / Dear Ms Taylor
  new RegExp(`${L}${TITLE}[ ]+(?:(?:Dr|Prof|Dott|Ing)\\.?[ ]+)?(${NAME})`, 'gu'),
  // Dear Maria Rossi, / Hola Carmen, / Ciao Marco! (the name ends the greeting)
  new RegExp(`^[ \\t]*${caseless(SALUTATION)}[ ]+(?:${TITLE}[ ]+)?(${NAME})[ \\t]*(?:[,!:;]|$)`, 'gmu'),
  // Best regards,\nAnna Rossi (a blank line between them is allowed)
  new RegExp(`^[ \\t]*${caseless(SIGN_OFF)}[ \\t]*[,.!]?[ \\t]*\\r?\\n(?:[ \\t]*\\r?\\n)?[ \\t]*(?:${TITLE}[ ]+)?(${NAME})[ \\t]*[,.]?[ \\t]*$`, 'gmu'),
  // Thanks, Tom
  new RegExp(`^[ \\t]*${caseless(SIGN_OFF)}[ \\t]*[,–-][ \\t]*(${NAME})[ \\t]*[.!]?[ \\t]*$`, 'gmu'),
  // -- \nTom Smith
  new RegExp(`^--[ ]?\\r?\\n[ \\t]*(${NAME})[ \\t]*$`, 'gmu'),
  new RegExp(`${L}${caseless(INTRO)}[ ]+(?:${TITLE}[ ]+)?(${NAME})`, 'gu'),
  new RegExp(`^[ \\t]*${caseless(FIELD)}[ \\t]*:[ \\t]*(?:${TITLE}[ ]+)?(${NAME})[ \\t]*$`, 'gmu'),
  new RegExp(`${L}${caseless(HOLDER)}[ ]+(?:${TITLE}[ ]+)?(${NAME})`, 'gu'),
];
const WEAK = new RegExp(`${L}${caseless(WEAK_INTRO)}[ ]+(?:${TITLE}[ ]+)?(${TOKEN})[ ](${NAME})`, 'gu');

/**
 * Words that begin greetings, sign-offs and signatures without being a person: a match holding
 * one is not a name ("Dear Support Team", "Sehr geehrte Damen und Herren", "The Acme team",
 * "Ihr Kundenservice", a company with its legal form).
 */
const NOT_NAME = new Set(
  `team teams support supporto soporte assistenza assistance customer customers client clients clientes cliente clientèle service services servizio servicio sales billing
help helpdesk desk admin administrator office department staff all everyone everybody sir sirs madam madams colleague colleagues friends folks there guys
mailroom the your our ihr ihre euer eure unser unsere il lo la le les el los las gli i my mon ma mes mi nuestro nuestra vostro vostra votre vos
damen herren kollegen kolleginnen alle zusammen leute firma abteilung kundenservice kundendienst kunde kundin support-team mitglied
signori signore spett spettabile azienda amministrazione direzione ufficio tutti tutte collega colleghi
mesdames messieurs madame monsieur équipe equipe tous toutes direction
señores señoras señor señora todos todas equipo departamento atención atencion compras ventas
gmbh ag kg ohg ug mbh ltd limited inc llc llp corp co plc spa srl snc sas sarl sa sl slu bv nv group gruppe gruppo grupo holding solutions consulting
technologies systems software labs studio shop store bank banca banco bau verlag partners associates
regards thanks grazie danke merci gracias saluti grüße gruesse saludos cordialement hello hallo bonjour hola ciao buongiorno morning afternoon evening
today tomorrow yesterday oggi domani heute morgen gestern aujourd'hui demain hoy mañana
monday tuesday wednesday thursday friday saturday sunday lunedì martedì mercoledì giovedì venerdì sabato domenica
montag dienstag mittwoch donnerstag freitag samstag sonntag lundi mardi mercredi jeudi vendredi samedi dimanche lunes martes miércoles jueves viernes sábado domingo
ps p.s order invoice account iban email e-mail mail phone tel fax mobile web www http https
agency agenzia agentur agence agencia consulting consulenza beratung conseil consultoría consultoria dienstleistungen servizi servicios
digital media marketing design atelier werkstatt taller tipografia druckerei imprimerie imprenta hotel restaurant ristorante café cafe bar
boutique negozio tienda laden coworking summit meetup conference conferenza konferenz conférence congreso events eventi notes news newsletter
weekly daily magazine rivista zeitschrift revue revista data leads cloud tech lab labs app apps network networks hosting hébergement uptime
monitor monitoring pro plus online academy accademia akademie académie academia school scuola schule école escuela formations formazione formación
training university università universität université universidad institute istituto institut instituto foundation fondazione stiftung fondation
fundación association associazione verein asociación club cooperativa genossenschaft coopérative abogados avvocati rechtsanwälte anwaltskanzlei
avocats cabinet kanzlei studio lawyers law legal notaio notariat fiscalidad steuerberatung commercialista contabilità compta comptabilité
accounting buchhaltung contabilidad administración administration verwaltung pyme b2b b2c brigade police polizia polizei policía gendarmerie
commissariato tribunal tribunale gericht court italia italy españa spain france deutschland germany europe europa international global worldwide
bureau büro oficina immobilier immobiliare immobilien inmobiliaria pulizia pulizie reinigung nettoyage limpieza cleaning logistics logistica
logistik transport trasporti spedizioni s.n.c snc sasu eurl selarl ei eirl srls sapa gbr e.v ev oy ab
dr prof dott ing mag dipl avv rechtsanwalt rechtsanwältin anwalt anwältin architekt architektin ingenieur ingenieurin steuerberater steuerberaterin
mitglied mitglieder gewinner gewinnerin freund freunde freundin kunden kundinnen nutzer nutzerin nutzerinnen leser leserin teilnehmer teilnehmerin
abonnent abonnenten partnerin member members winner winners user users subscriber subscribers owner owners business reader readers community fans
utente utenti socio soci abbonato abbonati vincitore amico amici abonné abonnés membre membres utilisateur utilisateurs gagnant ami amis
usuario usuarios ganador amigo amigos miembro miembros unit handling complaints briefing conf verband unternehmerverband
president vice chairman chairwoman director directors manager managers assistant administrative analyst specialist engineer consultant officer
executive coordinator representative associate senior junior head lead chief secretary treasurer ceo cfo cto coo founder co-founder
direttore direttrice responsabile geschäftsführer geschäftsführerin leiter leiterin vorstand directeur directrice responsable gérant gérante
director directora gerente jefe jefa presidente presidenta`.split(/\s+/),
);

const NAME_WORD = new RegExp(`^(?:${TOKEN}|${PARTICLE}|&)$`, 'u');

/** Whether the words are a person's name: at least one full word, none of NOT_NAME. */
export function personName(value: string): boolean {
  const words = value.split(/[ ]+/).filter((w) => w !== '');
  if (words.length === 0 || words.length > 5) return false;
  if (!words.every((w) => NAME_WORD.test(w))) return false;
  // A lone capitalised acronym (BNG, XXX) is an organisation or a placeholder far more often than a person.
  if (words.length === 1 && /^\p{Lu}+$/u.test(words[0]!)) return false;
  if (!words.some((w) => /^(?:\p{Lu}['’])?\p{Lu}[\p{Ll}\p{M}]/u.test(w) || /^\p{Lu}{2,}$/u.test(w))) return false;
  return !words.some((w) =>
    w
      .toLowerCase()
      .replace(/[.,]$/, '')
      .split('-')
      .some((part) => NOT_NAME.has(part)),
  );
}

const matchAt = (start: number, value: string): PiiMatch => ({ kind: 'name', start, end: start + value.length, value });

/**
 * The names in a text. `known`: names the email gives elsewhere (the sender's display name), found
 * wherever the text repeats them.
 */
export function names(text: string, known: readonly string[] = []): PiiMatch[] {
  const out: PiiMatch[] = [];
  for (const pattern of PATTERNS) {
    for (const m of text.matchAll(pattern)) {
      const value = trimName(m[1]!);
      if (value && personName(value)) out.push(matchAt(m.index + m[0].indexOf(m[1]!), value));
    }
  }
  for (const m of text.matchAll(WEAK)) {
    const value = trimName(`${m[1]} ${m[2]}`);
    if (value?.includes(' ') && personName(value)) out.push(matchAt(m.index + m[0].indexOf(m[1]!), value));
  }
  for (const name of known) {
    const value = withoutTitles(name);
    if (!/\s/.test(value) || !personName(value)) continue;
    for (let i = text.indexOf(value); i >= 0; i = text.indexOf(value, i + value.length)) {
      if (!/[\p{L}\p{N}]/u.test(text[i - 1] ?? '') && !/[\p{L}\p{N}]/u.test(text[i + value.length] ?? '')) out.push(matchAt(i, value));
    }
  }
  return out;
}

/** Compiles the expressions of `names`, one per turn of the event loop (see warmPii). */
export async function warmNames(text: string): Promise<void> {
  for (const pattern of [...PATTERNS, WEAK]) {
    for (const _ of text.matchAll(pattern));
    await nextTurn();
  }
}

const LEADING_TITLES = new RegExp(`^(?:${TITLE}[ ]+)+`, 'u');

/** "Dott.ssa Michela Orlando" → "Michela Orlando": the name without the titles before it. */
export function withoutTitles(name: string): string {
  return name.trim().replace(/\s+/g, ' ').replace(LEADING_TITLES, '');
}

/** A name ends before a trailing particle or initial-less dot ("Rossi e" → "Rossi"). */
function trimName(value: string): string {
  return value.replace(new RegExp(`(?:[ ]${PARTICLE})+$`, 'u'), '').trim();
}
