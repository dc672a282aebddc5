import { createHash } from 'node:crypto';
import { nextTurn } from '../../util/wait.js';
import type { DetectorMatch, DetectorResult } from '../decision.js';
import { LEGAL_RULES, legalWeakKindsSuffice } from './legal-signals.js';
import { attachmentWords, type Field, prepareField } from './normalize.js';
import { isPaymentHint, PAYMENT_RULES, paymentWeakKindsSuffice } from './payment-signals.js';
import { applyRule, type Hit, prepareRule, type Rule } from './rules.js';

export interface DetectorInput {
  subject: string;
  /** The text a person reads. Pass the whole newest message (not the length-capped model input), so a term cannot hide in the cut middle. */
  text: string;
  /** Text hidden from a human reader: it can raise a flag, never lower one. */
  hiddenText: string;
  /** Attachment file names ("SEPA-Mandat_signed.pdf"): only the names, never the content. */
  attachments?: readonly string[];
}

const RULES: ReadonlyArray<[DetectorMatch['flag'], readonly Rule[]]> = [
  ['payment', PAYMENT_RULES],
  ['legal', LEGAL_RULES],
];
const WEAK_KINDS_SUFFICE = { payment: paymentWeakKindsSuffice, legal: legalWeakKindsSuffice };

/** Bump when code changes what the same rules find: entities, normalisation and closings, the how-to and client words of rules.ts. */
const ENGINE_VERSION = 5;

/** Changes whenever a rule or the engine changes; part of the policy version stored with each decision. */
export const DETECTOR_TERMS_FINGERPRINT = createHash('sha256')
  .update(JSON.stringify([ENGINE_VERSION, PAYMENT_RULES, LEGAL_RULES]))
  .digest('hex')
  .slice(0, 12);

/**
 * Mailroom's own payment and legal detectors (en/it/de/fr/es): phrases, phrases near each other, and
 * entities (valid IBANs, card numbers, amounts) in the subject, the text, the hidden text and the
 * attachment names. A flag is raised by one strong signal, or by weak signals of kinds that suffice
 * together (a lawyer's title and a deadline; not a lawyer's title alone). Every distinct (flag, term,
 * where) of a raised flag is recorded once: the strong signals, then the weak ones, each in the order
 * subject, body, hidden, attachment.
 */
export function detectFlags(input: DetectorInput): DetectorResult {
  const fields: Array<[DetectorMatch['where'], Field]> = [];
  if (input.subject) fields.push(['subject', prepareField(input.subject)]);
  if (input.text) fields.push(['body', prepareField(input.text)]);
  if (input.hiddenText) fields.push(['hidden', prepareField(input.hiddenText)]);
  for (const name of input.attachments ?? []) if (name) fields.push(['attachment', prepareField(attachmentWords(name))]);

  const found: Array<Hit & { flag: DetectorMatch['flag']; where: DetectorMatch['where']; field: number }> = [];
  fields.forEach(([where, field], index) => {
    for (const [flag, rules] of RULES) for (const rule of rules) for (const hit of applyRule(rule, field)) found.push({ ...hit, flag, where, field: index });
  });
  const raised = { payment: false, legal: false };
  for (const flag of ['payment', 'legal'] as const) {
    const hits = found.filter((f) => f.flag === flag);
    raised[flag] = hits.some((f) => f.weak === null) || WEAK_KINDS_SUFFICE[flag](new Set(hits.map((f) => f.weak ?? '')));
  }
  // Strong signals first, so a reason names what decided; words already reported for a flag in a field
  // (by an earlier rule, or inside a strong term: "avvocato" in "mio avvocato") are not named twice,
  // unless they are a weak signal of another kind that the flag needed.
  const reported: typeof found = [];
  for (const hit of [...found.filter((f) => f.weak === null), ...found.filter((f) => f.weak !== null)]) {
    if (!raised[hit.flag]) continue;
    const same = reported.filter((r) => r.flag === hit.flag && r.field === hit.field);
    const repeats = (r: (typeof found)[number]) => (r.weak === null || r.weak === hit.weak) && ((r.start < hit.end && hit.start < r.end) || r.term.toLowerCase().includes(hit.term.toLowerCase()));
    if (same.some(repeats)) continue;
    reported.push(hit);
  }
  const matches = reported.map(({ flag, term, where }) => ({ flag, term, where }));
  if (raised.payment) return { ...raised, matches };
  // Each hint once, in the order found (subject, body, hidden, attachment).
  const hints = new Map<string, DetectorMatch>();
  for (const f of found) if (f.flag === 'payment' && f.weak !== null && isPaymentHint(f.weak)) hints.set(`${f.where}\n${f.term.toLowerCase()}`, { flag: 'payment', term: f.term, where: f.where });
  return { ...raised, matches, ...(hints.size > 0 ? { paymentHints: [...hints.values()] } : {}) };
}

/**
 * Prepares every rule before the first email needs it, one rule per turn of the event loop so a
 * starting service goes on connecting to its mailboxes meanwhile; ends with one small email, for
 * the entities and the sentence tests. `mailroom run` calls it at start; without it the first
 * email pays for it.
 */
export async function warmDetectors(): Promise<void> {
  for (const [, rules] of RULES) {
    for (const rule of rules) {
      prepareRule(rule);
      await nextTurn();
    }
  }
  detectFlags({ subject: 'Invoice INV-2024-0031', text: 'How do I pay 49,00 EUR to IBAN DE89370400440532013000 for my client?', hiddenText: '' });
}
