import type { Db } from '../db/index.js';
import { fromStoredEmail } from '../parse/index.js';
import type { ClassifierInput, FewShotExample } from './classifier.js';
import { type SparseVector, termCounts } from './local/features.js';

const DIMS = 2 ** 16;
/** Corrected emails compared per mailbox (the newest); older ones rarely beat them and cost time. */
const POOL = 2000;
/** The pool is read again after this long, so a new correction shows in the next prompts. */
const REFRESH_MS = 60_000;
/** Characters of each example's text in the prompt: enough to recognise the kind of email. */
const EXAMPLE_CHARS = 600;
/** Below this similarity an example teaches nothing about the email at hand. */
const MIN_SIMILARITY = 0.05;

interface PoolEntry {
  example: FewShotExample;
  vector: SparseVector;
  norm: number;
}

/**
 * Finds the mailbox's corrected emails most like the one being classified (cosine of hashed words,
 * word pairs and character n-grams — the local model's features, unweighted), for the prompt's
 * few-shot examples. Only the correction that stands for an email is used; an email is never its
 * own example.
 */
export function createExampleFinder(db: Db, options: { limit: number; maxCleanChars: number }): (input: ClassifierInput) => Promise<FewShotExample[]> {
  const pools = new Map<string, { at: number; entries: Promise<PoolEntry[]> }>();
  const pool = (mailbox: string) => {
    const cached = pools.get(mailbox);
    if (cached && Date.now() - cached.at < REFRESH_MS) return cached.entries;
    const entries = loadPool(db, mailbox, options.maxCleanChars);
    pools.set(mailbox, { at: Date.now(), entries });
    entries.catch(() => pools.delete(mailbox));
    return entries;
  };
  return async (input) => {
    if (options.limit <= 0) return [];
    const entries = await pool(input.mailbox);
    if (entries.length === 0) return [];
    const target = termCounts(input.email.subject, input.email.newestText, DIMS);
    const targetNorm = norm(target);
    if (targetNorm === 0) return [];
    return entries
      .filter((e) => e.example.messageId === null || e.example.messageId !== input.email.messageId)
      .map((e) => ({ e, similarity: dot(target, e.vector) / (targetNorm * e.norm) }))
      .filter((s) => s.similarity >= MIN_SIMILARITY)
      .sort((a, b) => b.similarity - a.similarity)
      .slice(0, options.limit)
      .map((s) => s.e.example);
  };
}

async function loadPool(db: Db, mailbox: string, maxCleanChars: number): Promise<PoolEntry[]> {
  const rows = await db
    .selectFrom('corrections as k')
    .innerJoin('messages as m', 'm.id', 'k.email_id')
    .select(['k.email_id', 'k.to_action', 'k.intent', 'k.payment', 'k.legal', 'm.parsed', 'm.message_id'])
    .where('m.mailbox', '=', mailbox)
    .orderBy('k.created_at', 'desc')
    .orderBy('k.id', 'desc')
    .limit(POOL)
    .execute();
  const seen = new Set<string>();
  const entries: PoolEntry[] = [];
  for (const row of rows) {
    if (seen.has(row.email_id)) continue;
    seen.add(row.email_id);
    const email = fromStoredEmail(row.parsed, maxCleanChars);
    if (!email) continue;
    const vector = termCounts(email.subject, email.newestText, DIMS);
    const size = norm(vector);
    if (size === 0) continue;
    const from = email.from ? email.from.address : '(unknown)';
    entries.push({
      example: {
        messageId: row.message_id,
        from,
        subject: email.subject,
        text: email.newestText.slice(0, EXAMPLE_CHARS),
        action: row.to_action,
        intent: row.intent,
        flags: { payment: row.payment, legal: row.legal },
      },
      vector,
      norm: size,
    });
  }
  return entries;
}

function norm(v: SparseVector): number {
  let sum = 0;
  for (const value of v.values) sum += value * value;
  return Math.sqrt(sum);
}

/** Both vectors have sorted indices: one merge pass. */
function dot(a: SparseVector, b: SparseVector): number {
  let i = 0;
  let j = 0;
  let sum = 0;
  while (i < a.indices.length && j < b.indices.length) {
    const x = a.indices[i]!;
    const y = b.indices[j]!;
    if (x === y) sum += a.values[i++]! * b.values[j++]!;
    else if (x < y) i++;
    else j++;
  }
  return sum;
}
