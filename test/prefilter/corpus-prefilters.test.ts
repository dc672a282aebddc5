import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseEmail } from '../../src/parse/parse-email.js';
import { runPrefilters } from '../../src/prefilter/index.js';

const CORPUS = fileURLToPath(new URL('../../../shared/corpus/raw', import.meta.url));
const OWN = ['support@mailroom.example'];

interface IndexEntry {
  file: string;
  kind: string;
}

/** Groups corpus kinds coarsely: "bounce/dsn:aol.msg" → "bounce", "spam/spam_2" → "spam". */
function group(kind: string): string {
  return kind.split(/[:/]/)[0] ?? kind;
}

test('pre-filters over the shared corpus: counts per kind', { skip: !existsSync(CORPUS) && `no corpus at ${CORPUS}` }, async () => {
  const byGroup = new Map<string, Map<string, number>>();
  let files = 0;
  let unparsed = 0;
  for (const source of readdirSync(CORPUS).sort()) {
    const indexPath = join(CORPUS, source, 'index.jsonl');
    if (!existsSync(indexPath)) continue;
    for (const line of readFileSync(indexPath, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const entry = JSON.parse(line) as IndexEntry;
      const raw = readFileSync(join(CORPUS, source, entry.file));
      files++;
      let hit: string;
      try {
        const email = await parseEmail(raw);
        hit = runPrefilters(email, { ownAddresses: OWN, sizeBytes: raw.length, maxMessageBytes: 25 * 1024 * 1024 })?.kind ?? 'none';
      } catch {
        unparsed++;
        hit = 'unparsed';
      }
      const counts = byGroup.get(group(entry.kind)) ?? new Map<string, number>();
      counts.set(hit, (counts.get(hit) ?? 0) + 1);
      byGroup.set(group(entry.kind), counts);
    }
  }

  const totals = new Map<string, number>();
  const lines: string[] = [];
  for (const [kind, counts] of [...byGroup].sort()) {
    const n = [...counts.values()].reduce((a, b) => a + b, 0);
    lines.push(
      `  ${kind.padEnd(28)} ${String(n).padStart(4)}  ${[...counts]
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`,
    );
    for (const [k, v] of counts) totals.set(k, (totals.get(k) ?? 0) + v);
  }
  console.log(`pre-filter hits over ${files} corpus messages (${unparsed} not parseable):`);
  console.log(
    `  total: ${[...totals]
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
  );
  console.log(lines.join('\n'));

  const share = (kind: string, hits: string[]): number => {
    const counts = byGroup.get(kind);
    if (!counts) return Number.NaN;
    const n = [...counts.values()].reduce((a, b) => a + b, 0);
    return hits.reduce((sum, h) => sum + (counts.get(h) ?? 0), 0) / n;
  };
  assert.ok(files > 100, 'the corpus should have more than a hundred messages');
  // Delivery reports should nearly all be caught, as bounces or (vacation-style) auto-replies.
  assert.ok(share('bounce', ['bounce', 'auto_reply']) >= 0.9, 'most bounces are caught');
  assert.ok(share('spam-rejection-bounce', ['bounce', 'auto_reply']) >= 0.8, 'most spam-rejection bounces are caught');
  assert.ok(share('auto-reply(rfc3834)', ['auto_reply', 'bounce']) >= 0.8, 'RFC 3834 auto-replies are caught');
  // Person-to-person mail must mostly pass: the pre-filters decide without a model, so a false hit loses a customer.
  assert.ok(share('enron-corporate-email', ['none']) >= 0.9, 'corporate mail mostly passes');
  assert.ok(share('reply-with-quote', ['none']) >= 0.9, 'replies with quotes pass');
  assert.equal(byGroup.get('not-auto-reply(negative)')?.get('auto_reply') ?? 0, 0, 'the explicit negative auto-reply case passes');
});
