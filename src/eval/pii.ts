import type { ParsedEmail } from '../parse/index.js';
import { detectPii, PII_KINDS, type PiiKind, senderNames } from '../redact/index.js';
import type { Label } from './labels.js';

export interface PiiScore {
  tp: number;
  fp: number;
  fn: number;
}

export interface PiiEmailResult {
  /** Labeled values found / missed, and detections no label names. */
  found: Array<{ kind: PiiKind; value: string }>;
  missed: Array<{ kind: PiiKind; value: string }>;
  extra: Array<{ kind: PiiKind; value: string }>;
  /** Labeled values that are not in the text the model is shown (a signature cut away, an attachment): not scored. */
  notShown: number;
}

const norm = (text: string) => text.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');

/**
 * Scores the detectors on one labeled email, on the text the model is shown (subject and cleaned
 * text). A labeled value is found when a detection of the same kind overlaps it (one contains the
 * other once spaces and punctuation are set aside); a detection no label of its kind names is extra.
 */
export function scorePii(label: Label, email: Pick<ParsedEmail, 'subject' | 'cleanText' | 'from'>): PiiEmailResult {
  const text = `${email.subject}\n${email.cleanText}`;
  const shown = norm(text);
  const labels = (label.pii ?? []).filter((p) => shown.includes(norm(p.value)));
  const detections = detectPii(text, senderNames(email)).map((m) => ({ kind: m.kind, value: m.value }));
  const same = (a: { kind: PiiKind; value: string }, b: { kind: PiiKind; value: string }) => a.kind === b.kind && (norm(a.value).includes(norm(b.value)) || norm(b.value).includes(norm(a.value)));
  return {
    found: labels.filter((l) => detections.some((d) => same(d, l))),
    missed: labels.filter((l) => !detections.some((d) => same(d, l))),
    extra: detections.filter((d) => !labels.some((l) => same(d, l))),
    notShown: (label.pii ?? []).length - labels.length,
  };
}

/** Precision and recall per kind over many emails. */
export function summarizePii(results: readonly PiiEmailResult[]): Record<PiiKind, PiiScore> {
  const scores = Object.fromEntries(PII_KINDS.map((k) => [k, { tp: 0, fp: 0, fn: 0 }])) as Record<PiiKind, PiiScore>;
  for (const r of results) {
    for (const f of r.found) scores[f.kind].tp++;
    for (const m of r.missed) scores[m.kind].fn++;
    for (const e of r.extra) scores[e.kind].fp++;
  }
  return scores;
}
