import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Action, Classification, Flags } from '../contract/index.js';
import { type Db, readRawMessage } from '../db/index.js';

export interface ExportResult {
  written: number;
  /** Corrected emails whose original bytes were not kept (over ingest.max_message_bytes). */
  skipped: Array<{ emailId: string; reason: string }>;
}

/**
 * Writes every corrected email (its standing correction) as `<email id>.eml` with one line in
 * `labels.jsonl`, in the eval/ format (eval/README.md): a team builds its own test set by working,
 * and `mailroom eval DIR` measures any classifier on it. What the person did not say comes from the
 * classification (category, priority, language) or the decision (VIP); what they said wins.
 */
export async function exportCorrections(db: Db, dir: string, options: { since?: Date } = {}): Promise<ExportResult> {
  let query = db
    .selectFrom('corrections as k')
    .innerJoin('messages as m', 'm.id', 'k.email_id')
    .innerJoin('decisions as d', 'd.email_id', 'k.email_id')
    .leftJoin('classifications as c', 'c.id', 'd.classification_id')
    .select(['k.email_id', 'k.to_action', 'k.intent', 'k.payment', 'k.legal', 'k.note', 'k.corrected_by', 'k.created_at', 'k.id', 'd.action', 'd.flags', 'd.prefilter', 'c.output'])
    .orderBy('k.created_at')
    .orderBy('k.id');
  if (options.since) query = query.where('k.created_at', '>=', options.since);
  const standing = new Map<string, Awaited<ReturnType<typeof query.execute>>[number]>();
  for (const row of await query.execute()) standing.set(row.email_id, row);
  mkdirSync(dir, { recursive: true });
  const lines: string[] = [];
  const skipped: ExportResult['skipped'] = [];
  for (const row of standing.values()) {
    // Wherever the bytes are kept (the row, or the embedded database's file store).
    const original = await readRawMessage(db, row.email_id);
    if (!original?.bytes) {
      skipped.push({ emailId: row.email_id, reason: 'the original was over ingest.max_message_bytes and was not kept' });
      continue;
    }
    const file = `${row.email_id}.eml`;
    writeFileSync(join(dir, file), original.bytes);
    const output = row.output as Classification | null;
    const flags = row.flags as Flags;
    const toAction = row.to_action as Action;
    const label = {
      file,
      language: output?.language && /^[a-z]{2}$/.test(output.language) ? output.language : 'en',
      // A pre-filter's verdict is a label only when the person left the action as it decided.
      prefilter: row.prefilter !== null && toAction === row.action ? row.prefilter : null,
      intent: row.intent ?? (toAction === 'ticket' ? 'support' : (output?.intent ?? 'other')),
      ...(output ? { category: output.category, priority: output.priority } : {}),
      payment: row.payment ?? (toAction === 'ticket' ? false : (output?.flags.payment ?? flags.payment)),
      legal: row.legal ?? (toAction === 'ticket' ? false : (output?.flags.legal ?? flags.legal)),
      vip: flags.vip,
      injection: false,
      expected_action: toAction,
      acceptable_actions: [toAction],
      note: `corrected by ${row.corrected_by} from ${row.action} to ${toAction}${row.note ? `: ${row.note}` : ''}`,
    };
    lines.push(JSON.stringify(label));
  }
  writeFileSync(join(dir, 'labels.jsonl'), lines.length ? `${lines.join('\n')}\n` : '');
  return { written: lines.length, skipped };
}
