import type { ParsedEmail } from '../parse/index.js';

/** Every value of a header (the parse stage joins repeated headers with "\n"), trimmed, empty ones dropped. */
export function headerValues(email: ParsedEmail, name: string): string[] {
  const joined = email.headers[name.toLowerCase()];
  if (joined === undefined) return [];
  return joined
    .split('\n')
    .map((value) => value.replace(/\s+/g, ' ').trim())
    .filter((value) => value !== '');
}

/** Local part and domain of an address, lower-cased; null when it has no `@`. */
export function splitAddress(address: string): { local: string; domain: string } | null {
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return null;
  return { local: address.slice(0, at).toLowerCase(), domain: address.slice(at + 1).toLowerCase() };
}

/** Shortens a header value for a reason text, so one odd header cannot flood the audit log. */
export function quoteForReason(value: string, max = 60): string {
  const oneLine = value.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}
