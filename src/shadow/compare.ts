import type { Action } from '../contract/index.js';

/**
 * Two classifiers' decisions on the same emails, side by side: the live one and a shadow candidate
 * (`mailroom shadow report`), or A and B on a labeled folder (`mailroom eval --compare`). Pure:
 * the callers load the rows.
 */

/** What one side decided on one email. */
export interface Side {
  action: Action;
  /** Null when no classification was made (the model answered invalidly). */
  intent: string | null;
  flags: { payment: boolean; legal: boolean };
  /** Model latency; null when not measured (a cache hit, no answer). */
  latencyMs: number | null;
  promptTokens: number | null;
  completionTokens: number | null;
}

/** What a person said the email should have had (the latest correction), when someone said. */
export interface Truth {
  action: Action;
  intent: string | null;
}

export interface ComparedEmail {
  id: string;
  a: Side;
  /** Null when the second side has no answer (still waiting, or failed). */
  b: Side | null;
  truth?: Truth | null;
}

export interface Rate {
  hits: number;
  total: number;
}

export interface Flip {
  from: Action;
  to: Action;
  count: number;
  /** The first few ids, to look at. */
  ids: string[];
}

export interface FlagChange {
  /** Raised by B, not by A. */
  gained: number;
  /** Raised by A, not by B. */
  lost: number;
  gainedIds: string[];
  lostIds: string[];
}

export interface LatencySummary {
  measured: number;
  p50: number | null;
  p95: number | null;
}

export interface TokenSummary {
  prompt: number;
  completion: number;
  /** Emails with a token count. */
  emails: number;
}

export interface Comparison {
  /** Emails both sides answered. */
  compared: number;
  sameAction: Rate;
  /** Among emails both sides gave an intent for. */
  sameIntent: Rate;
  /** Against the people's corrections, on the compared emails that have one. */
  truth: { emails: number; a: { action: Rate; intent: Rate }; b: { action: Rate; intent: Rate } };
  /** A's action → B's action, where they differ, most frequent first. */
  flips: Flip[];
  flags: { payment: FlagChange; legal: FlagChange };
  latency: { a: LatencySummary; b: LatencySummary };
  tokens: { a: TokenSummary; b: TokenSummary };
}

const EXAMPLE_IDS = 5;

export function compareDecisions(emails: readonly ComparedEmail[]): Comparison {
  const both = emails.filter((e): e is ComparedEmail & { b: Side } => e.b !== null);
  const rate = <T>(items: readonly T[], hit: (item: T) => boolean): Rate => ({ hits: items.filter(hit).length, total: items.length });
  const withIntents = both.filter((e) => e.a.intent !== null && e.b.intent !== null);
  const judged = both.filter((e): e is ComparedEmail & { b: Side; truth: Truth } => Boolean(e.truth));
  const judgedIntent = judged.filter((e) => e.truth.intent !== null);
  const flips = new Map<string, Flip>();
  for (const e of both) {
    if (e.a.action === e.b.action) continue;
    const key = `${e.a.action}>${e.b.action}`;
    const flip = flips.get(key) ?? { from: e.a.action, to: e.b.action, count: 0, ids: [] };
    flip.count++;
    if (flip.ids.length < EXAMPLE_IDS) flip.ids.push(e.id);
    flips.set(key, flip);
  }
  const flagChange = (flag: 'payment' | 'legal'): FlagChange => {
    const gained = both.filter((e) => e.b.flags[flag] && !e.a.flags[flag]).map((e) => e.id);
    const lost = both.filter((e) => e.a.flags[flag] && !e.b.flags[flag]).map((e) => e.id);
    return { gained: gained.length, lost: lost.length, gainedIds: gained.slice(0, EXAMPLE_IDS), lostIds: lost.slice(0, EXAMPLE_IDS) };
  };
  return {
    compared: both.length,
    sameAction: rate(both, (e) => e.a.action === e.b.action),
    sameIntent: rate(withIntents, (e) => e.a.intent === e.b.intent),
    truth: {
      emails: judged.length,
      a: { action: rate(judged, (e) => e.a.action === e.truth.action), intent: rate(judgedIntent, (e) => e.a.intent === e.truth.intent) },
      b: { action: rate(judged, (e) => e.b.action === e.truth.action), intent: rate(judgedIntent, (e) => e.b.intent === e.truth.intent) },
    },
    flips: [...flips.values()].sort((x, y) => y.count - x.count || `${x.from}${x.to}`.localeCompare(`${y.from}${y.to}`)),
    flags: { payment: flagChange('payment'), legal: flagChange('legal') },
    // Each side over every email it answered, so a side's figures do not depend on the other's failures.
    latency: { a: latencyOf(emails.map((e) => e.a)), b: latencyOf(both.map((e) => e.b)) },
    tokens: { a: tokensOf(emails.map((e) => e.a)), b: tokensOf(both.map((e) => e.b)) },
  };
}

