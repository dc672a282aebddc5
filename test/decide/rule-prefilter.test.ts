import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { detectFlags, warmDetectors } from '../../src/decide/detectors/detect-flags.js';
import { ENTITIES } from '../../src/decide/detectors/entities.js';
import { LEGAL_RULES } from '../../src/decide/detectors/legal-signals.js';
import { matchStarts, mayMatch } from '../../src/decide/detectors/match-starts.js';
import { type Field, prepareField } from '../../src/decide/detectors/normalize.js';
import { PAYMENT_RULES } from '../../src/decide/detectors/payment-signals.js';
import { compilePattern, type Rule } from '../../src/decide/detectors/rules.js';

/**
 * The cheap test before each rule's regular expression may only skip a pattern that cannot match:
 * wherever the expression finds something, the test must have let it run. Held to every pattern of
 * every rule on texts that do match them (the training seed, the examples, the public corpus when
 * present) and on spellings the notation allows.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CORPUS = join(ROOT, '../shared/corpus/raw');

/** The word part of each pattern (entities are found apart), with its case mode. */
function patterns(): Array<{ words: string; caseSensitive: boolean }> {
  const seen = new Map<string, boolean>();
  for (const rule of [...PAYMENT_RULES, ...LEGAL_RULES] as Rule[]) {
    for (const pattern of [rule.find, rule.near, rule.not]) {
      if (!pattern) continue;
      const words = pattern
        .split('|')
        .filter((alt) => !ENTITIES[alt])
        .join('|');
      if (words) seen.set(words, rule.caseSensitive ?? false);
    }
  }
  return [...seen].map(([words, caseSensitive]) => ({ words, caseSensitive }));
}

function texts(): string[] {
  const out: string[] = [];
  const seed = join(ROOT, 'training/seed');
  for (const file of readdirSync(seed).filter((f) => f.endsWith('.jsonl'))) {
    for (const line of readFileSync(join(seed, file), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const example = JSON.parse(line) as { subject: string; body: string };
      out.push(example.subject, example.body);
    }
  }
  for (const file of readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.eml'))) out.push(readFileSync(join(ROOT, 'examples', file), 'utf8'));
  if (existsSync(CORPUS)) {
    for (const source of readdirSync(CORPUS, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)) {
      for (const file of readdirSync(join(CORPUS, source)).slice(0, 60)) out.push(readFileSync(join(CORPUS, source, file), 'latin1').slice(0, 20_000));
    }
  }
  // What the notation allows: hyphens for spaces, apostrophes with a space, spelt-out umlauts, compounds, signs.
  out.push(
    'Sie haben eine Zahlungsmahnung geschickt, obwohl die Rueckerstattung schon ueberwiesen wurde.',
    "Richiesta all' oblio e cancellazione-dei-dati. Diritto all'oblio.",
    'Per the DMCA § 512(c) and 17 U.S.C. 512, I have a good-faith belief that the material infringes.',
    'Invoice no. INV-2024-0031 and RE-AB-2025-118 are overdue; PO-4471 was cancelled.',
    '¿Cómo puedo cambiar la dirección de facturación? Hemos hecho la transferencia ayer.',
    'We have already paid; I had the money taken from my account twice. Sue from accounts.',
  );
  return out;
}

test('the word-start test lets every pattern run wherever its expression finds a match', () => {
  const fields: Field[] = texts().map(prepareField);
  let matched = 0;
  for (const { words, caseSensitive } of patterns()) {
    const { regex } = compilePattern(words, caseSensitive);
    for (const field of fields) {
      regex.lastIndex = 0;
      const match = regex.exec(caseSensitive ? field.folded : field.lower);
      if (!match) continue;
      matched++;
      assert.ok(mayMatch(field, words), `pattern skipped although it matches "${match[0]}":\n${words.slice(0, 200)}`);
    }
  }
  // Not vacuous: the texts above match the patterns thousands of times.
  assert.ok(matched > 2000, `only ${matched} matches were checked`);
});

test("every match starts where its pattern's start keys say, so the expression need only be tried there", () => {
  const fields: Field[] = texts().map(prepareField);
  let checked = 0;
  for (const { words, caseSensitive } of patterns()) {
    const starts = matchStarts(words);
    if (!starts || caseSensitive) continue;
    const { regex } = compilePattern(words, caseSensitive);
    for (const field of fields) {
      regex.lastIndex = 0;
      for (const match of field.lower.matchAll(regex)) {
        checked++;
        const rest = field.lower.slice(match.index);
        const wordStart = match.index === 0 || !/[a-z0-9_]/.test(field.lower[match.index - 1]!);
        const ok = (wordStart && starts.words.some((key) => rest.startsWith(key))) || starts.inside.some((key) => rest.startsWith(key));
        assert.ok(ok, `"${match[0]}" starts at no word or text the start keys name:\n${words.slice(0, 200)}`);
      }
    }
  }
  assert.ok(checked > 2000, `only ${checked} matches were checked`);
});

test('the word-start test skips most patterns on an email about something else', () => {
  const field = prepareField('Hi team, the export button stays grey after the last update. Could you have a look? Thanks, Marta');
  const all = patterns();
  const run = all.filter(({ words }) => mayMatch(field, words));
  assert.ok(run.length < all.length / 4, `${run.length} of ${all.length} patterns would still run`);
});

test('preparing every rule ahead of the first email leaves what the detectors find unchanged', async () => {
  const inputs = texts().map((text) => ({ subject: text.slice(0, 80), text, hiddenText: '' }));
  const before = inputs.map((input) => detectFlags(input));
  await warmDetectors();
  assert.deepEqual(
    inputs.map((input) => detectFlags(input)),
    before,
  );
  assert.ok(before.filter((r) => r.payment).length > 100, 'the texts raise payment flags');
});
