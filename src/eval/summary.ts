import { ACTIONS, type PiiKind } from '../contract/index.js';
import { PREFILTER_KINDS } from './labels.js';
import { summarizePii } from './pii.js';
import type { EmailResult } from './run-eval.js';

/** Counts for one yes/no question: precision = tp / (tp + fp), recall = tp / (tp + fn); null when undefined. */
export interface Score {
  tp: number;
  fp: number;
  fn: number;
  precision: number | null;
  recall: number | null;
}

export interface Rate {
  hits: number;
  total: number;
}

/** One band of stated confidence and how often the intent in it was right: calibrated when they match. */
export interface ReliabilityBin {
  from: number;
  to: number;
  emails: number;
  meanConfidence: number | null;
  accuracy: number | null;
}

const RELIABILITY_EDGES = [0, 0.5, 0.7, 0.8, 0.9, 0.95, 1];

export interface EvalSummary {
  emails: number;
  languages: Record<string, number>;
  /** Emails the model could not be asked about (unreachable). */
  unclassified: number;
  flags: Record<'payment' | 'legal', Record<'model' | 'detectors' | 'local' | 'combined', Score>> & { vip: Score };
  safety: {
    /** Labeled payment, legal or VIP, yet suggested as a ticket: must be none. */
    flaggedTicketed: string[];
    /** Genuine support mail (no flag in its label) on which a payment or legal flag was raised. */
    supportFalselyFlagged: Rate & { files: string[] };
  };
  actions: { acceptable: Rate; exact: Rate; byExpected: Record<string, Rate>; byLanguage: Record<string, Rate> };
  prefilters: Record<string, Score>;
  /** Human-written mail (no pre-filter in its label) that a pre-filter decided on: must be none. */
  humanPrefiltered: string[];
  intent: {
    correct: Rate;
    byLanguage: Record<string, Rate>;
    confusion: Record<string, Record<string, number>>;
    reliability: ReliabilityBin[];
    /** Expected calibration error: the mean gap between stated confidence and accuracy, weighted by emails. */
    calibrationError: number | null;
  };
  tokens: { prompt: number; completion: number; classified: number };
  /** The PII detectors per kind against the labels, on the text the model is shown; `notShown` labeled values were not in it. */
  pii: { kinds: Record<PiiKind, Score>; labeled: number; notShown: number };
  /** Classified with and without placeholders: how often the action and the intent were the same; null when not measured. */
  redaction: { action: Rate; intent: Rate } | null;
  misses: Array<{ file: string; problems: string[]; action: string; reasons: string[] }>;
}

export function summarize(results: readonly EmailResult[]): EvalSummary {
  const count = <T>(items: readonly T[], key: (item: T) => string) => {
    const counts: Record<string, number> = {};
    for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
    return counts;
  };
  const rate = (items: readonly EmailResult[], hit: (r: EmailResult) => boolean): Rate => ({ hits: items.filter(hit).length, total: items.length });
  const byKey = (items: readonly EmailResult[], key: (r: EmailResult) => string, hit: (r: EmailResult) => boolean) =>
    Object.fromEntries(
      [...new Set(items.map(key))].sort().map((k) => [
        k,
        rate(
          items.filter((r) => key(r) === k),
          hit,
        ),
      ]),
    );
  const classified = results.filter((r) => r.label.prefilter === null && r.intent !== null);
  const genuineSupport = results.filter((r) => r.label.prefilter === null && r.label.intent === 'support' && !r.label.payment && !r.label.legal);
  const falselyFlagged = genuineSupport.filter((r) => r.flags.payment || r.flags.legal);
  const confusion: Record<string, Record<string, number>> = {};
  for (const r of classified) {
    const row = confusion[r.label.intent] ?? {};
    row[r.intent!] = (row[r.intent!] ?? 0) + 1;
    confusion[r.label.intent] = row;
  }
  return {
    emails: results.length,
    languages: count(results, (r) => r.label.language),
    unclassified: results.filter((r) => r.error !== null).length,
    flags: {
      payment: flagScores(results, 'payment'),
      legal: flagScores(results, 'legal'),
      vip: score(
        results,
        (r) => r.label.vip,
        (r) => r.flags.vip,
      ),
    },
    safety: {
      flaggedTicketed: results.filter((r) => (r.label.payment || r.label.legal || r.label.vip) && r.action === 'ticket').map((r) => r.file),
      supportFalselyFlagged: { hits: falselyFlagged.length, total: genuineSupport.length, files: falselyFlagged.map((r) => r.file) },
    },
    actions: {
      acceptable: rate(results, (r) => r.acceptable),
      exact: rate(results, (r) => r.action === r.label.expected_action),
      byExpected: Object.fromEntries(
        ACTIONS.map((a) => [
          a,
          rate(
            results.filter((r) => r.label.expected_action === a),
            (r) => r.acceptable,
          ),
        ]),
      ),
      byLanguage: byKey(
        results,
        (r) => r.label.language,
        (r) => r.acceptable,
      ),
    },
    prefilters: Object.fromEntries(
      PREFILTER_KINDS.map((kind) => [
        kind,
        score(
          results,
          (r) => r.label.prefilter === kind,
          (r) => r.prefilter === kind,
        ),
      ]),
    ),
    humanPrefiltered: results.filter((r) => r.label.prefilter === null && r.prefilter !== null && r.prefilter !== 'oversize').map((r) => r.file),
    intent: {
      correct: rate(classified, (r) => r.intent === r.label.intent),
      byLanguage: byKey(
        classified,
        (r) => r.label.language,
        (r) => r.intent === r.label.intent,
      ),
      confusion,
      ...reliabilityOf(classified),
    },
    tokens: { prompt: sum(results, (r) => r.promptTokens), completion: sum(results, (r) => r.completionTokens), classified: results.filter((r) => r.intent !== null).length },
    pii: piiSummary(results),
    redaction: redactionSummary(results),
    misses: results.flatMap((r) => {
      const problems = missesOf(r);
      return problems.length > 0 ? [{ file: r.file, problems, action: r.action, reasons: r.reasons.map((x) => x.text) }] : [];
    }),
  };
}

