import { createHash } from 'node:crypto';
import type { DetectorMatch, DetectorResult } from '../decision.js';
import { LEGAL_TERMS } from './legal-terms.js';
import { PAYMENT_TERMS } from './payment-terms.js';
import { type CompiledTerm, compileTerm, normalizeForMatching } from './term-pattern.js';

export interface DetectorInput {
  subject: string;
  /** The text a person reads. Pass the whole newest message (not the length-capped model input), so a term cannot hide in the cut middle. */
  text: string;
  /** Text hidden from a human reader: it can raise a flag, never lower one. */
  hiddenText: string;
}

const COMPILED: ReadonlyArray<{ flag: DetectorMatch['flag']; term: CompiledTerm }> = [
  ...PAYMENT_TERMS.map((def) => ({ flag: 'payment' as const, term: compileTerm(def) })),
  ...LEGAL_TERMS.map((def) => ({ flag: 'legal' as const, term: compileTerm(def) })),
];

/** Changes whenever a term list changes; part of the policy version stored with each decision. */
export const DETECTOR_TERMS_FINGERPRINT = createHash('sha256')
  .update(JSON.stringify([PAYMENT_TERMS, LEGAL_TERMS]))
  .digest('hex')
  .slice(0, 12);

/** Terms are reported short; a long alternation match should not fill a reason text. */
const MAX_TERM_CHARS = 40;

/**
 * Mailroom's own payment and legal detectors: multilingual term lists (en/it/de/fr/es) applied to
 * the subject, the text and the hidden text. Every distinct (flag, term, where) is recorded once,
 * in the order subject, body, hidden, so reasons can name what was found and where.
 */
export function detectFlags(input: DetectorInput): DetectorResult {
  const matches: DetectorMatch[] = [];
  const seen = new Set<string>();
  const fields: Array<[DetectorMatch['where'], string]> = [
    ['subject', input.subject],
    ['body', input.text],
    ['hidden', input.hiddenText],
  ];
  for (const [where, raw] of fields) {
    if (!raw) continue;
    const text = normalizeForMatching(raw);
    for (const { flag, term } of COMPILED) {
      term.regex.lastIndex = 0;
      for (const m of text.matchAll(term.regex)) {
        const found = term.def.label ?? shorten(m[0]);
        const key = `${flag}\u0000${found.toLowerCase()}\u0000${where}`;
        if (seen.has(key)) continue;
        seen.add(key);
        matches.push({ flag, term: found, where });
      }
    }
  }
  return {
    payment: matches.some((m) => m.flag === 'payment'),
    legal: matches.some((m) => m.flag === 'legal'),
    matches,
  };
}

function shorten(matched: string): string {
  const oneLine = matched.replace(/\s+/g, ' ').trim();
  return oneLine.length > MAX_TERM_CHARS ? `${oneLine.slice(0, MAX_TERM_CHARS - 1)}…` : oneLine;
}
