import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { CATEGORIES, type Classification, INTENTS, PRIORITIES } from '../../contract/index.js';
import type { Db } from '../../db/index.js';
import { fromStoredEmail, newestTextOf } from '../../parse/index.js';
import { projectFolder } from '../../util/project-folder.js';
import { detectLanguage } from '../language.js';
import type { TrainingExample } from './model.js';

const SEED_FOLDER = projectFolder('training/seed');

/** One line of training/seed/<lang>.jsonl (training/README.md). */
const seedLine = z.object({
  id: z.string(),
  language: z.string(),
  intent: z.enum(INTENTS),
  category: z.enum(CATEGORIES),
  priority: z.enum(PRIORITIES),
  payment: z.boolean(),
  legal: z.boolean(),
  subject: z.string(),
  body: z.string(),
});

/**
 * The seed has as many examples of each intent, but a support mailbox mostly receives support:
 * counting the seed's support examples double gives the seed model that prior (it cut support
 * mistaken for sales or billing by a third on eval/dev). The mailbox's own history then brings its
 * real mix.
 */
const SEED_SUPPORT_WEIGHT = 2;

/** What a person's correction counts next to one label from the LLM. */
export const CORRECTION_WEIGHT = 10;

/**
 * The seed corpus that ships with Mailroom: written for it, in the five languages, every intent.
 * Bodies are cleaned like incoming mail (quotes and signatures removed) so the model learns from
 * what it will see.
 */
export function seedExamples(folder: string = SEED_FOLDER, report: (problem: string) => void = () => {}): TrainingExample[] {
  return seedFiles(folder).flatMap((name) =>
    readFileSync(join(folder, name), 'utf8')
      .split('\n')
      .flatMap((line, index): TrainingExample[] => {
        if (line.trim() === '') return [];
        const parsed = seedLine.safeParse(safeJson(line));
        if (!parsed.success) {
          // One bad line (an unknown intent, a typo) costs that example, not the model.
          report(`${join(folder, name)}:${index + 1}: skipped, not a seed example: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`);
          return [];
        }
        const s = parsed.data;
        return [
          {
            subject: s.subject,
            text: newestTextOf(s.subject, s.body),
            language: s.language,
            labels: { intent: s.intent, category: s.category, priority: s.priority, payment: s.payment, legal: s.legal },
            weight: s.intent === 'support' ? SEED_SUPPORT_WEIGHT : 1,
            source: 'seed',
          },
        ];
      }),
  );
}

/**
 * The seed files' bytes, hashed: a few milliseconds, where reading the examples (each body cleaned)
 * takes a few hundred. Equal digests mean the same examples for the same build of Mailroom.
 */
export function seedFilesDigest(folder: string = SEED_FOLDER): string {
  const hash = createHash('sha256');
  for (const name of seedFiles(folder))
    hash
      .update(`${name}\n`)
      .update(readFileSync(join(folder, name)))
      .update('\n');
  return hash.digest('hex');
}

function seedFiles(folder: string): string[] {
  return readdirSync(folder)
    .filter((name) => name.endsWith('.jsonl'))
    .sort();
}

function safeJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return null;
  }
}

/**
 * How many labels the mailbox has given so far: the LLM's answers and the people's corrections that
 * name an intent or a flag. Counted in the database, without reading a message, for the retrain
 * check that runs every few minutes. It only grows as mail is classified and corrected, so the
 * difference from the count at the last training is the number of new labels, corrections of emails
 * the LLM had labeled included (those replace a label rather than add one to the examples).
 */
export async function labelCount(db: Db): Promise<number> {
  const llm = await db
    .selectFrom('classifications')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('classifier', '=', 'openai')
    .where('output', 'is not', null)
    .where('cached_from', 'is', null)
    .executeTakeFirstOrThrow();
  const corrections = await db
    .selectFrom('corrections')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where((eb) => eb.or([eb('intent', 'is not', null), eb('payment', 'is not', null), eb('legal', 'is not', null)]))
    .executeTakeFirstOrThrow();
  return Number(llm.n) + Number(corrections.n);
}

/**
 * The mailbox's own history: every email the LLM classified (its answer is the label, weight 1),
 * oldest first. An email the LLM answered twice (a re-run) counts once.
 */
export async function historyExamples(db: Db, maxCleanChars: number): Promise<TrainingExample[]> {
  const rows = await db
    .selectFrom('classifications as c')
    .innerJoin('messages as m', 'm.id', 'c.email_id')
    .select(['c.output', 'm.parsed', 'c.input_hash'])
    .where('c.classifier', '=', 'openai')
    .where('c.output', 'is not', null)
    .where('c.cached_from', 'is', null)
    // A person's correction replaces the model's answer as the label of that email.
    .where((eb) => eb.not(eb.exists(eb.selectFrom('corrections as k').select('k.id').whereRef('k.email_id', '=', 'c.email_id'))))
    .orderBy('c.id')
    .execute();
  const seen = new Set<string>();
  return rows.flatMap((row) => {
    const email = fromStoredEmail(row.parsed, maxCleanChars);
    const output = row.output as Classification | null;
    if (!email || !output || seen.has(row.input_hash)) return [];
    seen.add(row.input_hash);
    return [
      {
        subject: email.subject,
        text: email.newestText,
        language: output.language,
        labels: { intent: output.intent, category: output.category, priority: output.priority, payment: output.flags.payment, legal: output.flags.legal },
        weight: 1,
        source: 'llm',
      },
    ];
  });
}

/**
 * People's corrections (the one that stands for each email), weight CORRECTION_WEIGHT: the intent
 * they gave (a correction to ticket says support) and the flags they named; the heads they said
 * nothing about stay unlabeled. Oldest first, so the model's version follows the data.
 */
export async function correctionExamples(db: Db, maxCleanChars: number): Promise<TrainingExample[]> {
  const rows = await db
    .selectFrom('corrections as k')
    .innerJoin('messages as m', 'm.id', 'k.email_id')
    .select(['k.email_id', 'k.intent', 'k.payment', 'k.legal', 'm.parsed', 'k.created_at', 'k.id'])
    .orderBy('k.created_at')
    .orderBy('k.id')
    .execute();
  const standing = new Map<string, (typeof rows)[number]>();
  for (const row of rows) standing.set(row.email_id, row);
  return [...standing.values()].flatMap((row): TrainingExample[] => {
    const email = fromStoredEmail(row.parsed, maxCleanChars);
    const labels: TrainingExample['labels'] = {};
    if (row.intent && INTENTS.includes(row.intent as (typeof INTENTS)[number])) labels.intent = row.intent;
    if (row.payment !== null) labels.payment = row.payment;
    if (row.legal !== null) labels.legal = row.legal;
    if (!email || Object.keys(labels).length === 0) return [];
    return [{ subject: email.subject, text: email.newestText, language: detectLanguage(`${email.subject}\n${email.newestText}`), labels, weight: CORRECTION_WEIGHT, source: 'correction' }];
  });
}
