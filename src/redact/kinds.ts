import { PII_KINDS as ALL, type PiiKind } from '../contract/index.js';

export { PII_KINDS, type PiiKind } from '../contract/index.js';

/** One piece of personal data in a text: its kind and where it is. */
export interface PiiMatch {
  kind: PiiKind;
  start: number;
  end: number;
  value: string;
}

/** How many distinct values of each kind an email holds: what is stored and sent, never the values. */
export type PiiCounts = Partial<Record<PiiKind, number>>;

/** `[EMAIL_1]`: the kind in capitals, then the number of the value within the email. */
export function placeholderFor(kind: PiiKind, n: number): string {
  return `[${kind.toUpperCase()}_${n}]`;
}

/** Any placeholder-shaped token, also ones a model made up. */
export const PLACEHOLDER = /\[(EMAIL|PHONE|IBAN|CARD|NATIONAL_ID|TAX_ID|DOB|ADDRESS|NAME)_(\d{1,4})\]/g;

/**
 * The kinds replaced before the model sees an email, or null for none. `auto` redacts everything
 * when the model is hosted (base_url, or OpenAI's default, not on loopback) and nothing for a
 * model on this machine, where the text never leaves it.
 */
export function redactionKinds(settings: { redact: 'auto' | boolean | readonly PiiKind[]; base_url?: string | undefined }): ReadonlySet<PiiKind> | null {
  const { redact } = settings;
  if (redact === false) return null;
  if (Array.isArray(redact)) return redact.length > 0 ? new Set(redact) : null;
  if (redact === 'auto' && settings.base_url && isLoopbackUrl(settings.base_url)) return null;
  return new Set(ALL_KINDS);
}

const ALL_KINDS: readonly PiiKind[] = ALL;

export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  host = host.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host.endsWith('.localhost') || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host) || host === '::ffff:127.0.0.1';
}
