import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isMalformedEmailError } from '../../src/parse/index.js';
import { DEFAULT_MAX_CLEAN_CHARS, parseEmail } from '../../src/parse/parse-email.js';

const corpus = fileURLToPath(new URL('../../../shared/corpus/raw', import.meta.url));
// The corpus holds two files that are not email at all: a plain text file without headers (RT's
// test suite) and an Outlook .msg (OLE) file (SpamScope's). Everything else must parse.
const KNOWN_NON_EMAIL = new Map([
  ['rt/0011.eml', 'no-headers'],
  ['spamscope/0003.eml', 'binary'],
]);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

test('every corpus message parses and cleans without throwing', { skip: !existsSync(corpus) && `corpus not found at ${corpus}` }, async () => {
  const files = readdirSync(corpus)
    .filter((dir) => statSync(join(corpus, dir)).isDirectory())
    .flatMap((dir) =>
      readdirSync(join(corpus, dir))
        .filter((f) => f.endsWith('.eml'))
        .map((f) => `${dir}/${f}`),
    )
    .sort();
  assert.ok(files.length > 1000, `expected the full corpus, found ${files.length} files`);
  const raw: number[] = [];
  const clean: number[] = [];
  const rejected = new Map<string, string>();
  for (const file of files) {
    try {
      const email = await parseEmail(readFileSync(join(corpus, file)));
      assert.ok(email.cleanChars <= Math.min(email.rawChars, DEFAULT_MAX_CLEAN_CHARS), `${file}: clean ${email.cleanChars} > raw ${email.rawChars}`);
      assert.equal(email.cleanChars, email.cleanText.length, file);
      assert.ok(email.newestText.trim() || !email.fullText.trim(), `${file}: empty newestText for a message with text`);
      assert.doesNotMatch(email.cleanText, /[\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/, file);
      raw.push(email.rawChars);
      clean.push(email.cleanChars);
    } catch (error) {
      if (!isMalformedEmailError(error)) throw new Error(`${file}: ${String(error)}`, { cause: error });
      rejected.set(file, error.reason);
    }
  }
  assert.deepEqual(Object.fromEntries(rejected), Object.fromEntries(KNOWN_NON_EMAIL));
  raw.sort((a, b) => a - b);
  clean.sort((a, b) => a - b);
  console.log(
    `corpus: ${files.length} files, ${raw.length} parsed, rejected ${[...rejected.keys()].join(', ') || 'none'}; ` +
      `raw chars median ${percentile(raw, 50)} p95 ${percentile(raw, 95)}; clean chars median ${percentile(clean, 50)} p95 ${percentile(clean, 95)}`,
  );
});