function piiSummary(results: readonly EmailResult[]): EvalSummary['pii'] {
  const scored = results.flatMap((r) => (r.pii ? [r.pii] : []));
  const counts = summarizePii(scored);
  const kinds = Object.fromEntries(
    // A kind the set labels nowhere (names in a set labeled before Mailroom looked for them) has no precision: its finds are not known wrong.
    Object.entries(counts).map(([kind, c]) => [
      kind,
      { ...c, precision: c.tp + c.fp === 0 || c.tp + c.fn === 0 ? null : c.tp / (c.tp + c.fp), recall: c.tp + c.fn === 0 ? null : c.tp / (c.tp + c.fn) },
    ]),
  ) as Record<PiiKind, Score>;
  return { kinds, labeled: results.reduce((n, r) => n + (r.label.pii?.length ?? 0), 0), notShown: scored.reduce((n, p) => n + p.notShown, 0) };
}

function redactionSummary(results: readonly EmailResult[]): EvalSummary['redaction'] {
  const compared = results.filter((r) => r.redaction !== null);
  if (compared.length === 0) return null;
  return { action: { hits: compared.filter((r) => r.redaction!.action).length, total: compared.length }, intent: { hits: compared.filter((r) => r.redaction!.intent).length, total: compared.length } };
}

function flagScores(results: readonly EmailResult[], flag: 'payment' | 'legal'): Record<'model' | 'detectors' | 'local' | 'combined', Score> {
  return {
    model: score(
      results,
      (r) => r.label[flag],
      (r) => r.modelFlags?.[flag] ?? false,
    ),
    detectors: score(
      results,
      (r) => r.label[flag],
      (r) => r.detectorFlags[flag],
    ),
    local: score(
      results,
      (r) => r.label[flag],
      (r) => r.localFlags?.[flag] ?? false,
    ),
    combined: score(
      results,
      (r) => r.label[flag],
      (r) => r.flags[flag],
    ),
  };
}

export function score<T>(items: readonly T[], truth: (item: T) => boolean, said: (item: T) => boolean): Score {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const item of items) {
    const t = truth(item);
    const s = said(item);
    if (t && s) tp++;
    else if (s) fp++;
    else if (t) fn++;
  }
  return { tp, fp, fn, precision: tp + fp === 0 ? null : tp / (tp + fp), recall: tp + fn === 0 ? null : tp / (tp + fn) };
}

function reliabilityOf(classified: readonly EmailResult[]): { reliability: ReliabilityBin[]; calibrationError: number | null } {
  const rated = classified.filter((r) => r.confidence !== null);
  const reliability = RELIABILITY_EDGES.slice(0, -1).map((from, i) => {
    const to = RELIABILITY_EDGES[i + 1]!;
    const last = i === RELIABILITY_EDGES.length - 2;
    const inBin = rated.filter((r) => r.confidence! >= from && (r.confidence! < to || (last && r.confidence! <= to)));
    const n = inBin.length;
    return {
      from,
      to,
      emails: n,
      meanConfidence: n === 0 ? null : sum(inBin, (r) => r.confidence!) / n,
      accuracy: n === 0 ? null : inBin.filter((r) => r.intent === r.label.intent).length / n,
    };
  });
  const gap = reliability.reduce((total, bin) => total + (bin.emails === 0 ? 0 : bin.emails * Math.abs(bin.meanConfidence! - bin.accuracy!)), 0);
  return { reliability, calibrationError: rated.length === 0 ? null : gap / rated.length };
}

function missesOf(r: EmailResult): string[] {
  const problems: string[] = [];
  if (r.error) problems.push(r.error);
  if (!r.acceptable && !r.error)
    problems.push(
      `action ${r.action}, expected ${r.label.expected_action}${r.label.acceptable_actions.length > 1 ? ` (or ${r.label.acceptable_actions.filter((a) => a !== r.label.expected_action).join(', ')})` : ''}`,
    );
  for (const flag of ['payment', 'legal', 'vip'] as const) {
    if (r.label[flag] && !r.flags[flag]) problems.push(`${flag} not flagged`);
    if (!r.label[flag] && r.flags[flag]) problems.push(`${flag} flagged wrongly`);
  }
  if (r.label.prefilter !== r.prefilter && (r.label.prefilter !== null || r.prefilter !== null)) problems.push(`pre-filter ${r.prefilter ?? 'none'}, expected ${r.label.prefilter ?? 'none'}`);
  if (r.intent !== null && r.label.prefilter === null && r.intent !== r.label.intent) problems.push(`intent ${r.intent}, expected ${r.label.intent}`);
  return problems;
}

function sum(results: readonly EmailResult[], value: (r: EmailResult) => number): number {
  return results.reduce((total, r) => total + value(r), 0);
}
