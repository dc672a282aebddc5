import { getCountrySpecifications, isValidIBAN } from 'ibantools';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { nextTurn } from '../util/wait.js';
import { cifValid, codiceFiscaleValid, dniNieValid, frenchVatValid, luhnValid, mod11_10Valid, nirValid, steuerIdValid } from './checksums.js';
import type { PiiKind, PiiMatch } from './kinds.js';
import { names, warmNames } from './names.js';

export type { PiiMatch } from './kinds.js';

/**
 * Candidates looked at per detector and text. Mail full of numbers (logs, CSV) has thousands of
 * digit runs; past this many the rest of the text is not searched for that kind, which keeps the
 * time per message bounded (a log dump is not where customers write their card numbers).
 */
export const MAX_CANDIDATES = 400;

/**
 * Finds the personal data in a text: every detector, overlaps resolved (the stronger kind and the
 * longer match win). `knownNames`: people's names the email gives elsewhere (the sender's display
 * name), found wherever the text repeats them.
 */
export function detectPii(text: string, knownNames: readonly string[] = []): PiiMatch[] {
  if (text === '') return [];
  return resolveOverlaps([...SEARCHES.flatMap((search) => search(text)), ...names(text, knownNames)]);
}

/**
 * Runs each search once on `text`, a turn of the event loop apart. Their expressions compile on
 * first use, about 300 ms in all on a 2-core machine (the names' alone about 200): `mailroom run`
 * prepares them while it connects to its mailboxes, and should not hold its timers and sockets
 * (the mailbox lease, the login) for that long in one piece.
 */
export async function warmPii(text: string): Promise<void> {
  for (const search of SEARCHES) {
    search(text);
    await nextTurn();
  }
  await warmNames(text);
}

const PRIORITY: Record<PiiKind, number> = { email: 0, iban: 1, card: 2, national_id: 3, tax_id: 3, dob: 4, phone: 5, address: 6, name: 7 };

function resolveOverlaps(matches: PiiMatch[]): PiiMatch[] {
  const ranked = [...matches].sort((a, b) => PRIORITY[a.kind] - PRIORITY[b.kind] || b.end - b.start - (a.end - a.start) || a.start - b.start);
  const kept: PiiMatch[] = [];
  for (const m of ranked) {
    if (kept.some((k) => m.start < k.end && k.start < m.end)) continue;
    kept.push(m);
  }
  return kept.sort((a, b) => a.start - b.start);
}

function* limited(text: string, pattern: RegExp): Generator<RegExpExecArray> {
  let n = 0;
  for (const m of text.matchAll(pattern)) {
    if (++n > MAX_CANDIDATES) return;
    yield m;
  }
}

const at = (kind: PiiKind, start: number, value: string): PiiMatch => ({ kind, start, end: start + value.length, value });

// ---- email addresses

const EMAIL = /(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]{1,64}@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,24}(?![\p{L}\p{N}-])/gu;

function emails(text: string): PiiMatch[] {
  if (!text.includes('@')) return [];
  return [...limited(text, EMAIL)].map((m) => at('email', m.index, m[0].replace(/^[._%+-]+/, '')));
}

// ---- IBAN

const IBAN_START = /(?<![A-Z0-9])([A-Z]{2})(\d{2})(?=[ -]?[A-Z0-9])/gi;
const SPECS = getCountrySpecifications();

/** An IBAN as written: the country's length of characters, in groups separated by single spaces or hyphens. */
function ibans(text: string): PiiMatch[] {
  const out: PiiMatch[] = [];
  for (const m of limited(text, IBAN_START)) {
    const length = SPECS[m[1]!.toUpperCase()]?.chars;
    if (!length) continue;
    let compact = '';
    let end = m.index;
    while (end < text.length && compact.length < length) {
      const c = text[end]!;
      if (/[A-Za-z0-9]/.test(c)) compact += c;
      else if (!((c === ' ' || c === '-') && /[A-Za-z0-9]/.test(text[end + 1] ?? '') && compact.length >= 4)) break;
      end++;
    }
    if (compact.length !== length || /[A-Za-z0-9]/.test(text[end] ?? '')) continue;
    if (isValidIBAN(compact.toUpperCase())) out.push(at('iban', m.index, text.slice(m.index, end)));
  }
  return out;
}

// ---- card numbers

const CARD = /(?<![\d.,-])\d(?:[ -]?\d){12,18}(?!\d|[.,]\d)/g;
const CARD_PREFIX = /^(?:4|5[1-5]|2[2-7]|3[47]|3[0689]|6011|65|35|62)/;

