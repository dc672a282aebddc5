/**
 * `npm run bench:corrections`: does the local model learn from corrections? Replays eval/dev as
 * people's corrections — up to N emails per intent (default 20), each corrected to its labeled
 * action with its labeled intent and flags — into a fresh embedded database, then runs
 * `mailroom eval eval/test --classifier local` twice with the same configuration: once with the
 * seed model alone, once `--learned` (the model trained on the seed plus those corrections, as
 * `mailroom run` would use it). Prints both intent accuracies. eval/test is only measured here,
 * never looked at to choose anything.
 *
 *   npm run bench:corrections -- [--per-intent 20] [--keep DIR]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { recordCorrection } from '../src/corrections/index.js';
import { migrateToLatest, openDatabase } from '../src/db/index.js';
import { loadLabeledFolder } from '../src/eval/index.js';
import { storeMessage } from '../src/ingest/index.js';

const { values: flags } = parseArgs({ options: { 'per-intent': { type: 'string', default: '20' }, keep: { type: 'string' } } });
const perIntent = Number(flags['per-intent']);
const dir = flags.keep ?? mkdtempSync(join(tmpdir(), 'mailroom-learning-'));
mkdirSync(dir, { recursive: true });
const configPath = join(dir, 'mailroom.yaml');
// eval/eval.yaml (the mailbox and VIP list the labels assume) with a database of its own.
writeFileSync(
  configPath,
  `${readFileSync('eval/eval.yaml', 'utf8')}\ndatabase:\n  path: ${join(dir, 'pglite')}\nclassifier:\n  provider: local\n  local:\n    path: ${join(dir, 'local-model.json')}\n`,
);

const dev = loadLabeledFolder('eval/dev').filter((e) => e.label.prefilter === null);
const chosen = new Map<string, typeof dev>();
for (const email of dev) {
  const list = chosen.get(email.label.intent) ?? [];
  if (list.length < perIntent) chosen.set(email.label.intent, [...list, email]);
}

const db = await openDatabase({ url: undefined, path: join(dir, 'pglite'), pool_size: 1 });
await migrateToLatest(db);
let corrections = 0;
for (const email of [...chosen.values()].flat()) {
  const raw = readFileSync(email.path);
  const stored = await storeMessage(db, { mailbox: 'support', source: 'file', raw, sizeBytes: raw.length }, { maxCleanChars: 6000, now: new Date() });
  // What Mailroom decided before the person looked does not change what the model learns: review.
  await sql`update messages set status = 'decided' where id = ${stored.id}`.execute(db);
  await sql`insert into decisions (email_id, action, reasons, flags, detector_matches, policy_version)
            values (${stored.id}, 'review', '[]'::jsonb, '{"payment":false,"legal":false,"vip":false}'::jsonb, '[]'::jsonb, 'bench')
            on conflict do nothing`.execute(db);
  const flagsSaid = [email.label.payment ? 'payment' : '', email.label.legal ? 'legal' : ''].filter(Boolean);
  await recordCorrection(
    { db, now: () => new Date(), maxCleanChars: 6000, rawEmailUrl: () => null },
    { emailId: stored.id, action: email.label.expected_action, intent: email.label.intent, flags: flagsSaid, by: 'bench', via: 'cli' },
  );
  // The label says "no flag" too; the CLI has no --no-flag, so the row gets the label's false directly.
  await sql`update corrections set payment = ${email.label.payment}, legal = ${email.label.legal} where email_id = ${stored.id}`.execute(db);
  corrections++;
}
await db.destroy();

const evalRun = (extra: string[]) => {
  const out = execFileSync(process.execPath, ['dist/src/cli/main.js', 'eval', 'eval/test', '--classifier', 'local', '--config', configPath, '--json', ...extra], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const summary = out
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line))
    .find((o) => o.type === 'summary');
  return summary;
};
const seed = evalRun([]);
const learned = evalRun(['--learned']);
const intent = (s: { intent: { correct: { hits: number; total: number } } }) =>
  `${s.intent.correct.hits} of ${s.intent.correct.total} (${((100 * s.intent.correct.hits) / s.intent.correct.total).toFixed(1)} %)`;
console.log(`corrections replayed from eval/dev: ${corrections} (${[...chosen].map(([k, v]) => `${k} ${v.length}`).join(', ')})`);
console.log(`seed model:    intent right ${intent(seed)}  (${seed.classifier})`);
console.log(`learned model: intent right ${intent(learned)}  (${learned.classifier})`);
for (const [name, s] of [
  ['seed', seed],
  ['learned', learned],
] as const)
  console.log(
    `${name} by intent: ${Object.entries(s.intent.confusion as Record<string, Record<string, number>>)
      .map(([label, row]) => `${label} ${row[label] ?? 0}/${Object.values(row).reduce((a, b) => a + b, 0)}`)
      .join(', ')}`,
  );
if (!flags.keep) rmSync(dir, { recursive: true, force: true });
