import { INTENTS } from '../contract/index.js';
import { visible } from '../util/terminal-text.js';
import type { EvalSummary, Rate, Score } from './summary.js';

const pct = (n: number | null) => (n === null ? '   – ' : `${(n * 100).toFixed(1).padStart(5)}%`);
const rate = (r: Rate) => `${pct(r.total === 0 ? null : r.hits / r.total)} (${r.hits}/${r.total})`;
const pr = (s: Score) => `P ${pct(s.precision)} R ${pct(s.recall)}  (${s.tp} right, ${s.fp} wrong, ${s.fn} missed)`;

/** The eval report for people: what the safety net caught, how the actions came out, and every miss. */
export function formatReport(summary: EvalSummary, header: { folder: string; classifier: string }): string {
  const lines: string[] = [];
  const languages = Object.entries(summary.languages)
    .map(([l, n]) => `${l} ${n}`)
    .join(', ');
  lines.push(`Mailroom eval of ${header.folder}: ${summary.emails} emails (${languages}); classifier ${header.classifier}`);
  if (summary.unclassified > 0) lines.push(`  ${summary.unclassified} emails could not be classified (see the misses): their figures are missing below`);
  lines.push('', 'Flags (P = precision: right of those raised; R = recall: found of those labeled)');
  for (const flag of ['payment', 'legal'] as const) {
    for (const who of ['model', 'detectors', 'local', 'combined'] as const) {
      const s = summary.flags[flag][who];
      if (who === 'local' && s.tp + s.fp === 0) continue;
      lines.push(`  ${flag.padEnd(8)} ${who.padEnd(10)} ${pr(s)}`);
    }
  }
  lines.push(`  ${'vip'.padEnd(8)} ${'config'.padEnd(10)} ${pr(summary.flags.vip)}`);
  const { flaggedTicketed, supportFalselyFlagged } = summary.safety;
  lines.push('', 'Safety');
  lines.push(`  payment, legal or VIP mail suggested as a ticket: ${flaggedTicketed.length}${flaggedTicketed.length > 0 ? ` (${flaggedTicketed.join(', ')})` : ''}`);
  lines.push(`  genuine support mail falsely flagged:             ${rate(supportFalselyFlagged)}`);
  lines.push(`  human-written mail decided by a pre-filter:       ${summary.humanPrefiltered.length}${summary.humanPrefiltered.length > 0 ? ` (${summary.humanPrefiltered.join(', ')})` : ''}`);
  lines.push('', 'Actions');
  lines.push(`  acceptable ${rate(summary.actions.acceptable)}   exactly the expected one ${rate(summary.actions.exact)}`);
  lines.push(
    `  by expected action: ${Object.entries(summary.actions.byExpected)
      .map(([a, r]) => `${a} ${rate(r)}`)
      .join('   ')}`,
  );
  lines.push(
    `  by language:        ${Object.entries(summary.actions.byLanguage)
      .map(([l, r]) => `${l} ${rate(r)}`)
      .join('   ')}`,
  );
  lines.push('', 'Pre-filters');
  for (const [kind, s] of Object.entries(summary.prefilters)) if (s.tp + s.fp + s.fn > 0) lines.push(`  ${kind.padEnd(12)} ${pr(s)}`);
  lines.push('', `Intent of classified mail: ${rate(summary.intent.correct)}`);
  lines.push(
    `  by language: ${Object.entries(summary.intent.byLanguage)
      .map(([l, r]) => `${l} ${rate(r)}`)
      .join('   ')}`,
  );
  lines.push(...confusionMatrix(summary.intent.confusion));
  lines.push(...reliabilityTable(summary));
  lines.push(...piiLines(summary));
  const { prompt, completion, classified } = summary.tokens;
  lines.push('', `Tokens: ${prompt} prompt + ${completion} completion over ${classified} classified emails${classified > 0 ? ` (${Math.round((prompt + completion) / classified)} per email)` : ''}`);
  lines.push('', `Misses (${summary.misses.length})`);
  for (const miss of summary.misses) {
    lines.push(`  ${visible(miss.file)}: ${visible(miss.problems.join('; '))}`);
    if (miss.reasons.length > 0) lines.push(`      decided ${miss.action}: ${visible(miss.reasons.join(' | '))}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Stated confidence against how often the intent was right, band by band. */
function reliabilityTable(summary: EvalSummary): string[] {
  const { reliability, calibrationError } = summary.intent;
  if (calibrationError === null) return [];
  const rows = reliability
    .filter((bin) => bin.emails > 0)
    .map((bin) => `  ${`${bin.from.toFixed(2)}–${bin.to.toFixed(2)}`.padEnd(12)}${String(bin.emails).padStart(7)}   ${pct(bin.meanConfidence)}      ${pct(bin.accuracy)}`);
  return [
    '',
    `Reliability of the intent confidence (calibration error ${(calibrationError * 100).toFixed(1)} points)`,
    `  ${'confidence'.padEnd(12)}${'emails'.padStart(7)}   stated      right`,
    ...rows,
  ];
}

/** Rows are the labeled intent, columns what the classifier said. */
function confusionMatrix(confusion: Record<string, Record<string, number>>): string[] {
  const columns = INTENTS.filter((i) => Object.values(confusion).some((row) => (row[i] ?? 0) > 0));
  const rows = INTENTS.filter((i) => confusion[i]);
  if (rows.length === 0) return [];
  const short = (intent: string) => intent.slice(0, 6);
  const head = `  ${'labeled \\ said'.padEnd(14)}${columns.map((c) => short(c).padStart(7)).join('')}`;
  return [head, ...rows.map((r) => `  ${r.padEnd(14)}${columns.map((c) => String(confusion[r]?.[c] ?? '.').padStart(7)).join('')}`)];
}

function piiLines(summary: EvalSummary): string[] {
  const lines = [
    '',
    `Personal data: the detectors on the text the model is shown (${summary.pii.labeled} labeled values${summary.pii.notShown > 0 ? `, ${summary.pii.notShown} of them not in that text` : ''})`,
  ];
  for (const [kind, s] of Object.entries(summary.pii.kinds)) {
    if (s.tp + s.fn === 0 && s.fp > 0) lines.push(`  ${kind.padEnd(12)} not labeled in this set (${s.fp} found, not scored)`);
    else if (s.tp + s.fp + s.fn > 0) lines.push(`  ${kind.padEnd(12)} ${pr(s)}`);
  }
  const r = summary.redaction;
  if (r) lines.push(`  classified with and without placeholders: same action ${rate(r.action)}, same intent ${rate(r.intent)}`);
  return lines;
}