function latencyOf(sides: readonly Side[]): LatencySummary {
  const values = sides.flatMap((s) => (s.latencyMs === null ? [] : [s.latencyMs])).sort((x, y) => x - y);
  return { measured: values.length, p50: percentile(values, 0.5), p95: percentile(values, 0.95) };
}

/** Nearest rank: the smallest value with at least `q` of the values at or below it. */
export function percentile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

function tokensOf(sides: readonly Side[]): TokenSummary {
  const counted = sides.filter((s) => s.promptTokens !== null || s.completionTokens !== null);
  return {
    prompt: counted.reduce((n, s) => n + (s.promptTokens ?? 0), 0),
    completion: counted.reduce((n, s) => n + (s.completionTokens ?? 0), 0),
    emails: counted.length,
  };
}

const pct = (r: Rate) => (r.total === 0 ? '–' : `${((r.hits / r.total) * 100).toFixed(1)}% (${r.hits}/${r.total})`);

/** The comparison for people; `names` are the two sides as the reader knows them. */
export function formatComparison(c: Comparison, names: { a: string; b: string }, options: { truthWord?: string } = {}): string[] {
  const lines: string[] = [];
  lines.push(`  same action ${pct(c.sameAction)}   same intent ${pct(c.sameIntent)}`);
  if (c.truth.emails > 0) {
    const head = `  ${options.truthWord ?? 'corrected'} emails ${c.truth.emails}: `;
    lines.push(`${head}action right  ${names.a} ${pct(c.truth.a.action)}   ${names.b} ${pct(c.truth.b.action)}`);
    if (c.truth.a.intent.total > 0) lines.push(`${' '.repeat(head.length)}intent right  ${names.a} ${pct(c.truth.a.intent)}   ${names.b} ${pct(c.truth.b.intent)}`);
  }
  lines.push('', `Flips (${names.a} → ${names.b})`);
  if (c.flips.length === 0) lines.push('  none: every compared email got the same action');
  for (const flip of c.flips) lines.push(`  ${`${flip.from} → ${flip.to}`.padEnd(18)} ${String(flip.count).padStart(5)}   e.g. ${flip.ids.join(', ')}`);
  lines.push('', `Flags (raised by ${names.b} and not ${names.a}: gained; the reverse: lost)`);
  for (const flag of ['payment', 'legal'] as const) {
    const f = c.flags[flag];
    const ids = [...f.gainedIds.map((id) => `+${id}`), ...f.lostIds.map((id) => `-${id}`)];
    lines.push(`  ${flag.padEnd(8)} gained ${String(f.gained).padStart(4)}   lost ${String(f.lost).padStart(4)}${ids.length ? `   ${ids.join(', ')}` : ''}`);
  }
  const ms = (v: number | null) => (v === null ? '–' : `${v} ms`);
  const width = Math.max(names.a.length, names.b.length);
  lines.push('', 'Latency of the model call (p50 / p95)');
  for (const side of ['a', 'b'] as const) {
    const l = c.latency[side];
    lines.push(`  ${names[side].padEnd(width)}  ${ms(l.p50)} / ${ms(l.p95)}   over ${l.measured} emails`);
  }
  lines.push('', 'Tokens (prompt + completion)');
  for (const side of ['a', 'b'] as const) {
    const t = c.tokens[side];
    const per = t.emails > 0 ? `, ${Math.round((t.prompt + t.completion) / t.emails)} per email` : '';
    lines.push(`  ${names[side].padEnd(width)}  ${t.prompt} + ${t.completion} over ${t.emails} emails${per}`);
  }
  return lines;
}
