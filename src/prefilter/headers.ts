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

/** A regular expression for phrases that stand as whole words (JavaScript's \b knows no accents), case-insensitive. */
export function wordsRegExp(phrases: readonly string[]): RegExp {
  return new RegExp(`(?<![\\p{L}\\p{N}])(?:${phrases.join('|')})(?![\\p{L}\\p{N}])`, 'iu');
}

/** Phrases at the very start of a subject; a phrase ending in ":" needs no word boundary after it ("Unzustellbar:Ihre Anfrage"). */
export function anchored(phrases: readonly string[]): RegExp {
  return new RegExp(`^(?:${phrases.join('|')})(?:(?<=:)|(?![\\p{L}\\p{N}]))`, 'iu');
}

/**
 * Local parts that say "nobody reads answers": noreply, no-reply, no_reply, do-not-reply,
 * donotreply, dont-reply, noresponse…, alone or as one dot/dash/plus-separated piece
 * (`notifications-noreply`, `noreply+abc`). `reply` or `noreen` alone are not matched.
 */
const NO_REPLY_LOCAL = /(?:^|[._+-])(?:no[._-]?reply|no[._-]?replies|do[._-]?not[._-]?reply|dont[._-]?reply|do[._-]?not[._-]?respond|no[._-]?response|noreplay)(?:$|[._+-])/i;

export function isNoReplyAddress(address: string | null | undefined): boolean {
  if (!address) return false;
  const parts = splitAddress(address);
  return parts !== null && NO_REPLY_LOCAL.test(parts.local);
}

/** Return-Path: <> — the null reverse path of delivery reports and most auto-replies (RFC 5321 section 4.5.5, RFC 3834). */
export function hasNullReturnPath(email: ParsedEmail): boolean {
  return headerValues(email, 'return-path').some((value) => /^<\s*>$/.test(value));
}

/**
 * How the envelope or headers show that a program sent the message, or null. People's mail
 * clients never send with an empty return path or without a From address, so text that only
 * machines write can be trusted next to these.
 */
export function machineSent(email: ParsedEmail): string | null {
  if (hasNullReturnPath(email)) return 'empty Return-Path';
  const submitted = headerValues(email, 'auto-submitted').find((v) => /^auto-/i.test(v));
  if (submitted !== undefined) return `Auto-Submitted: ${quoteForReason(submitted.split(';')[0] ?? '', 30)}`;
  return (email.from?.address ?? '').includes('@') ? null : 'no sender address';
}
