import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ACTIONS, CATEGORIES, INTENTS, PII_KINDS, PRIORITIES, type PrefilterHit } from '../contract/index.js';

export const PREFILTER_KINDS = ['auto_reply', 'bounce', 'bulk', 'no_reply', 'own_address', 'oversize'] as const satisfies readonly PrefilterHit['kind'][];

/** One line of labels.jsonl: what a careful support lead says about one .eml file of the folder. */
const labelSchema = z
  .object({
    file: z.string().regex(/^[^/\\]+\.eml$/, 'expected the name of an .eml file in the folder'),
    language: z.string().regex(/^[a-z]{2}$/, 'expected an ISO 639-1 code like "en"'),
    prefilter: z.enum(PREFILTER_KINDS).nullable(),
    intent: z.enum(INTENTS),
    category: z.enum(CATEGORIES).optional(),
    priority: z.enum(PRIORITIES).optional(),
    payment: z.boolean(),
    legal: z.boolean(),
    vip: z.boolean(),
    injection: z.boolean(),
    expected_action: z.enum(ACTIONS),
    acceptable_actions: z.array(z.enum(ACTIONS)).min(1),
    pii: z.array(z.object({ kind: z.enum(PII_KINDS), value: z.string().min(1) }).strict()).optional(),
    note: z.string(),
  })
  .strict()
  .refine((label) => label.acceptable_actions.includes(label.expected_action), { message: 'acceptable_actions must include expected_action', path: ['acceptable_actions'] });

export type Label = z.infer<typeof labelSchema>;

export interface LabeledEmail {
  label: Label;
  path: string;
}

/** A labeled folder that cannot be read as one: says which file and line, and what is wrong (exit 2). */
export class LabelError extends Error {
  override readonly name = 'LabelError';
}

/**
 * Reads a labeled folder: `.eml` files and `labels.jsonl` with one label per file. Every problem
 * is refused with the file and line that has it: a missing or unknown field, a label for a file
 * that is not there, an `.eml` without a label, a file labeled twice.
 */
export function loadLabeledFolder(dir: string): LabeledEmail[] {
  const labelsPath = join(dir, 'labels.jsonl');
  if (!existsSync(dir)) throw new LabelError(`${dir}: no such folder`);
  if (!existsSync(labelsPath)) throw new LabelError(`${labelsPath}: missing; a labeled folder has .eml files and a labels.jsonl with one label per file (see eval/README.md)`);
  const emails = new Set(readdirSync(dir).filter((name) => name.endsWith('.eml')));
  const labeled = new Map<string, LabeledEmail>();
  readFileSync(labelsPath, 'utf8')
    .split('\n')
    .forEach((text, index) => {
      if (text.trim() === '') return;
      const where = `${labelsPath}:${index + 1}`;
      const label = parseLabel(text, where);
      if (!emails.has(label.file)) throw new LabelError(`${where}: ${label.file} is not in ${dir}`);
      if (labeled.has(label.file)) throw new LabelError(`${where}: ${label.file} is labeled twice`);
      labeled.set(label.file, { label, path: join(dir, label.file) });
    });
  const unlabeled = [...emails].filter((name) => !labeled.has(name)).sort();
  if (unlabeled.length > 0) throw new LabelError(`${join(dir, unlabeled[0]!)}: no label in ${labelsPath}${unlabeled.length > 1 ? ` (nor for ${unlabeled.length - 1} more)` : ''}`);
  return [...labeled.values()].sort((a, b) => a.label.file.localeCompare(b.label.file));
}

function parseLabel(text: string, where: string): Label {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new LabelError(`${where}: not valid JSON (${(error as Error).message})`);
  }
  const result = labelSchema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const key = issue.path.join('.') || '(the line)';
  const message =
    issue.code === 'unrecognized_keys' ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}` : valueAt(value, issue.path) === undefined ? 'missing' : issue.message;
  const file = typeof (value as { file?: unknown })?.file === 'string' ? ` (${(value as { file: string }).file})` : '';
  return failWith(`${where}${file}: ${key}: ${message}`);
}

function failWith(message: string): never {
  throw new LabelError(message);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((current, key) => (current !== null && typeof current === 'object' ? (current as Record<PropertyKey, unknown>)[key] : undefined), root);
}
