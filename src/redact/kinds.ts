/** The kinds of personal data Mailroom recognises (also the `pii` kinds of eval labels). */
export const PII_KINDS = ['email', 'phone', 'iban', 'card', 'national_id', 'tax_id', 'dob', 'address'] as const;
export type PiiKind = (typeof PII_KINDS)[number];

/** How many distinct values of each kind an email holds: what is stored and sent, never the values. */
export type PiiCounts = Partial<Record<PiiKind, number>>;

/** `[EMAIL_1]`: the kind in capitals, then the number of the value within the email. */
export function placeholderFor(kind: PiiKind, n: number): string {
  return `[${kind.toUpperCase()}_${n}]`;
}

/** Any placeholder-shaped token, also ones a model made up. */
export const PLACEHOLDER = /\[(EMAIL|PHONE|IBAN|CARD|NATIONAL_ID|TAX_ID|DOB|ADDRESS)_(\d{1,4})\]/g;
