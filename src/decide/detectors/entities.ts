import { electronicFormatIBAN, getCountrySpecifications, isValidIBAN } from 'ibantools';
import { type Field, wordIndex } from './normalize.js';

/** Where an entity or a term was found in a field; `label` is what a reason quotes instead of the text. */
export interface Span {
  start: number;
  end: number;
  label?: string;
}

// Quantifiers are bounded so a pasted log of digits cannot make any of these backtrack for long.
const NUMBER = "\\d{1,3}(?:[.,' ]\\d{3}){1,4}(?:[.,]\\d{1,2})?|\\d{1,7}(?:[.,]\\d{1,2})?";
const CODES = 'eur|usd|gbp|chf|cad|aud|cop|mxn|ars|clp|pen|brl|sek|nok|dkk|pln|czk|huf|inr|jpy';
const SYMBOL = `(?:us|ca|a|r)?[€$£¥₹]|(?<!\\p{L})(?:${CODES}|fr\\.|sfr\\.?)(?!\\p{L})`;
const WORD_AFTER = `(?:[€$£₹]|(?:${CODES}|euros?|dollars?|pounds?|sterling|francs?|pesos|franken)(?!\\p{L}))(?: ?ca(?!\\p{L}))?`;
const AMOUNT = new RegExp(`(?:${SYMBOL}) ?(?:${NUMBER})(?![\\d])|(?<![\\d.,])(?:${NUMBER}) ?${WORD_AFTER}`, 'giu');

/** Amounts with a currency: "€ 3.660,00", "348,00 €", "$79", "USD 348", "29 euro", "39 $ CA". */
export function findAmounts(field: Field): Span[] {
  return [...field.folded.matchAll(AMOUNT)].map((m) => ({ start: m.index, end: m.index + m[0].length }));
}

const IBAN_CANDIDATE = /(?<![\p{L}\p{N}])[a-z]{2}\d{2}(?: ?[a-z0-9]){10,32}/giu;
const IBAN_LENGTH = new Map(Object.entries(getCountrySpecifications()).map(([code, spec]) => [code, spec.chars ?? 0]));

/**
 * IBANs that pass ibantools' check: the country's length and BBAN format and the mod-97 checksum,
 * so an order number or a log line that merely looks like one is not taken for bank details. A
 * reason shows only the country and the last four characters.
 */
export function findIbans(field: Field): Span[] {
  return ibanShaped(field).filter((s) => s.valid);
}

/**
 * Account numbers shaped like an IBAN of a real country (its exact length) whose checksum fails: a
 * typo, or a number made up for a scam. A rule counts them only beside a bank word ("IBAN", "conto").
 */
export function findIbanLike(field: Field): Span[] {
  return ibanShaped(field)
    .filter((s) => !s.valid)
    .map((s) => ({ ...s, label: `${s.label} (checksum fails)` }));
}

const SHAPED = new WeakMap<Field, Array<Span & { valid: boolean }>>();

function ibanShaped(field: Field): Array<Span & { valid: boolean }> {
  const cached = SHAPED.get(field);
  if (cached) return cached;
  const spans: Array<Span & { valid: boolean }> = [];
  SHAPED.set(field, spans);
  for (const m of field.folded.matchAll(IBAN_CANDIDATE)) {
    const compact = m[0].toUpperCase().replace(/ /g, '');
    const length = IBAN_LENGTH.get(compact.slice(0, 2)) ?? 0;
    if (length === 0 || compact.length < length) continue;
    const iban = electronicFormatIBAN(compact.slice(0, length)) ?? '';
    spans.push({ start: m.index, end: m.index + m[0].length, label: `IBAN ${iban.slice(0, 2)}…${iban.slice(-4)}`, valid: isValidIBAN(iban) });
  }
  return spans;
}

const CARD_CANDIDATE = /(?<![\d])\d(?:[ -]?\d){12,18}(?![\d])/g;
const CARD_WORDS =
  /(?<![\p{L}])(?:card|cards|carta|karte|kreditkarte|carte|tarjeta|visa|mastercard|amex|cvv|cvc|exp|expiry|expires|scadenza|gultig|ablauf|expiration|caducidad|vence|vencimiento)(?![\p{L}])/giu;
// Visa, Mastercard (51-55, 2221-2720), American Express, Discover, Maestro, JCB, Diners.
const CARD_PREFIX = /^(?:4|5[1-5]|2(?:2[2-9]|[3-6]\d|7[01]|720)|3[47]|6(?:011|5|4[4-9])|5018|5020|5038|6304|35|30[0-5]|36|38)/;

/**
 * Card numbers: a card brand's prefix and length, the Luhn checksum, and either the 4-4-4-4 grouping
 * people type or a card word within eight words. One in ten random numbers passes Luhn, so the
 * checksum alone would find cards in every log; the reason shows only the last four digits.
 */
export function findCards(field: Field): Span[] {
  const spans: Span[] = [];
  let words: Span[] | null = null;
  for (const m of field.folded.matchAll(CARD_CANDIDATE)) {
    const digits = m[0].replace(/\D/g, '');
    if (digits.length < 13 || !CARD_PREFIX.test(digits) || !luhn(digits)) continue;
    const grouped = /^\d{4}([ -])\d{4}\1\d{4}\1\d{4}$|^\d{4}([ -])\d{6}\2\d{5}$/.test(m[0]);
    if (!grouped) {
      words ??= [...field.folded.matchAll(CARD_WORDS)].map((w) => ({ start: w.index, end: w.index + w[0].length }));
      const at = m.index;
      if (!words.some((w) => Math.abs(wordIndex(field, w.start) - wordIndex(field, at)) <= 8)) continue;
    }
    spans.push({ start: m.index, end: m.index + m[0].length, label: `card number …${digits.slice(-4)}` });
  }
  return spans;
}

export function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** The entities a rule may name as `@amount`, `@iban`, `@iban-like`, `@card`. */
export const ENTITIES: Readonly<Record<string, (field: Field) => Span[]>> = { '@amount': findAmounts, '@iban': findIbans, '@iban-like': findIbanLike, '@card': findCards };
