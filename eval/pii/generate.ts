/**
 * Writes eval/pii/dev and eval/pii/test: support mail in five languages full of personal data
 * (and of numbers that are not personal data), each labeled with every value it holds. Seeded, so
 * running it again writes the same files:  node --import tsx eval/pii/generate.ts
 *
 * The values are made the way people write them: phone numbers in national and international
 * formats of real ranges (kept only when libphonenumber calls them valid, as a real number is), card
 * numbers and ids with their check digits, IBANs of the country's length. The set is for the
 * detectors (recall and precision per kind) and for the agreement of classifications with and
 * without redaction; its actions are labeled loosely (most mail here is an ordinary request).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { composeIBAN, friendlyFormatIBAN, getCountrySpecifications, isValidIBAN } from 'ibantools';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

type Kind = 'email' | 'phone' | 'iban' | 'card' | 'national_id' | 'tax_id' | 'dob' | 'address' | 'name';
type Lang = 'de' | 'en' | 'es' | 'fr' | 'it';
interface Value {
  kind: Kind;
  value: string;
}

let seed = 1;
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const digits = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 10)).join('');
const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));

/**
 * People's names (greetings, introductions, the sender's display name, company lines beside them)
 * draw from a stream of their own, so adding them left every other value of both splits as it was.
 */
let nameSeed = 1;
const nameRandom = () => {
  nameSeed = (nameSeed * 1103515245 + 12345) % 2147483648;
  return nameSeed / 2147483648;
};
const namePick = <T>(items: readonly T[]): T => items[Math.floor(nameRandom() * items.length)]!;

// ---- values

