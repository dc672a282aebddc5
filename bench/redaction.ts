/**
 * `npm run bench:pii`: the time redaction adds per message — finding the personal data of an email
 * and making the view a hosted model is shown (examineEmail), plus the redacted event fields — over
 * the examples, the labeled sets and the public corpus when it is there, and over mail full of
 * numbers (a pasted log, a CSV export) at the classifier's length cap and far beyond it. Parsing is
 * done first and not counted. A set of a single message is timed 50 times (the mean, median and p95
 * are over those). Prints a table; asserts nothing about time.
 *
 *   npm run bench:pii -- [--no-corpus] [--rounds 3]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ParsedEmail } from '../src/parse/index.js';
import { DEFAULT_MAX_CLEAN_CHARS, parseEmail } from '../src/parse/parse-email.js';
import { examineEmail, PII_KINDS, redactedFields } from '../src/redact/index.js';
import { loadSourceMessages } from './support/message-pool.js';
import { percentile, round } from './support/stats.js';

const { values: flags } = parseArgs({ options: { 'no-corpus': { type: 'boolean', default: false }, rounds: { type: 'string', default: '3' } } });
const median = (xs: readonly number[]) => percentile(xs, 50);
const rounds = Math.max(1, Number(flags.rounds));
const ALL = new Set(PII_KINDS);

function emlIn(dir: string): Buffer[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.eml'))
    .sort()
    .map((f) => readFileSync(join(dir, f)));
}

async function parsedAll(raws: readonly Buffer[]): Promise<ParsedEmail[]> {
  const out: ParsedEmail[] = [];
  for (const raw of raws) {
    try {
      out.push(await parseEmail(raw, { maxCleanChars: DEFAULT_MAX_CLEAN_CHARS }));
    } catch {
      // Unparseable mail never reaches the model: nothing to redact.
    }
  }
  return out;
}

function numbersMail(lines: number): Buffer {
  const rows = Array.from({ length: lines }, (_, i) => {
    const n = 1_000_000 + i * 7919;
    return i % 2 === 0
      ? `2026-11-${String((i % 28) + 1).padStart(2, '0')} 12:${String(i % 60).padStart(2, '0')}:07 worker-${i % 8} job=${n} took=${(i * 37) % 9999}ms rows=${(i * 131) % 99999} ip=10.0.${i % 255}.${(i * 7) % 255}`
      : `${i};${n};${(n * 13) % 100000000};${(i * 3.7).toFixed(2)};+${(i * 17) % 1000},00;${String(n).padStart(16, '4')};OK`;
  });
  return Buffer.from(
    `From: ops@example.com\r\nTo: support@example.com\r\nSubject: export ${lines} rows\r\nMessage-ID: <n${lines}@example.com>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHere is the export:\r\n${rows.join('\r\n')}\r\n`,
  );
}

/** CPU milliseconds of this process (user + system): on a shared, loaded machine wall-clock time mostly measures the neighbours. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** CPU milliseconds per message of the model's view, and of the view plus the redacted event fields (subject and the whole newest text). */
function time(emails: readonly ParsedEmail[]): { view: number[]; withEvent: number[] } {
  const view: number[] = [];
  const withEvent: number[] = [];
  for (let round = 0; round < rounds; round++) {
    // The view and the event fields in separate passes: the garbage the event fields of a 400 KB
    // text leave behind is collected during their own pass, not charged to the next message's view.
    const views = emails.map((email) => {
      const start = cpuMs();
      examineEmail(email, { redact: ALL });
      return cpuMs() - start;
    });
    const fields = emails.map((email) => {
      const start = cpuMs();
      redactedFields(email);
      return cpuMs() - start;
    });
    if (round === rounds - 1) {
      view.push(...views);
      withEvent.push(...views.map((v, i) => v + fields[i]!));
    }
  }
  return { view, withEvent };
}

const sets: Array<[string, Buffer[]]> = [
  ['examples + corpus', loadSourceMessages({ corpus: !flags['no-corpus'] }).map((s) => s.raw)],
  ['eval/test', emlIn('eval/test')],
  ['eval/pii/test', emlIn('eval/pii/test')],
  ['log/CSV, 200 lines', [numbersMail(200)]],
  ['log/CSV, 5,000 lines (400 KB)', [numbersMail(5000)]],
];

console.log(`set | messages | model view, CPU ms/message: mean / median / p95 / max | with redacted event fields: mean / p95 / max   (round ${rounds} of ${rounds})`);
console.log('--- | --- | --- | ---');
/** A set of one or two messages is timed 50 times over: one sample on a shared machine measures the neighbours more than the message. */
const MIN_SAMPLES = 50;

for (const [name, raws] of sets) {
  const emails = await parsedAll(raws);
  const repeats = Math.max(1, Math.ceil(MIN_SAMPLES / Math.max(1, emails.length)));
  const { view, withEvent } = time(Array.from({ length: repeats }, () => emails).flat());
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const r = (x: number) => round(x, 3);
  console.log(
    `${name} | ${emails.length} | ${r(mean(view))} / ${r(median(view))} / ${r(percentile(view, 95))} / ${r(Math.max(...view))} | ${r(mean(withEvent))} / ${r(percentile(withEvent, 95))} / ${r(Math.max(...withEvent))}`,
  );
}
