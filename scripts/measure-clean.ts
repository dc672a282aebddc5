// Parses every message of ../shared/corpus/raw (or the folder given) and prints raw vs cleaned
// character counts and what parsing and cleaning cost (wall clock, after a warm-up pass: run it
// on an idle machine). Run: npx tsx scripts/measure-clean.ts [DIR]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { simpleParser } from 'mailparser';
import { bodyText } from '../src/parse/body-text.js';
import { capLength } from '../src/parse/cap-length.js';
import { isMalformedEmailError } from '../src/parse/index.js';
import { extractNewestMessage } from '../src/parse/newest-message.js';
import { DEFAULT_MAX_CLEAN_CHARS, parseEmail } from '../src/parse/parse-email.js';

const root = process.argv[2] ?? fileURLToPath(new URL('../../shared/corpus/raw', import.meta.url));

function emlFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) return emlFiles(path);
      return entry.endsWith('.eml') ? [path] : [];
    });
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

const files = emlFiles(root);
const raw: number[] = [];
const clean: number[] = [];
const newest: number[] = [];
const hidden: number[] = [];
const parseMs: number[] = [];
const cleanMs: number[] = [];
const rejected: string[] = [];
let truncated = 0;

// One untimed pass first, so that the figures are not about JIT warm-up.
const contents = files.map((file) => readFileSync(file));
for (const bytes of contents) await parseEmail(bytes).catch(() => undefined);

for (const [index, file] of files.entries()) {
  const bytes = contents[index] as Buffer;
  const started = performance.now();
  try {
    const email = await parseEmail(bytes);
    parseMs.push(performance.now() - started);
    raw.push(email.rawChars);
    clean.push(email.cleanChars);
    newest.push(email.newestText.length);
    hidden.push(email.hiddenText.length);
    if (email.truncated) truncated++;
  } catch (error) {
    if (!isMalformedEmailError(error)) throw error;
    rejected.push(`${file}: ${error.message}`);
    continue;
  }
  // The cleaning alone, on mailparser's output, to compare with mailparser's own cost.
  const mail = await simpleParser(bytes, { skipHtmlToText: true, keepCidLinks: true, skipImageLinks: true, checksumAlgo: false });
  const t0 = performance.now();
  const body = bodyText({ html: mail.html, text: mail.text });
  capLength(extractNewestMessage(body.fullText, { subject: mail.subject ?? '' }), DEFAULT_MAX_CLEAN_CHARS);
  cleanMs.push(performance.now() - t0);
}

const row = (name: string, values: number[], digits = 0): string =>
  `${name.padEnd(26)} median ${percentile(values, 50).toFixed(digits).padStart(8)}   p95 ${percentile(values, 95).toFixed(digits).padStart(8)}   max ${Math.max(0, ...values)
    .toFixed(digits)
    .padStart(9)}`;

console.log(`${files.length} files under ${root}; ${raw.length} parsed, ${rejected.length} rejected, ${truncated} capped at ${DEFAULT_MAX_CLEAN_CHARS}`);
console.log(row('raw chars (fullText)', raw));
console.log(row('newest chars', newest));
console.log(row('clean chars (cleanText)', clean));
console.log(row('hidden chars', hidden));
console.log(row('parseEmail ms', parseMs, 2));
console.log(row('cleaning only ms', cleanMs, 2));
console.log(`cleaning total ${cleanMs.reduce((a, b) => a + b, 0).toFixed(0)} ms, parseEmail total ${parseMs.reduce((a, b) => a + b, 0).toFixed(0)} ms`);
for (const line of rejected) console.log(`rejected ${line}`);