function luhnCheck(body: string): number {
  let sum = 0;
  let double = true;
  for (let i = body.length - 1; i >= 0; i--) {
    let d = Number(body[i]);
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return (10 - (sum % 10)) % 10;
}

function card(): string {
  const type = pick(['visa', 'mc', 'mc2', 'amex']);
  const prefix = type === 'visa' ? '4' : type === 'mc' ? `5${int(1, 5)}` : type === 'mc2' ? `2${int(221, 720)}` : pick(['34', '37']);
  const length = type === 'amex' ? 15 : 16;
  const body = prefix + digits(length - 1 - prefix.length);
  const number = body + luhnCheck(body);
  if (type === 'amex') return pick([`${number.slice(0, 4)} ${number.slice(4, 10)} ${number.slice(10)}`, number]);
  const groups = number.match(/.{4}/g)!;
  return pick([groups.join(' '), groups.join(' '), groups.join('-'), number]);
}

const SPECS = getCountrySpecifications();
/** A valid IBAN of the country (some countries' BBANs carry national check digits too: drawn until one is valid, as a real account's is). */
function iban(country: string): string {
  for (;;) {
    const value = ibanCandidate(country);
    if (isValidIBAN(value.replace(/ /g, ''))) return value;
  }
}

function ibanCandidate(country: string): string {
  const spec = SPECS[country]!;
  const bban = (spec.bban_regexp ?? '')
    .replace(/^\^|\$$/g, '')
    .replace(/\[0-9\]\{(\d+)\}|\[A-Z\]\{(\d+)\}|\[A-Z0-9\]\{(\d+)\}/g, (_m, n: string, a: string, x: string) =>
      n ? digits(Number(n)) : a ? Array.from({ length: Number(a) }, () => pick([...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'])).join('') : digits(Number(x)),
    );
  const composed = composeIBAN({ countryCode: country, bban })!;
  return pick([friendlyFormatIBAN(composed)!, friendlyFormatIBAN(composed)!, composed]);
}

function validPhone(make: () => string, country: string): string {
  for (;;) {
    const value = make();
    const parsed = parsePhoneNumberFromString(value.replace(/^00/, '+'), country as 'IT');
    if (parsed?.isValid()) return value;
  }
}

const PHONES: Record<Lang, Array<() => string>> = {
  it: [
    () => validPhone(() => `3${int(20, 93)} ${digits(3)} ${digits(4)}`, 'IT'),
    () => validPhone(() => `+39 3${int(20, 93)} ${digits(7)}`, 'IT'),
    () => validPhone(() => `06 ${digits(4)} ${digits(4)}`, 'IT'),
    () => validPhone(() => `+39 02 ${digits(4)} ${digits(4)}`, 'IT'),
    () => validPhone(() => `0039 3${int(20, 93)} ${digits(3)} ${digits(4)}`, 'IT'),
    () => validPhone(() => `3${int(20, 93)}.${digits(3)}.${digits(4)}`, 'IT'),
  ],
  de: [
    () => validPhone(() => `01${pick(['51', '60', '70', '71', '76', '57'])} ${digits(4)} ${digits(4)}`, 'DE'),
    () => validPhone(() => `+49 1${pick(['51', '60', '70', '76'])} ${digits(8)}`, 'DE'),
    () => validPhone(() => `030 ${digits(8)}`, 'DE'),
    () => validPhone(() => `089/${digits(7)}`, 'DE'),
    () => validPhone(() => `+49 40 ${digits(3)} ${digits(4)}`, 'DE'),
    () => validPhone(() => `0221 ${digits(3)} ${digits(2)} ${digits(2)}`, 'DE'),
  ],
  fr: [
    () => validPhone(() => `0${pick(['6', '7'])} ${digits(2)} ${digits(2)} ${digits(2)} ${digits(2)}`, 'FR'),
    () => validPhone(() => `+33 ${pick(['6', '7'])} ${digits(2)} ${digits(2)} ${digits(2)} ${digits(2)}`, 'FR'),
    () => validPhone(() => `01.${digits(2)}.${digits(2)}.${digits(2)}.${digits(2)}`, 'FR'),
    () => validPhone(() => `04 ${digits(2)} ${digits(2)} ${digits(2)} ${digits(2)}`, 'FR'),
    () => validPhone(() => `+33 1 ${digits(2)} ${digits(2)} ${digits(2)} ${digits(2)}`, 'FR'),
  ],
  es: [
    () => validPhone(() => `6${digits(2)} ${digits(3)} ${digits(3)}`, 'ES'),
    () => validPhone(() => `+34 6${digits(2)} ${digits(2)} ${digits(2)} ${digits(2)}`, 'ES'),
    () => validPhone(() => `91 ${digits(3)} ${digits(2)} ${digits(2)}`, 'ES'),
    () => validPhone(() => `+34 93 ${digits(3)} ${digits(2)} ${digits(2)}`, 'ES'),
    () => validPhone(() => `7${digits(2)} ${digits(3)} ${digits(3)}`, 'ES'),
  ],
  en: [
    () => validPhone(() => `020 7946 0${digits(3)}`, 'GB'),
    () => validPhone(() => `+44 7${pick(['700', '911', '400', '500'])} ${digits(6)}`, 'GB'),
    () => validPhone(() => `07${pick(['700', '911', '400'])} ${digits(6)}`, 'GB'),
    () => `(${pick(['617', '212', '415', '312'])}) 555-01${digits(2)}`,
    () => validPhone(() => `+1 ${pick(['415', '646', '312'])} ${int(200, 989)} ${digits(4)}`, 'US'),
    () => `${pick(['206', '503', '720'])}-555-01${digits(2)}`,
  ],
};

const FIRST = ['anna', 'luca', 'marie', 'jonas', 'carmen', 'tom', 'giulia', 'pierre', 'lena', 'diego', 'sophie', 'paul'];
const LAST = ['rossi', 'weber', 'martin', 'garcia', 'smith', 'bianchi', 'fischer', 'dubois', 'lopez', 'taylor', 'ricci', 'moreau'];
const DOMAINS: Record<Lang, string[]> = {
  it: ['gmail.com', 'libero.it', 'studio-bianchi.it', 'azienda.it'],
  de: ['gmx.de', 'web.de', 'mueller-bau.de', 't-online.de'],
  fr: ['orange.fr', 'free.fr', 'cabinet-martin.fr', 'laposte.net'],
  es: ['gmail.com', 'telefonica.net', 'garcia-asesores.es', 'hotmail.es'],
  en: ['gmail.com', 'outlook.com', 'northwind.co.uk', 'acme-corp.com'],
};
function email(lang: Lang): string {
  const f = pick(FIRST);
  const l = pick(LAST);
  const local = pick([`${f}.${l}`, `${f[0]}.${l}`, `${f}_${l}${int(1, 99)}`, `${f}${l}`, `${f}.${l}+support`, `${l}.${f}`]);
  const address = `${local}@${pick(DOMAINS[lang])}`;
  return random() < 0.15 ? address.replace(/^./, (c) => c.toUpperCase()) : address;
}

const ODD_CF = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];
function codiceFiscale(): string {
  const letters = () => Array.from({ length: 3 }, () => pick([...'BCDFGLMNPRSTVZ'])).join('');
  const body = `${letters()}${letters()}${int(40, 99)}${pick([...'ABCDEHLMPRST'])}${String(int(1, 71)).padStart(2, '0')}${pick([...'ABCDEFGHLM'])}${digits(3)}`;
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    const c = body.charCodeAt(i);
    const v = c <= 57 ? c - 48 : c - 65;
    sum += i % 2 === 0 ? ODD_CF[v]! : v;
  }
  return body + String.fromCharCode(65 + (sum % 26));
}
const DNI_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';
function dni(): string {
  const n = int(10_000_000, 79_999_999);
  return `${n}${DNI_LETTERS[n % 23]}`;
}
function nie(): string {
  const lead = int(0, 2);
  const n = digits(7);
  return `${'XYZ'[lead]}${n}${DNI_LETTERS[Number(`${lead}${n}`) % 23]}`;
}
function cif(): string {
  const body = digits(7);
  let sum = 0;
  for (let i = 0; i < 7; i++) {
    let d = Number(body[i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  const control = (10 - (sum % 10)) % 10;
  const letter = pick([...'ABG']);
  return `${letter}${body}${control}`;
}
function nir(): string {
  const body = `${int(1, 2)}${digits(2)}${String(int(1, 12)).padStart(2, '0')}${String(int(1, 95)).padStart(2, '0')}${digits(3)}${digits(3)}`;
  const key = String(97 - Number(BigInt(body) % 97n)).padStart(2, '0');
  return pick([`${body}${key}`, `${body[0]} ${body.slice(1, 3)} ${body.slice(3, 5)} ${body.slice(5, 7)} ${body.slice(7, 10)} ${body.slice(10)} ${key}`]);
}
function nino(): string {
  const first = pick([...'ABCEGHJKLMNPRSTWXYZ']);
  const second = pick([...'ABCEGHJKLMNPRSTWXYZ']);
  if (['BG', 'GB', 'NK', 'KN', 'TN', 'NT', 'ZZ'].includes(first + second)) return nino();
  const n = digits(6);
  const suffix = pick([...'ABCD']);
  return pick([`${first}${second}${n}${suffix}`, `${first}${second} ${n.slice(0, 2)} ${n.slice(2, 4)} ${n.slice(4)} ${suffix}`]);
}
function mod11_10(body: string): number {
  let product = 10;
  for (const c of body) {
    let sum = (Number(c) + product) % 10;
    if (sum === 0) sum = 10;
    product = (2 * sum) % 11;
  }
  const check = 11 - product;
  return check === 10 ? 0 : check;
}
function steuerId(): string {
  for (;;) {
    const pool = [...'0123456789'].sort(() => random() - 0.5);
    const ten = [...pool.slice(0, 9), pool[int(0, 8)]!].sort(() => random() - 0.5).join('');
    if (ten[0] === '0') continue;
    const id = ten + mod11_10(ten);
    return pick([id, `${id.slice(0, 2)} ${id.slice(2, 5)} ${id.slice(5, 8)} ${id.slice(8)}`]);
  }
}
const ustId = () => {
  const body = `${int(1, 9)}${digits(7)}`;
  return `DE${body}${mod11_10(body)}`;
};
const partitaIva = () => {
  const body = digits(10);
  return body + luhnCheck(body);
};
const siren = () => {
  const body = `${int(1, 9)}${digits(7)}`;
  return body + luhnCheck(body);
};
function siret(): string {
  const s = siren();
  const body = `${s}${digits(4)}`;
  const full = body + luhnCheck(body);
  return pick([full, `${full.slice(0, 3)} ${full.slice(3, 6)} ${full.slice(6, 9)} ${full.slice(9)}`]);
}
const frVat = () => {
  const s = siren();
  return `FR${String((12 + 3 * (Number(s) % 97)) % 97).padStart(2, '0')}${s}`;
};
const ukVat = () => pick([`GB${digits(9)}`, `GB ${digits(3)} ${digits(4)} ${digits(2)}`]);

const MONTH_NAMES: Record<Lang, string[]> = {
  it: ['gennaio', 'marzo', 'maggio', 'luglio', 'settembre', 'novembre'],
  de: ['Januar', 'März', 'Mai', 'Juli', 'September', 'November'],
  fr: ['janvier', 'mars', 'mai', 'juillet', 'septembre', 'novembre'],
  es: ['enero', 'marzo', 'mayo', 'julio', 'septiembre', 'noviembre'],
  en: ['January', 'March', 'May', 'July', 'September', 'November'],
};
function dob(lang: Lang): string {
  const d = int(1, 28);
  const m = int(1, 12);
  const y = int(1945, 2005);
  const dd = String(d).padStart(2, '0');
  const mm = String(m).padStart(2, '0');
  const name = pick(MONTH_NAMES[lang]);
  const formats: Record<Lang, string[]> = {
    it: [`${dd}/${mm}/${y}`, `${d} ${name} ${y}`],
    de: [`${dd}.${mm}.${y}`, `${d}. ${name} ${y}`],
    fr: [`${dd}/${mm}/${y}`, `${d} ${name} ${y}`],
    es: [`${dd}/${mm}/${y}`, `${d} de ${name} de ${y}`],
    en: [`${dd}/${mm}/${y}`, `${name} ${d}, ${y}`, `${d} ${name} ${y}`, `${y}-${mm}-${dd}`],
  };
  return pick(formats[lang]);
}

const STREETS: Record<Lang, Array<() => string>> = {
  it: [
    () => `Via ${pick(['Roma', 'Garibaldi', 'Mazzini', 'della Repubblica', "dell'Indipendenza", 'San Francesco'])} ${int(1, 180)}, ${int(10, 98)}1${int(10, 99)} ${pick(['Milano', 'Torino', 'Bologna', 'Firenze', 'Bari'])}`,
    () => `Piazza ${pick(['Duomo', 'Cavour', 'della Libertà'])} ${int(1, 30)}, ${int(10, 98)}1${int(10, 99)} ${pick(['Verona', 'Padova', 'Lecce'])}`,
    () => `Corso ${pick(['Vittorio Emanuele', 'Magenta', 'Italia'])} ${int(1, 200)}`,
  ],
  de: [
    () => `${pick(['Haupt', 'Bahnhof', 'Linden', 'Goethe', 'Schiller'])}straße ${int(1, 120)}, ${int(10, 99)}${digits(3)} ${pick(['Berlin', 'Köln', 'Leipzig', 'Hamburg'])}`,
    () => `${pick(['Birken', 'Tannen', 'Mühlen'])}weg ${int(1, 60)}${pick(['', 'a', 'b'])}, ${int(10, 99)}${digits(3)} ${pick(['Kassel', 'Bonn', 'Ulm'])}`,
    () => `Am ${pick(['Markt', 'Rathaus', 'Hafen'])} ${int(1, 40)}, ${int(10, 99)}${digits(3)} ${pick(['Lübeck', 'Rostock', 'Trier'])}`,
  ],
  fr: [
    () => `${int(1, 150)} rue ${pick(['de la Paix', 'Victor Hugo', 'des Lilas', 'Pasteur', 'du Moulin'])}, ${pick(['75', '69', '13', '33', '44'])}0${int(10, 99)} ${pick(['Paris', 'Lyon', 'Marseille', 'Bordeaux', 'Nantes'])}`,
    () => `${int(1, 90)} avenue ${pick(['Jean Jaurès', 'de la République', 'Foch'])}, ${pick(['31', '59', '67'])}0${int(10, 99)} ${pick(['Toulouse', 'Lille', 'Strasbourg'])}`,
    () => `${int(1, 40)} ${pick(['impasse', 'chemin', 'allée'])} des ${pick(['Peupliers', 'Vignes', 'Tilleuls'])}, ${pick(['84', '06', '35'])}${int(100, 999)} ${pick(['Avignon', 'Nice', 'Rennes'])}`,
  ],
  es: [
    () => `Calle ${pick(['Mayor', 'de Alcalá', 'Real', 'del Prado', 'San Vicente'])} ${int(1, 150)}, ${pick(['28', '08', '41', '46'])}0${int(10, 99)} ${pick(['Madrid', 'Barcelona', 'Sevilla', 'Valencia'])}`,
    () => `Avenida ${pick(['de la Constitución', 'Diagonal', 'de América'])} ${int(1, 300)}, ${int(1, 9)}.º ${pick(['A', 'B', 'izda.', 'dcha.'])}, ${pick(['18', '29', '50'])}0${int(10, 99)} ${pick(['Granada', 'Málaga', 'Zaragoza'])}`,
    () => `Paseo ${pick(['de Gracia', 'de la Castellana', 'Marítimo'])} ${int(1, 120)}`,
  ],
  en: [
    () => `${int(1, 250)} ${pick(['High', 'Station', 'Church', 'Mill', 'Park'])} ${pick(['Street', 'Road', 'Lane'])}, ${pick(['Leeds LS1 4AB', 'Bristol BS1 5TR', 'York YO1 7HH', 'Bath BA1 1LZ'])}`,
    () => `${int(100, 4999)} ${pick(['Elm', 'Oak', 'Maple', 'Washington', 'Lincoln'])} ${pick(['Street', 'Avenue', 'Drive'])}, ${pick(['Austin, TX 78701', 'Denver, CO 80202', 'Boston, MA 02116'])}`,
    () => `${int(1, 90)} ${pick(['Kings', 'Queens', 'Victoria'])} ${pick(['Road', 'Terrace', 'Close'])}`,
  ],
};

// ---- the emails

/** Sentences per language; {slot} is filled with a value of that kind. */
const FRAMES: Record<Lang, Record<Kind, string[]>> = {
  it: {
    email: ['Potete scrivermi anche a {email}.', 'Il mio indirizzo di fatturazione è {email}.', "Mettete in copia la collega ({email}), grazie."],
    phone: ['Sono raggiungibile al {phone}.', 'Per urgenze: cell. {phone}', 'Mi chiami pure al numero {phone} dopo le 14.'],
    iban: ["L'IBAN per il rimborso è {iban}.", 'Accredito su IBAN {iban}, intestato a me.'],
    card: ['Il pagamento è stato fatto con la carta {card}.', 'Mi avete addebitato due volte sulla carta {card}.'],
    national_id: ['Il mio codice fiscale è {national_id}.', 'Codice fiscale del titolare: {national_id}'],
    tax_id: ['Partita IVA {tax_id}.', 'Per la fattura: P.IVA {tax_id}'],
    dob: ['Sono nata il {dob}.', 'Data di nascita: {dob}'],
    address: ['La spedizione va a {address}.', 'Il nuovo indirizzo della sede è {address}.'],
  },
  de: {
    email: ['Sie erreichen mich auch unter {email}.', 'Bitte schicken Sie die Rechnung an {email}.', 'Meine Kollegin ({email}) braucht ebenfalls Zugang.'],
    phone: ['Telefonisch bin ich unter {phone} erreichbar.', 'Mobil: {phone}', 'Rufen Sie mich gern an: {phone}'],
    iban: ['Bitte erstatten Sie den Betrag auf IBAN {iban}.', 'Unsere neue Bankverbindung: {iban}'],
    card: ['Bezahlt habe ich mit der Karte {card}.', 'Die Kreditkarte {card} wurde doppelt belastet.'],
    national_id: ['Meine Steuer-ID lautet {national_id}.', 'Steuerliche Identifikationsnummer: {national_id}'],
    tax_id: ['Unsere USt-IdNr. ist {tax_id}.', 'Bitte tragen Sie die USt-IdNr. {tax_id} auf der Rechnung ein.'],
    dob: ['Geburtsdatum: {dob}', 'Ich bin am {dob} geboren.'],
    address: ['Die Lieferadresse ist {address}.', 'Neue Anschrift: {address}'],
  },
  fr: {
    email: ['Vous pouvez aussi m\'écrire à {email}.', 'Merci d\'envoyer la facture à {email}.', 'Ma collègue ({email}) doit aussi avoir accès.'],
    phone: ['Je suis joignable au {phone}.', 'Tél. : {phone}', 'Appelez-moi au {phone} si besoin.'],
    iban: ['Merci de rembourser sur l\'IBAN {iban}.', 'Nos nouvelles coordonnées bancaires : {iban}'],
    card: ['J\'ai payé avec la carte {card}.', 'La carte {card} a été débitée deux fois.'],
    national_id: ['Mon numéro de sécurité sociale : {national_id}', 'NIR : {national_id}'],
    tax_id: ['Notre numéro de TVA : {tax_id}.', 'SIRET : {tax_id}'],
    dob: ['Date de naissance : {dob}', 'Je suis née le {dob}.'],
    address: ['L\'adresse de livraison est {address}.', 'Nouvelle adresse : {address}'],
  },
  es: {
    email: ['También pueden escribirme a {email}.', 'Envíen la factura a {email}, por favor.', 'Mi compañera ({email}) también necesita acceso.'],
    phone: ['Pueden llamarme al {phone}.', 'Móvil: {phone}', 'Mi teléfono es el {phone}.'],
    iban: ['Hagan el reembolso al IBAN {iban}.', 'Nuestra nueva cuenta: IBAN {iban}'],
    card: ['Pagué con la tarjeta {card}.', 'Me cobraron dos veces en la tarjeta {card}.'],
    national_id: ['Mi DNI es {national_id}.', 'NIE del titular: {national_id}'],
    tax_id: ['Nuestro CIF es {tax_id}.', 'Para la factura, CIF {tax_id}.'],
    dob: ['Fecha de nacimiento: {dob}', 'Nací el {dob}.'],
    address: ['La dirección de envío es {address}.', 'Nueva dirección: {address}'],
  },
  en: {
    email: ['You can also reach me at {email}.', 'Please send the invoice to {email}.', 'My colleague ({email}) needs access too.'],
    phone: ['You can call me on {phone}.', 'Mobile: {phone}', 'My direct line is {phone}.'],
    iban: ['Please refund to IBAN {iban}.', 'Our new bank details: IBAN {iban}'],
    card: ['I paid with the card {card}.', 'My card {card} was charged twice.'],
    national_id: ['My National Insurance number is {national_id}.', 'NI number: {national_id}'],
    tax_id: ['Our VAT number is {tax_id}.', 'Please add VAT no. {tax_id} to the invoice.'],
    dob: ['Date of birth: {dob}', 'I was born on {dob}.'],
    address: ['Please ship it to {address}.', 'Our new address is {address}.'],
  },
};

const NATIONAL: Record<Lang, () => string> = { it: codiceFiscale, de: steuerId, fr: nir, es: () => pick([dni, nie])(), en: nino };
const TAX: Record<Lang, () => string> = { it: () => pick([partitaIva(), `IT${partitaIva()}`]), de: ustId, fr: () => pick([frVat, siret])(), es: () => pick([cif(), `ES${cif()}`]), en: ukVat };
const IBAN_COUNTRY: Record<Lang, string[]> = { it: ['IT'], de: ['DE', 'AT'], fr: ['FR', 'BE'], es: ['ES'], en: ['GB', 'IE'] };

function valueOf(kind: Kind, lang: Lang): string {
  switch (kind) {
    case 'email':
      return email(lang);
    case 'phone':
      return pick(PHONES[lang])();
    case 'iban':
      return iban(pick(IBAN_COUNTRY[lang]));
    case 'card':
      return card();
    case 'national_id':
      return NATIONAL[lang]();
    case 'tax_id':
      return TAX[lang]();
    case 'dob':
      return dob(lang);
    case 'address':
      return pick(STREETS[lang])();
  }
}

/** Numbers that are not personal data, as support mail carries them. */
const NOISE: Record<Lang, Array<() => string>> = {
  it: [
    () => `Riferimento ordine n. ${digits(8)}.`,
    () => `Fattura n. ${int(2024, 2026)}/${digits(5)} del ${int(1, 28)}/${int(1, 12)}/2026, importo 1.${digits(3)},${digits(2)} EUR.`,
    () => `Versione dell'app ${int(1, 9)}.${int(0, 20)}.${int(0, 99)}, build ${digits(8)}.`,
    () => `Pratica n. ${digits(10)}`,
  ],
  de: [
    () => `Bestellnummer ${digits(9)}`,
    () => `Rechnung Nr. RE-${int(2024, 2026)}-${digits(6)} über ${int(100, 9999)},${digits(2)} €`,
    () => `Kundennummer: ${digits(8)}, Vorgang ${digits(7)}`,
    () => `Fehlercode 0x${digits(8)} seit Version ${int(1, 9)}.${int(0, 9)}.${int(0, 30)}`,
  ],
  fr: [
    () => `Commande n° ${digits(10)}.`,
    () => `Facture FA-${digits(8)} du ${String(int(1, 28)).padStart(2, '0')}/${String(int(1, 12)).padStart(2, '0')}/2026 : ${int(10, 999)},${digits(2)} €`,
    () => `Numéro de dossier ${digits(11)}`,
    () => `Version ${int(1, 9)}.${int(0, 9)}.${int(0, 30)} (build ${digits(6)})`,
  ],
  es: [
    () => `Número de pedido ${digits(9)}.`,
    () => `Factura ${int(2024, 2026)}-${digits(6)} por importe de ${int(10, 999)},${digits(2)} €.`,
    () => `Expediente ${digits(10)}`,
    () => `Versión ${int(1, 9)}.${int(0, 9)}.${int(0, 30)}, compilación ${digits(8)}`,
  ],
  en: [
    () => `Order #${digits(9)}`,
    () => `Invoice INV-${digits(7)} for $${int(10, 9999)}.${digits(2)}, due ${int(1, 12)}/${int(1, 28)}/2026.`,
    () => `Ticket ${digits(8)}, tracking number 1Z${digits(16)}`,
    () => `Running version ${int(1, 9)}.${int(0, 20)}.${int(0, 99)} on 10.${int(0, 255)}.${int(0, 255)}.${int(0, 255)}`,
  ],
};

/** A pasted log or CSV excerpt: many numbers, no personal data. */
function numbersBlock(): string {
  const lines = Array.from({ length: int(3, 8) }, (_, i) => `2026-11-${String(int(1, 28)).padStart(2, '0')} ${String(int(0, 23)).padStart(2, '0')}:${digits(2).replace(/^[6-9]/, '5')}:${digits(2).replace(/^[6-9]/, '5')} worker-${i} job=${digits(7)} took=${int(1, 9999)}ms rows=${digits(5)}`);
  return lines.join('\n');
}

const OPENERS: Record<Lang, Array<[string, string]>> = {
  it: [
    ['Problema con il mio account', 'Buongiorno,\nnon riesco più ad accedere al mio account da ieri.'],
    ['Richiesta rimborso', 'Salve,\nvorrei un rimborso per il doppio addebito di questo mese.'],
    ['Aggiornamento dati', 'Buongiorno,\nvi scrivo per aggiornare i dati del nostro profilo.'],
  ],
  de: [
    ['Problem mit meinem Konto', 'Guten Tag,\nich kann mich seit gestern nicht mehr anmelden.'],
    ['Erstattung', 'Hallo,\nich bitte um Erstattung der doppelten Abbuchung.'],
    ['Änderung unserer Daten', 'Guten Tag,\nbitte aktualisieren Sie unsere Stammdaten.'],
  ],
  fr: [
    ['Problème de connexion', 'Bonjour,\nje n\'arrive plus à me connecter depuis hier.'],
    ['Demande de remboursement', 'Bonjour,\nje souhaite être remboursée du double prélèvement.'],
    ['Mise à jour de nos coordonnées', 'Bonjour,\nmerci de mettre à jour nos informations.'],
  ],
  es: [
    ['Problema con mi cuenta', 'Hola,\ndesde ayer no puedo entrar en mi cuenta.'],
    ['Solicitud de reembolso', 'Hola,\nsolicito el reembolso del cobro duplicado.'],
    ['Actualización de datos', 'Buenos días,\npor favor actualicen nuestros datos.'],
  ],
  en: [
    ['Cannot log in', 'Hello,\nI have not been able to log in since yesterday.'],
    ['Refund request', 'Hi,\nI would like a refund for the double charge this month.'],
    ['Updating our details', 'Hello,\nplease update the details on our account.'],
  ],
};
/** Greetings naming the person the customer writes to ({first}, {last}), and greetings that name no one (a team, "Sir or Madam"). */
const GREETINGS: Record<Lang, { named: string[]; unnamed: string[] }> = {
  it: { named: ['Gentile Sig.ra {last},', 'Buongiorno {first},', 'Gentile {first} {last},', 'Egregio Dott. {last},'], unnamed: ['Gentile team di supporto,', 'Spett.le Assistenza Clienti,'] },
  de: { named: ['Sehr geehrte Frau {last},', 'Sehr geehrter Herr {last},', 'Hallo {first},', 'Guten Tag Frau {first} {last},'], unnamed: ['Sehr geehrte Damen und Herren,', 'Liebes Support-Team,'] },
  fr: { named: ['Bonjour M. {last},', 'Bonjour Mme {last},', 'Bonjour {first},', 'Chère Madame {last},'], unnamed: ['Madame, Monsieur,', "Bonjour l'équipe support,"] },
  es: { named: ['Estimado Sr. {last}:', 'Estimada Sra. {last}:', 'Hola {first},', 'Estimada {first} {last}:'], unnamed: ['Estimado equipo de soporte:', 'Estimados señores:'] },
  en: { named: ['Dear {first} {last},', 'Dear Ms {last},', 'Hi {first},', 'Dear Mr. {last},'], unnamed: ['Dear Support Team,', 'Dear Sir or Madam,'] },
};
const INTRODUCTIONS: Record<Lang, string[]> = {
  it: ['Mi chiamo {name} e sono vostra cliente da anni.', 'Sono {name}, titolare dell\'account.'],
  de: ['Mein Name ist {name}.', 'Ich heiße {name} und bin seit Jahren Kundin.'],
  fr: ["Je m'appelle {name}.", 'Je suis {name}, titulaire du compte.'],
  es: ['Me llamo {name}.', 'Mi nombre es {name} y soy cliente desde hace años.'],
  en: ['My name is {name}.', "I'm {name}, the account owner."],
};
/** A company line under the signature: a surname in it is a company's name, not a person's. */
const COMPANY_LINES: Record<Lang, string[]> = {
  it: ['Studio Bianchi S.r.l.', 'Ricci Arredamenti snc', 'Mailroom Pro (piano Business)'],
  de: ['Müller Bau GmbH', 'Fischer & Weber Steuerberatung', 'Team Einkauf'],
  fr: ['Cabinet Martin SARL', 'Moreau Transports SAS', "Service comptabilité"],
  es: ['García Asesores S.L.', 'López Logística', 'Departamento de Compras'],
  en: ['Northwind Ltd', 'Taylor & Smith Consulting', 'Accounts Team'],
};
const title = (word: string) => word[0]!.toUpperCase() + word.slice(1);

const CLOSERS: Record<Lang, string[]> = { it: ['Grazie,', 'Cordiali saluti,'], de: ['Danke,', 'Mit freundlichen Grüßen'], fr: ['Merci,', 'Cordialement,'], es: ['Gracias,', 'Un saludo,'], en: ['Thanks,', 'Best regards,'] };
const KINDS: Kind[] = ['email', 'phone', 'iban', 'card', 'national_id', 'tax_id', 'dob', 'address'];

function makeEmail(lang: Lang, index: number, split: string) {
  const opener = pick(OPENERS[lang]);
  // Every kind often enough to be measured: phones and addresses in most mail, the rarer kinds in turn.
  const kinds = new Set<Kind>([KINDS[index % KINDS.length]!, KINDS[(index * 3 + 1) % KINDS.length]!]);
  if (random() < 0.5) kinds.add('phone');
  if (random() < 0.3) kinds.add('email');
  const values: Value[] = [];
  const lines: string[] = [opener[1], ''];
  for (const kind of kinds) {
    const value = valueOf(kind, lang);
    values.push({ kind, value });
    lines.push(pick(FRAMES[lang][kind]).replace(`{${kind}}`, value));
  }
  for (let n = int(1, 3); n > 0; n--) lines.push(pick(NOISE[lang])());
  if (random() < 0.25) lines.push('', numbersBlock());
  const sender = `${pick(FIRST)}.${pick(LAST)}@${pick(DOMAINS[lang])}`;
  const senderName = sender.split('@')[0]!.split('.').map(title).join(' ');
  lines.push('', pick(CLOSERS[lang]), senderName);
  const names = new Set<string>([senderName]);
  // Who the customer writes to: a named agent, a team, or the opener's plain greeting.
  const greeting = nameRandom();
  if (greeting < 0.4) {
    const first = title(namePick(FIRST));
    const last = title(namePick(LAST));
    const frame = namePick(GREETINGS[lang].named);
    lines[0] = lines[0]!.replace(/^[^\n]*/, frame.replace('{first}', first).replace('{last}', last));
    names.add(frame.includes('{first}') && frame.includes('{last}') ? `${first} ${last}` : frame.includes('{first}') ? first : last);
  } else if (greeting < 0.6) {
    lines[0] = lines[0]!.replace(/^[^\n]*/, namePick(GREETINGS[lang].unnamed));
  }
  if (nameRandom() < 0.25) lines.splice(1, 0, namePick(INTRODUCTIONS[lang]).replace('{name}', senderName));
  if (nameRandom() < 0.3) lines.push(namePick(COMPANY_LINES[lang]));
  const from = nameRandom() < 0.4 ? `${senderName} <${sender}>` : sender;
  for (const name of names) values.push({ kind: 'name', value: name });
  const body = lines.join('\n');
  const refund = opener[0].match(/rimborso|Erstattung|remboursement|reembolso|Refund/i) !== null || kinds.has('card') || kinds.has('iban');
  const file = `${lang}-${String(index + 1).padStart(3, '0')}.eml`;
  const eml = [
    `From: ${from}`,
    'To: support@mailroom.example',
    `Subject: ${opener[0]}`,
    `Date: Mon, ${String(int(1, 28)).padStart(2, '0')} Sep 2026 10:${digits(2).replace(/^[6-9]/, '5')}:00 +0200`,
    `Message-ID: <${split}-${file.replace('.eml', '')}@pii.mailroom.example>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    body,
    '',
  ].join('\r\n');
  const label = {
    file,
    language: lang,
    prefilter: null,
    intent: refund ? 'billing' : 'support',
    payment: refund,
    legal: false,
    vip: false,
    injection: false,
    expected_action: refund ? 'draft' : 'ticket',
    acceptable_actions: refund ? ['draft', 'review'] : ['ticket', 'draft', 'review'],
    pii: values,
    note: `Generated by eval/pii/generate.ts: ${[...kinds].join(', ')} among ordinary numbers (orders, invoices, versions${lines.some((l) => l.includes('worker-')) ? ', a pasted log' : ''}).`,
  };
  return { file, eml, label };
}

const here = dirname(fileURLToPath(import.meta.url));
const PER_LANGUAGE = 40;
for (const [split, splitSeed] of [
  ['dev', 20261130],
  ['test', 7_311_994],
] as const) {
  seed = splitSeed;
  nameSeed = splitSeed + 1;
  const dir = join(here, split);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const labels: string[] = [];
  for (const lang of ['de', 'en', 'es', 'fr', 'it'] as const) {
    for (let i = 0; i < PER_LANGUAGE; i++) {
      const { file, eml, label } = makeEmail(lang, i, split);
      writeFileSync(join(dir, file), eml);
      labels.push(JSON.stringify(label));
    }
  }
  writeFileSync(join(dir, 'labels.jsonl'), `${labels.join('\n')}\n`);
}
