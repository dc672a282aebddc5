/**
 * Check-digit algorithms of the identifiers Mailroom recognises. A number that fails its own check
 * is not taken for an id: that is what keeps order and invoice numbers out.
 */

/** Luhn (cards, SIREN/SIRET, partita IVA). */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** ISO 7064 MOD 11,10: the German Steuer-ID and USt-IdNr. */
export function mod11_10Valid(digits: string): boolean {
  let product = 10;
  for (let i = 0; i < digits.length - 1; i++) {
    let sum = (digits.charCodeAt(i) - 48 + product) % 10;
    if (sum === 0) sum = 10;
    product = (2 * sum) % 11;
  }
  let check = 11 - product;
  if (check === 10) check = 0;
  return check === digits.charCodeAt(digits.length - 1) - 48;
}

/** The Steuer-ID: 11 digits, no leading zero, the check digit, and in the first ten one digit twice or three times, the rest once or never. */
export function steuerIdValid(digits: string): boolean {
  if (!/^[1-9]\d{10}$/.test(digits) || !mod11_10Valid(digits)) return false;
  const counts = new Map<string, number>();
  for (const d of digits.slice(0, 10)) counts.set(d, (counts.get(d) ?? 0) + 1);
  const repeated = [...counts.values()].filter((n) => n > 1);
  return repeated.length === 1 && repeated[0]! <= 3;
}

const ODD_CF = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23];

/** The Italian codice fiscale (16 characters, omocodia letters allowed), by its check letter. */
export function codiceFiscaleValid(code: string): boolean {
  const cf = code.toUpperCase();
  if (!/^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$/.test(cf)) return false;
  let sum = 0;
  for (let i = 0; i < 15; i++) {
    const c = cf.charCodeAt(i);
    const value = c <= 57 ? c - 48 : c - 65;
    sum += i % 2 === 0 ? ODD_CF[value]! : value;
  }
  return String.fromCharCode(65 + (sum % 26)) === cf[15];
}

const DNI_LETTERS = 'TRWAGMYFPDXBNJZSQVHLCKE';

/** Spanish DNI (8 digits + letter) and NIE (X/Y/Z + 7 digits + letter). */
export function dniNieValid(code: string): boolean {
  const id = code.toUpperCase();
  const m = /^([XYZ]|\d)(\d{7})([A-Z])$/.exec(id);
  if (!m) return false;
  const lead = m[1]!;
  const number = Number(`${lead === 'X' ? 0 : lead === 'Y' ? 1 : lead === 'Z' ? 2 : lead}${m[2]}`);
  return DNI_LETTERS[number % 23] === m[3];
}

/** Spanish CIF (companies): letter, 7 digits, control digit or letter. */
export function cifValid(code: string): boolean {
  const id = code.toUpperCase();
  const m = /^([ABCDEFGHJNPQRSUVW])(\d{7})([0-9A-J])$/.exec(id);
  if (!m) return false;
  const digits = m[2]!;
  let sum = 0;
  for (let i = 0; i < 7; i++) {
    let d = digits.charCodeAt(i) - 48;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  const control = (10 - (sum % 10)) % 10;
  const given = m[3]!;
  return given === String(control) || given === 'JABCDEFGHI'[control];
}

/** French NIR (numéro de sécurité sociale): 13 characters (Corsica 2A/2B allowed) and its key of 97. */
export function nirValid(code: string): boolean {
  const nir = code.toUpperCase();
  const m = /^([12]\d{4})(\d[0-9AB]|\d{2})(\d{6})(\d{2})$/.exec(nir);
  if (!m) return false;
  const month = Number(nir.slice(3, 5));
  if (!((month >= 1 && month <= 12) || month >= 20)) return false;
  const body = `${m[1]}${m[2]!.replace('A', '0').replace('B', '0')}${m[3]}`;
  let number = BigInt(body);
  if (m[2] === '2A') number -= 1_000_000n;
  if (m[2] === '2B') number -= 2_000_000n;
  return 97n - (number % 97n) === BigInt(m[4]!);
}

/** French VAT: FR + 2-character key + SIREN; the numeric key is (12 + 3 × (SIREN mod 97)) mod 97. */
export function frenchVatValid(key: string, siren: string): boolean {
  if (!/^\d{2}$/.test(key)) return /^[0-9A-Z]{2}$/.test(key);
  return (12 + 3 * (Number(siren) % 97)) % 97 === Number(key);
}