/** 13–19 digits written contiguously or in the groups cards are printed in, a card network's prefix, and the Luhn check. */
function cards(text: string): PiiMatch[] {
  const out: PiiMatch[] = [];
  for (const m of limited(text, CARD)) {
    // The check digit first: it is cheap and rules out nine in ten digit runs of a log or an export before any context is read.
    const card = cardPrefix(m[0]);
    if (!card) continue;
    const before = text.slice(Math.max(0, m.index - 40), m.index);
    if (COMPANY_NUMBER_CONTEXT.test(before.slice(-24)) || NOT_CARD_CONTEXT.test(before.slice(-24))) continue;
    // Printed cards come in groups; a bare run of digits is a card only where the text says so.
    if (/[ -]/.test(card) || CARD_CONTEXT.test(before)) out.push(at('card', m.index, card));
  }
  return out;
}

const CARD_CONTEXT = /(?:card|carta|karte|tarjeta|carte|visa|master\s?card|amex|american\s+express|maestro|kreditkarte|cb|pan)[^\n]{0,30}$/i;
const NOT_CARD_CONTEXT =
  /(?<![\p{L}])(?:(?:order|invoice|ticket|tracking|ordine|fattur|bestell|rechnung|auftrag|kunden|vorgang|command|factur|pedido|expediente|sendung|spedizion|envío|envio|colis|reference|referenz|riferimento|référence|referencia|serial|serie|account|konto|conto|cuenta|compte|transaction|transazione|transaktion)[\p{L}-]*|ref|id|nr|no|n°|#)\.?(?:\s*(?:nr|no|n°|number|nummer|numero|número|num)\.?)?[\s.:#]*$/iu;

/** A SIRET is 14 digits with a Luhn check digit, just like some card numbers: the word in front tells them apart. */
const COMPANY_NUMBER_CONTEXT = /(?:siret|siren|rcs|tva|vat|iva|ust)[^\n\d]{0,12}$/i;

/** The longest run of whole digit groups at the start of a candidate that is a card number (a date or a CVC may follow it). */
function cardPrefix(candidate: string): string | null {
  const groups = candidate.split(/(?<=\d)(?=[ -])/);
  for (let k = groups.length; k >= 1; k--) {
    const value = groups.slice(0, k).join('');
    const digits = value.replace(/\D/g, '');
    if (digits.length < 13 || digits.length > 19) continue;
    if (!CARD_PREFIX.test(digits) || !luhnValid(digits)) continue;
    const sizes = value.split(/[ -]/).map((g) => g.length);
    if (sizes.length === 1 || sizes.every((g, i) => g === 4 || i === sizes.length - 1) || sizes.join() === '4,6,5' || sizes.join() === '4,6,4') return value;
  }
  return null;
}

// ---- national identity numbers

const CODICE_FISCALE = /(?<![A-Za-z0-9])[A-Za-z]{6}[0-9LMNPQRSTUV]{2}[A-Za-z][0-9LMNPQRSTUV]{2}[A-Za-z][0-9LMNPQRSTUV]{3}[A-Za-z](?![A-Za-z0-9])/g;
const DNI_NIE = /(?<![A-Za-z0-9.-])(?:[XYZxyz][ -]?\d{7}|\d{8}|\d{2}\.\d{3}\.\d{3})[ -]?[A-Za-z](?![A-Za-z0-9])/g;
const NIR = /(?<![\d])[12][ .]?\d{2}[ .]?\d{2}[ .]?(?:\d{2}|2[AB])[ .]?\d{3}[ .]?\d{3}[ .]?\d{2}(?!\d)/g;
const NINO = /(?<![A-Za-z0-9])(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![A-Za-z0-9])/g;

function nationalIds(text: string): PiiMatch[] {
  const out: PiiMatch[] = [];
  for (const m of limited(text, CODICE_FISCALE)) if (/\d/.test(m[0]) && codiceFiscaleValid(m[0])) out.push(at('national_id', m.index, m[0]));
  for (const m of limited(text, DNI_NIE)) if (dniNieValid(m[0].replace(/[ .-]/g, ''))) out.push(at('national_id', m.index, m[0]));
  for (const m of limited(text, NIR)) if (nirValid(m[0].replace(/[ .]/g, ''))) out.push(at('national_id', m.index, m[0]));
  for (const m of limited(text, NINO)) out.push(at('national_id', m.index, m[0]));
  for (const m of limited(text, NUSS)) {
    if (NUSS_CONTEXT.test(text.slice(Math.max(0, m.index - 48), m.index)) && nussValid(m[0].replace(/\D/g, ''))) out.push(at('national_id', m.index, m[0]));
  }
  if (ID_DOCUMENT_WORDS.test(text)) {
    for (const m of limited(text, ID_DOCUMENT)) if (/\d/.test(m[0]) && ID_DOCUMENT_CONTEXT.test(text.slice(Math.max(0, m.index - 48), m.index))) out.push(at('national_id', m.index, m[0]));
  }
  return out;
}

/** The Spanish social security number (NUSS/NAF): province, number and two check digits, mod 97; after its name. */
const NUSS = /(?<![\d/])\d{2}[ /-]?\d{7,8}[ /-]?\d{2}(?![\d/])/g;
const NUSS_CONTEXT = /(?:seguridad\s+social|nuss|\bnaf\b|afiliaci[óo]n)[^\n\d]{0,24}$/i;

function nussValid(digits: string): boolean {
  if (digits.length !== 12 && digits.length !== 11) return false;
  const body = digits.slice(0, -2);
  return Number(BigInt(body) % 97n) === Number(digits.slice(-2));
}

/**
 * Identity cards and passports (carta d'identità, Personalausweis, carte d'identité, pasaporte …):
 * their numbers have no common shape, so only right after the document's name, letters and digits
 * with at least one digit.
 */
const ID_DOCUMENT_WORDS = /passport|passaporto|reisepass|passeport|pasaporte|identit|ausweis|identity\s+card|id\s+card|\bcni\b/i;
const ID_DOCUMENT = /(?<![A-Za-z0-9])[A-Z0-9]{2}[ ]?[A-Z0-9]{4,10}(?![A-Za-z0-9])/g;
const ID_DOCUMENT_CONTEXT =
  /(?:passport|passaporto|reisepass|passeport|pasaporte|carta\s+d['’]identit[àa]|personalausweis|ausweis|carte\s+(?:nationale\s+)?d['’]identit[ée]|\bcni\b|documento\s+(?:nacional\s+)?de\s+identidad|identity\s+card|id\s+card)(?:\s+(?:no\.?|number|nummer|nr\.?|numero|n\.|n°|núm\.?|número))?[\s.:#°]*$/i;

// ---- tax and company ids

/** Words after which a bare number is a tax or company id (partita IVA, Steuer-ID, SIREN …), in the five languages. */
const TAX_CONTEXT =
  /(?:p\.?\s?iva|partita\s+iva|codice\s+fiscale|c\.?\s?f\.|vat|tax|steuer|ust|umsatzsteuer|mwst|uid|idnr|identifikationsnummer|tva|siren|siret|rcs|n°\s?tva|nif|cif|iva|fiscal|utr|company\s+(?:no|number|reg)|registration|handelsregister|immatriculation)[^\n\d]{0,24}$/i;

/** VAT numbers after the country prefix, as each country's tax office writes them (EU VIES formats, plus GB, CH, NO). */
const VAT_PATTERNS: Record<string, RegExp> = {
  AT: /^U\d{8}$/,
  BE: /^[01]\d{9}$/,
  BG: /^\d{9,10}$/,
  CY: /^\d{8}[A-Z]$/,
  CZ: /^\d{8,10}$/,
  DE: /^\d{9}$/,
  DK: /^\d{8}$/,
  EE: /^10\d{7}$/,
  EL: /^\d{9}$/,
  ES: /^[0-9A-Z]\d{7}[0-9A-Z]$/,
  FI: /^\d{8}$/,
  FR: /^[0-9A-Z]{2}\d{9}$/,
  GB: /^(?:\d{9}|\d{12})$/,
  HR: /^\d{11}$/,
  HU: /^\d{8}$/,
  IE: /^\d{7}[A-W][A-I]?$|^\d[A-Z+*]\d{5}[A-W]$/,
  IT: /^\d{11}$/,
  LT: /^(?:\d{9}|\d{12})$/,
  LU: /^\d{8}$/,
  LV: /^\d{11}$/,
  MT: /^\d{8}$/,
  NL: /^\d{9}B\d{2}$/,
  NO: /^\d{9}(?:MVA)?$/,
  PL: /^\d{10}$/,
  PT: /^\d{9}$/,
  RO: /^\d{2,10}$/,
  SE: /^\d{10}01$/,
  SI: /^\d{8}$/,
  SK: /^\d{10}$/,
  XI: /^(?:\d{9}|\d{12})$/,
  CH: /^E\d{9}$/,
};
/** Prefixes that are also ordinary words or codes, taken only where the text says VAT (or the number is long and grouped like one). */
const WEAK_PREFIX = new Set(['BG', 'CY', 'CZ', 'EE', 'EL', 'HR', 'HU', 'LT', 'LU', 'LV', 'MT', 'NO', 'PL', 'RO', 'SI', 'SK', 'XI', 'DK', 'FI', 'PT', 'SE']);
const VAT = /(?<![A-Za-z0-9])(AT|BE|BG|CY|CZ|DE|DK|EE|EL|ES|FI|FR|GB|HR|HU|IE|IT|LT|LU|LV|MT|NL|NO|PL|PT|RO|SE|SI|SK|XI|CHE)[ -]?((?:[0-9A-Z+*]{1,4}[ .-]?){1,5})(?![A-Za-z0-9])/g;
const VAT_WORDS = /(?:vat|tva|iva|ust|mwst|uid|btw|moms|alv|dph|áfa|pvm|pvn|dic|nip|cui|cvr|mva|tax|steuer|fiscal|nif|cif)[^\n]{0,30}$/i;
const BARE_TAX = /(?<![\dA-Za-z.,/-])\d(?:[ .]?\d){8,13}(?![\dA-Za-z]|[.,/-]\d)/g;

function taxIds(text: string): PiiMatch[] {
  const out: PiiMatch[] = [];
  for (const m of limited(text, VAT)) {
    const vat = vatNumber(text, m);
    if (vat) out.push(vat);
  }
  for (const m of limited(text, CIF_PATTERN)) if (cifValid(m[0].replace(/[ -]/g, ''))) out.push(at('tax_id', m.index, m[0]));
  for (const m of limited(text, STEUERNUMMER)) {
    const digits = m[0].replace(/\D/g, '').length;
    if (digits >= 10 && digits <= 13 && STEUERNUMMER_CONTEXT.test(text.slice(Math.max(0, m.index - 32), m.index))) out.push(at('tax_id', m.index, m[0]));
  }
  for (const m of limited(text, EIN))
    if (/(?:\bEIN|employer\s+identification(?:\s+number)?|\bTIN)[\s.:#]*$/i.test(text.slice(Math.max(0, m.index - 32), m.index))) out.push(at('tax_id', m.index, m[0]));
  for (const m of limited(text, BARE_TAX)) {
    const digits = m[0].replace(/\D/g, '');
    if (!TAX_CONTEXT.test(text.slice(Math.max(0, m.index - 48), m.index))) continue;
    const named = NAMED_LENGTHS.find(([name]) => name.test(text.slice(Math.max(0, m.index - 32), m.index)));
    const ok =
      named?.[1].includes(digits.length) === true ||
      (digits.length === 11 && (luhnValid(digits) || steuerIdValid(digits))) ||
      ((digits.length === 9 || digits.length === 14) && luhnValid(digits)) ||
      (digits.length === 10 && digits.startsWith('0')) ||
      (digits.length === 13 && /^\d{13}$/.test(digits));
    if (!ok) continue;
    // The Steuer-ID is a person's number for life, given at birth: Germany's national id for Mailroom's purposes.
    const personal = digits.length === 11 && steuerIdValid(digits) && STEUER_ID_CONTEXT.test(text.slice(Math.max(0, m.index - 48), m.index));
    out.push(at(personal ? 'national_id' : 'tax_id', m.index, m[0]));
  }
  return out;
}

/**
 * A VAT number: the country prefix and the longest run of the groups after it that is the
 * country's pattern ("CHE-123.456.789 MWST" ends before MWST). A country prefix and the exact
 * pattern are distinctive on their own for the big five and their neighbours; for prefixes that are
 * also words or codes the text must say VAT; the check digits decide only where the number could
 * be something else (a Spanish letter-number code).
 */
function vatNumber(text: string, m: RegExpExecArray): PiiMatch | null {
  const country = m[1] === 'CHE' ? 'CH' : m[1]!;
  const pattern = VAT_PATTERNS[country];
  if (!pattern) return null;
  if (WEAK_PREFIX.has(country) && !VAT_WORDS.test(text.slice(Math.max(0, m.index - 40), m.index))) return null;
  const groups = m[2]!.split(/(?<=[0-9A-Z+*])(?=[ .-])/);
  for (let k = groups.length; k >= 1; k--) {
    const raw = groups.slice(0, k).join('');
    const number = `${m[1] === 'CHE' ? 'E' : ''}${raw.replace(/[ .-]/g, '')}`;
    if (!pattern.test(number) || (country === 'ES' && !vatChecks(country, number))) continue;
    return at('tax_id', m.index, text.slice(m.index, m.index + m[0].length - (m[2]!.length - raw.length)));
  }
  return null;
}

/** An id named right before it has that id's length: then the number is that id, check digit or not. */
const NAMED_LENGTHS: Array<[RegExp, number[]]> = [
  [/(?:p\.?\s?iva|partita\s+iva)(?:\s+n\.?)?[\s.:#n°]*$/i, [11]],
  [/(?:c\.?\s?f\.?|codice\s+fiscale)(?:\s+(?:e|\/)\s+p\.?\s?iva)?[\s.:#n°]*$/i, [11]],
  [/siren[\s.:#n°]*$/i, [9]],
  [/siret[\s.:#n°]*$/i, [14]],
  [/rcs[\s\p{L}-]{0,24}?(?:\s[AB])?[\s.:#n°]*$/iu, [9]],
  [/(?:steuer-?id|identifikationsnummer|idnr)[\s.:#]*$/i, [11]],
  [/(?:vat|tva|iva)\s*(?:reg(?:istration)?\.?)?\s*(?:no\.?|number|n°|nr\.?)?[\s.:#]*$/i, [9, 12]],
  [/(?:utr|unique\s+tax(?:payer)?\s+reference|self[\s-]assessment\s+(?:utr|reference))(?:\s+(?:no\.?|number))?[\s.:#]*$/i, [10]],
  [/num[ée]ro\s+fiscal(?:\s+de\s+r[ée]f[ée]rence)?[\s.:#]*$/i, [13]],
];
const STEUER_ID_CONTEXT = /(?:steuer-?id|steuerliche|identifikationsnummer|idnr|tax\s+id)[^\n\d]{0,24}$/i;
/** The German Steuernummer as the tax offices print it (10 to 13 digits: 21/815/08150, 9181/815/08155, 2181508150, 5133081508159), named right before it. */
const STEUERNUMMER = /(?<![\d/])\d{2,5}(?:[/ ]\d{3,5}){1,2}(?![\d/])|(?<![\d/])\d{10,13}(?![\d/])/g;
const STEUERNUMMER_CONTEXT = /(?:steuernummer|steuer-?nr|st\.?\s?-?\s?nr|stnr)\.?[\s.:#]*$/i;
/** The US EIN (12-3456789), after its name. */
const EIN = /(?<![\d-])\d{2}-\d{7}(?![\d-])/g;
const CIF_PATTERN = /(?<![A-Za-z0-9])[ABCDEFGHJNPQRSUVW][ -]?\d{7}[0-9A-J](?![A-Za-z0-9])|(?<![A-Za-z0-9])[ABCDEFGHJNPQRSUVW]-\d{7}-[0-9A-J](?![A-Za-z0-9])/g;

function vatChecks(country: string, number: string): boolean {
  if (country === 'DE') return mod11_10Valid(number);
  if (country === 'IT') return luhnValid(number);
  if (country === 'FR') return frenchVatValid(number.slice(0, 2), number.slice(2)) && luhnValid(number.slice(2));
  if (country === 'ES') return cifValid(number) || dniNieValid(number);
  return true;
}

// ---- dates of birth (a date only counts after words that say it is one)

const MONTHS =
  'jan(?:uary|uar|vier)?|feb(?:ruary|ruar)?|f[ée]v(?:rier)?|m[äa]r(?:ch|z|s)?|apr(?:il|ile)?|avr(?:il)?|may|mai|juin|jun[ei]?|giugno|jul[iy]?|juil(?:let)?|aug(?:ust)?|ao[uû]t|sep(?:tember|tembre)?|set(?:tembre)?|oct(?:ober|obre)?|okt(?:ober)?|ott(?:obre)?|nov(?:ember|embre|iembre)?|dec(?:ember)?|d[ée]c(?:embre)?|dez(?:ember)?|dic(?:embre|iembre)?|gennaio|febbraio|marzo|aprile|maggio|luglio|agosto|enero|febrero|abril|mayo|junio|julio|septiembre|octubre';
const DATE = new RegExp(
  `(?<!\\d)(?:\\d{1,2}[./-]\\d{1,2}[./-](?:19|20)?\\d{2}|(?:19|20)\\d{2}-\\d{2}-\\d{2}|\\d{1,2}\\.?\\s(?:de\\s)?(?:${MONTHS})\\.?\\s(?:de\\s)?(?:19|20)\\d{2}|(?:${MONTHS})\\.?\\s\\d{1,2},?\\s(?:19|20)\\d{2})(?!\\d)`,
  'giu',
);
const DOB_CONTEXT =
  /(?:geboren|geb\.|geburtsdatum|geburtstag|born|birth|d\.?o\.?b\b|birthday|\bnat[oa]\b|data\s+di\s+nascita|\bn[ée]e?\s+(?:le|à)\b|naissance|nacid[oa]|(?<!\p{L})nac[íi](?!\p{L})|fecha\s+de\s+nacimiento|nacimiento)[^\n]{0,40}$/iu;
/** "Ich bin am 3. Mai 1980 geboren": the word comes after the date. */
const DOB_AFTER = /^[^\n]{0,12}?\b(?:geboren|born)\b/i;
/** A date of birth lies in the past: this year and the last few are more likely due dates. */
const LATEST_BIRTH_YEAR = 2022;

/** Any of the words that make a date a date of birth: without one the dates are not looked at. */
const DOB_WORDS = /geb|born|birth|d\.?o\.?b|nat[oa]|nascita|n[ée]e?\s|naissance|naci|nací/i;

function datesOfBirth(text: string): PiiMatch[] {
  if (!DOB_WORDS.test(text)) return [];
  const out: PiiMatch[] = [];
  for (const m of limited(text, DATE)) {
    const year = Number(/(\d{2,4})\D*$/.exec(m[0])?.[1] ?? '0');
    if ((year < 100 ? (year > 30 ? 1900 : 2000) + year : year) > LATEST_BIRTH_YEAR) continue;
    const before = text.slice(Math.max(0, m.index - 60), m.index);
    const after = text.slice(m.index + m[0].length, m.index + m[0].length + 16);
    if (DOB_CONTEXT.test(before) || DOB_AFTER.test(after)) out.push(at('dob', m.index, m[0]));
  }
  return out;
}

// ---- phone numbers

/** ASCII classes keep the search quick on mail full of digits; a letter of another script beside the number is checked per candidate. */
const PHONE = /(?<![A-Za-z0-9#/.,:-])(?:\+|00)?\(?\d[\d ()./-]{5,18}\d(?![0-9]|[.,:/-]\d|[A-Za-z])/g;
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
const PHONE_CONTEXT =
  /(?:tel|phone|fon|fax|mobil|handy|cell|cellulare|portable|m[óo]vil|whatsapp|call|chiam|anruf|ruf|appel|llam|numero|number|nummer|n[úu]mero|num[ée]ro|contact|reach|erreichbar|raggiungibile|joignable|localizable|sms)[^\n\d]{0,24}$/iu;
const NOT_PHONE_CONTEXT =
  /(?<![\p{L}])(?:(?:company|registration|boleto|lotter|sorteo|order|invoice|ticket|tracking|ordine|fattur|pratica|bestell|rechnung|auftrag|kunden|vorgang|command|factur|dossier|pedido|expediente|account|konto|conto|cuenta|compte|serial|serie|licen[cs]|lizenz|version|build)[\p{L}-]*|iban|bic|swift|plz|zip|cap|ref|case|id|nr|no|n°|#)\.?(?:\s*(?:nr|no|n°|number|nummer|numero|número|num)\.?)?[\s.:#]*$/iu;
const COUNTRIES = ['IT', 'DE', 'FR', 'ES', 'GB', 'AT', 'CH', 'BE', 'NL', 'US'] as const;

function phones(text: string): PiiMatch[] {
  const out: PiiMatch[] = [];
  for (const m of limited(text, PHONE)) {
    // The pattern ends in a digit: the value is the match.
    const value = m[0];
    if (!phoneShaped(value)) continue;
    if (m.index > 0 && text.charCodeAt(m.index - 1) > 127 && LETTER_OR_DIGIT.test(text[m.index - 1]!)) continue;
    const after = text[m.index + value.length];
    if (after !== undefined && after.charCodeAt(0) > 127 && LETTER_OR_DIGIT.test(after)) continue;
    // The shape of the number first, the words before it only when the shape does not decide: the
    // cheap tests rule out most digit runs of a pasted log before a context pattern runs.
    const international = value.startsWith('+') || value.startsWith('00');
    const northAmerican = NANP_SHAPE.test(value);
    const before = wordsBefore(text, m.index);
    if (!international && !northAmerican && !nationalShape(value) && !PHONE_CONTEXT.test(before)) continue;
    if (!international && NOT_PHONE_CONTEXT.test(before.slice(-24))) continue;
    if (validPhone(value) || (northAmerican && possiblePhone(value, 'US'))) out.push(at('phone', m.index, value));
  }
  return out;
}

/**
 * The up to 40 characters before a number, from the last digit on: the context patterns hold no
 * digit, so nothing before one can make them match, and a shorter text is quicker to search.
 */
function wordsBefore(text: string, index: number): string {
  let start = index;
  while (start > 0 && index - start < 40) {
    const c = text.charCodeAt(start - 1);
    if (c >= 48 && c <= 57) break;
    start--;
  }
  return text.slice(start, index);
}

/** Not a date, a time, a version, an amount or an IP address. */
function phoneShaped(value: string): boolean {
  const digits = value.replace(/\D/g, '');
  if (digits.length < 7 || digits.length > 15) return false;
  if (/^\d{1,4}[./-]\d{1,2}[./-]\d{1,4}$/.test(value)) return false;
  if (/^\d{1,2}\.\d{1,3}\.\d{1,3}(?:\.\d{1,5})?$/.test(value)) return false;
  if (/^(?:19|20)\d{2}\b/.test(value) && !/^(?:\+|00|0)/.test(value)) return false;
  return true;
}

/** How people write national numbers: a trunk 0 (IT, DE, FR, GB, AT, CH …), or Italian mobiles (3xx) and Spanish numbers (6/7/8/9) in groups. */
function nationalShape(value: string): boolean {
  if (/^\(?0[1-9]/.test(value) && /[\s/-]|\d\.\d+\.\d+\.\d/.test(value)) return true;
  if (/^3\d{2}[\s.]\d{3,4}[\s.]?\d{3,4}$/.test(value)) return true;
  if (/^[6789]\d{2}[\s.]\d{2,3}[\s.]\d{2,3}(?:[\s.]\d{2,3})?$/.test(value)) return true;
  return false;
}

/** (617) 555-0139, 206-555-0164: how North American numbers are written, fictional 555 ones included. */
const NANP_SHAPE = /^(?:\+?1[ .-]?)?(?:\(\d{3}\)\s?|\d{3}[.-])\d{3}[.-]\d{4}$/;

function possiblePhone(value: string, country: 'US'): boolean {
  return parsePhoneNumberFromString(value, country)?.isPossible() === true;
}

function validPhone(value: string): boolean {
  const compact = value.replace(/^00/, '+');
  if (compact.startsWith('+')) return parsePhoneNumberFromString(compact)?.isValid() === true;
  return COUNTRIES.some((country) => parsePhoneNumberFromString(compact, country)?.isValid() === true);
}

// ---- postal addresses (street and number, with postcode and town when they follow)

const WORD = "\\p{Lu}[\\p{L}'’.-]*";
const CONN = '(?:de|di|da|del|della|dello|dei|degli|delle|des|du|la|le|les|y|am|an|im|zum|zur|der|of|the|el|los|las)';
const NAME = `(?:${CONN}[ ]|dell'|d'|l')*${WORD}(?:[ ](?:${CONN}[ ]|dell'|d'|l')*${WORD}|[ ]\\d{1,2}(?=[ ]\\p{Lu}))*?`;
const NUMBER = '(?:(?:n\\.|n[°º]|nr\\.?|Nr\\.?|no\\.|núm\\.|número)[ ]?)?(?:\\d{1,5}(?:[ ]?[a-zA-Z](?![\\p{L}]))?(?:[/-]\\d{1,4})?|s/n)';
/** German house numbers: up to three digits and a letter ("Im Jahr 2026" is no address). */
const DE_NUMBER = '(?:(?:Nr\\.?)[ ]?)?\\d{1,3}(?:[ ]?[a-zA-Z](?![\\p{L}]))?(?:[/-]\\d{1,3}[a-z]?)?';
const TOWN = `(?:,?[ ](?:\\d{4,5}|[A-Z]{1,2}\\d[A-Z\\d]?[ ]\\d[A-Z]{2})[ ]${WORD}(?:[ -]${WORD}){0,3}(?:[ ]\\([A-Z]{2}\\))?)?`;
const IT_STREET = `(?:Via|via|Viale|viale|piazza|corso|V\\.le|Piazza|P\\.za|P\\.zza|Piazzetta|Piazzale|Corso|C\\.so|Largo|Vicolo|Vico|Strada|Contrada|Lungomare|Borgo|Località|Loc\\.)[ ]${NAME},?[ ]${NUMBER}`;
const ES_STREET = `(?:Calle|calle|C/|c/|Avenida|avenida|Avda\\.?|Av\\.|Paseo|paseo|Plaza|plaza|Pza\\.|Carrer|Camino|Ronda|Travesía|Gran Vía|Rambla|Passeig|Glorieta)[ ]?${NAME},?[ ]${NUMBER}(?:,[ ](?:\\d{1,2}\\.?[ºª°]?[ ]?[\\p{L}]{0,5}\\.?|planta[ ]\\d{1,2}|piso[ ]\\d{1,2}|[Pp]uerta[ ]\\w{1,3}|bajo|izda\\.?|dcha\\.?)(?:[ ](?:izda\\.?|dcha\\.?|[A-Z]))?)*`;
const FR_STREET = `\\d{1,4}(?:[ ]?(?:bis|ter))?,?[ ](?:[Rr]ue|[Aa]venue|av\\.|[Bb]oulevard|bd|[Pp]lace|[Cc]hemin|[Ii]mpasse|[Aa]llée|[Qq]uai|[Cc]ours|[Rr]oute|[Ss]quare|[Pp]assage|[Ff]aubourg|rond-point)[ ]${NAME}`;
const FR_STREET_AFTER = `(?:Rue|Avenue|Boulevard|Place|Chemin|Route)[ ]${NAME}[ ]${NUMBER}`;
const DE_SUFFIX = '(?:straße|strasse|str\\.?|weg|allee|platz|gasse|ring|damm|ufer|chaussee|pfad|steig|park|markt|hof|graben|kai|berg|stieg|twiete)';
const DE_WORD = '(?:Straße|Strasse|Str\\.|Weg|Allee|Platz|Gasse|Ring|Damm|Ufer|Chaussee|Pfad|Steig|Markt|Graben|Kai|Wall|Tor)';
/** "Im Jahr 2026", "Am Ende 3": words after Am/Im/An der that make a phrase, not a street. */
const DE_NOT_STREET =
  '(?!(?:Jahre?|Monat|Moment|Rahmen|Auftrag|Namen|Wert|Betrag|Zeitraum|Vergleich|Kapitel|Abschnitt|Absatz|Artikel|Paragraph|Punkt|Schritt|Test|Laufe|Durchschnitt|Ende|Anfang|Tag|Wochenende|Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Samstag|Sonntag|Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember|Anhang|Schnitt|Prinzip|Grunde|Übrigen|Allgemeinen|Detail|Einzelnen|Vorfeld|Voraus|Zuge|Fall|Zusammenhang|Bereich|Team|System|Version|Browser|Konto|Vertrag|Paket|Tarif)(?![\\p{L}]))';
const DE_STREET = `[\\p{Lu}][\\p{L}]*(?:-[\\p{Lu}][\\p{L}]*)*(?:${DE_SUFFIX}|-${DE_WORD})[ ]${DE_NUMBER}|(?:${WORD}[ ])${DE_WORD}[ ]${DE_NUMBER}|(?:Am|An der|An den|Im|In der|In den|Auf dem|Auf der|Unter den|Unter der|Hinter der|Hinter dem|Vor dem|Bei der|Zum|Zur|Alte|Alter|Neue|Neuer|Große|Großer|Kleine|Kleiner|Lange|Obere|Untere|Hohe)[ ]${DE_NOT_STREET}${NAME}[ ]${DE_NUMBER}`;
const EN_TYPE =
  '(?:Street|St\\.?|Road|Rd\\.?|Avenue|Ave\\.?|Lane|Ln\\.?|Drive|Dr\\.?|Boulevard|Blvd\\.?|Way|Court|Ct\\.?|Place|Pl\\.?|Terrace|Row|Wharf|Close|Crescent|Square|Sq\\.?|Parkway|Hill|Gardens|Mews|Quay|Yard|Walk|Green|Grove|Park)(?![\\p{L}])';
/** Street names in English may hold ordinals: West 42nd Street. */
const EN_NAME = `(?:${WORD}|\\d{1,3}(?:st|nd|rd|th))(?:[ ](?:${WORD}|\\d{1,3}(?:st|nd|rd|th))){0,3}?`;
/** "Unit 4, Canal Wharf, Leeds": a unit or flat, then a street that may have no number of its own. */
const EN_UNIT_STREET = `(?:Unit|Flat|Suite|Apartment|Apt\\.?)[ ][\\dA-Z]{1,5},[ ](?:${NUMBER}[ ])?${NAME}[ ]${EN_TYPE}(?:,[ ]${WORD}(?:[ ]${WORD}){0,2})?`;
const EN_STREET = `${NUMBER}[ ]${EN_NAME}[ ]${EN_TYPE}(?:,[ ](?:Suite|Unit|Apt\\.?|Floor|Flat)[ ]\\w{1,5})?(?:,[ ]${WORD}(?:[ ]${WORD}){0,2}(?:,[ ][A-Z]{2}[ ]\\d{5}(?:-\\d{4})?|[ ][A-Z]{1,2}\\d[A-Z\\d]?[ ]\\d[A-Z]{2}|,[ ](?:Dublin[ ]\\d{1,2},[ ])?[A-Z]\\d{2}[ ][A-Z0-9]{4})?)?`;
const ADDRESS = new RegExp(`(?<![\\p{L}\\p{N}])(?:${IT_STREET}|${ES_STREET}|${FR_STREET}|${FR_STREET_AFTER}|${DE_STREET}|${EN_UNIT_STREET}|${EN_STREET})${TOWN}`, 'gu');

/** A street word of one of the five languages; a text without one holds no address Mailroom recognises. */
const STREET_WORDS =
  /via|viale|v\.le|piazz|p\.za|corso|c\.so|largo|vic|strada|contrada|lungomare|borgo|loc|calle|c\/|avenida|avda|av\.|paseo|plaza|pza|carrer|camino|ronda|traves|gran|rambla|passeig|glorieta|rue|avenue|boulevard|blvd|bd|ave|place|chemin|impasse|allée|quai|cours|route|square|passage|faubourg|rond|str|weg|allee|platz|gasse|ring|damm|ufer|chaussee|pfad|steig|park|markt|hof|graben|kai|berg|am |an der|im |in der|auf dem|zum|zur|alte|neue|unter|hinter|vor dem|bei der|gro|klein|lange|obere|untere|hohe|stieg|twiete|wall|tor|unit|flat|street|st\.?\b|road|rd|lane|ln|drive|dr|way|court|ct|pl|terrace|row|wharf|close|crescent|sq|hill|gardens|mews|quay/i;

function addresses(text: string): PiiMatch[] {
  if (!STREET_WORDS.test(text)) return [];
  return [...limited(text, ADDRESS)].map((m) => at('address', m.index, m[0].replace(/[\s,.]+$/, '')));
}

/** The searches other than the names', in the order of PRIORITY. */
const SEARCHES = [emails, ibans, cards, nationalIds, taxIds, datesOfBirth, phones, addresses];
