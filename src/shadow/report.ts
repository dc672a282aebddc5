import { sql } from 'kysely';
import type { Action, Classification, Flags } from '../contract/index.js';
import type { Db } from '../db/index.js';
import { visible } from '../util/terminal-text.js';
import { type ComparedEmail, type Comparison, compareDecisions, formatComparison } from './compare.js';

/** One candidate's results over a period, against the live decisions and the people's corrections. */
export interface ShadowReport {
  candidate: string;
  /** Prompt or model versions the candidate ran as over the period (changes show as several). */
  versions: string[];
  shadowed: number;
  classified: number;
  waiting: number;
  failed: number;
  /** Classified, but the candidate's answer was not valid (decided as without one: review). */
  invalid: number;
  comparison: Comparison;
}

interface Row {
  email_id: string;
  candidate: string;
  status: string;
  candidate_version: string | null;
  s_classification: Classification | null;
  s_action: Action | null;
  s_flags: Flags | null;
  s_latency: number | null;
  s_prompt: number | null;
  s_completion: number | null;
  s_error: string | null;
  l_action: Action;
  l_flags: Flags;
  l_output: Classification | null;
  l_latency: number | null;
  l_mode: string | null;
  l_prompt: number | null;
  l_completion: number | null;
  c_action: Action | null;
  c_intent: string | null;
}

/** Every candidate's report since `since` (all time when null), the most recently shadowed first. */
export async function shadowReports(db: Db, options: { since?: Date | null; candidate?: string | null } = {}): Promise<ShadowReport[]> {
  const since = options.since ? sql`and s.created_at >= ${options.since}` : sql``;
  const only = options.candidate ? sql`and s.candidate = ${options.candidate}` : sql``;
  const { rows } = await sql<Row>`
    select s.email_id, s.candidate, s.status, s.candidate_version,
           s.classification as s_classification, s.action as s_action, s.flags as s_flags,
           s.latency_ms as s_latency, s.prompt_tokens as s_prompt, s.completion_tokens as s_completion, s.error as s_error,
           d.action as l_action, d.flags as l_flags,
           c.output as l_output, c.latency_ms as l_latency, c.mode as l_mode, c.prompt_tokens as l_prompt, c.completion_tokens as l_completion,
           cor.to_action as c_action, cor.intent as c_intent
    from shadow_results s
    join decisions d on d.email_id = s.email_id
    left join classifications c on c.id = d.classification_id
    left join lateral (
      select to_action, intent from corrections k where k.email_id = s.email_id order by k.created_at desc, k.id desc limit 1
    ) cor on true
    where true ${since} ${only}
    order by s.created_at desc, s.id desc`.execute(db);
  const byCandidate = new Map<string, Row[]>();
  for (const row of rows) byCandidate.set(row.candidate, [...(byCandidate.get(row.candidate) ?? []), row]);
  return [...byCandidate.entries()].map(([candidate, list]) => reportOf(candidate, list));
}

function reportOf(candidate: string, rows: Row[]): ShadowReport {
  const emails: ComparedEmail[] = rows.map((r) => ({
    id: r.email_id,
    a: {
      action: r.l_action,
      intent: r.l_output?.intent ?? null,
      flags: { payment: r.l_flags.payment, legal: r.l_flags.legal },
      // A cache hit or a cascade answer made no model call: its 0 ms would flatter the live side.
      latencyMs: r.l_mode === 'cache' || r.l_mode === 'cascade' ? null : r.l_latency,
      promptTokens: r.l_prompt,
      completionTokens: r.l_completion,
    },
    b:
      r.status === 'done' && r.s_action
        ? {
            action: r.s_action,
            intent: r.s_classification?.intent ?? null,
            flags: { payment: r.s_flags?.payment ?? false, legal: r.s_flags?.legal ?? false },
            latencyMs: r.s_latency,
            promptTokens: r.s_prompt,
            completionTokens: r.s_completion,
          }
        : null,
    truth: r.c_action ? { action: r.c_action, intent: r.c_intent } : null,
  }));
  return {
    candidate,
    versions: [...new Set(rows.flatMap((r) => (r.candidate_version ? [r.candidate_version] : [])))],
    shadowed: rows.length,
    classified: rows.filter((r) => r.status === 'done').length,
    waiting: rows.filter((r) => r.status === 'pending').length,
    failed: rows.filter((r) => r.status === 'failed').length,
    invalid: rows.filter((r) => r.status === 'done' && r.s_error !== null).length,
    comparison: compareDecisions(emails),
  };
}

/** The report for people. */
export function formatShadowReport(reports: readonly ShadowReport[], header: { since: Date | null }): string {
  const period = header.since ? `since ${header.since.toISOString().slice(0, 16).replace('T', ' ')} UTC` : 'all time';
  if (reports.length === 0)
    return `No shadow results (${period}). Set classifier.shadow and run \`mailroom run\` (or \`mailroom triage FILES\`): every classified email is then classified by the candidate too.\n`;
  const out: string[] = [];
  for (const r of reports) {
    if (out.length > 0) out.push('');
    out.push(`Shadow candidate ${visible(r.candidate)}${r.versions.length ? ` (version ${r.versions.map(visible).join(', ')})` : ''}, ${period}`);
    out.push(
      `  shadowed ${r.shadowed}: ${r.classified} classified${r.invalid ? ` (${r.invalid} without a valid answer: review)` : ''}, ${r.waiting} waiting, ${r.failed} failed (the candidate could not be reached)`,
    );
    out.push(...formatComparison(r.comparison, { a: 'live', b: 'candidate' }));
  }
  return `${out.join('\n')}\n`;
}
