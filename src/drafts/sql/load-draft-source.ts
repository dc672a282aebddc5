import type { Classification } from '../../classify/classification.js';
import type { DbOrTx } from '../../db/database.js';

export interface DraftSource {
  raw: Buffer | null;
  rawHeaders: string | null;
  sizeBytes: number;
  /** The validated classification the decision used, when there was one. */
  classification: Classification | null;
  /** Flags as the decision applied them; null when the email has no decision row. */
  flags: { payment: boolean; legal: boolean; vip: boolean } | null;
  decisionAcknowledgeOnly: boolean | null;
}

/** The stored email a draft answers, with its decision and classification; null when the email is gone. */
export async function loadDraftSource(db: DbOrTx, emailId: string): Promise<DraftSource | null> {
  const row = await db
    .selectFrom('messages as m')
    .leftJoin('decisions as d', 'd.email_id', 'm.id')
    .leftJoin('classifications as c', 'c.id', 'd.classification_id')
    .select(['m.raw', 'm.raw_headers', 'm.size_bytes', 'c.output', 'd.flags', 'd.acknowledge_only'])
    .where('m.id', '=', emailId)
    .executeTakeFirst();
  if (!row) return null;
  return {
    raw: row.raw,
    rawHeaders: row.raw_headers,
    sizeBytes: Number(row.size_bytes),
    classification: parseJson(row.output) as Classification | null,
    flags: parseJson(row.flags) as DraftSource['flags'],
    decisionAcknowledgeOnly: row.acknowledge_only,
  };
}

// jsonb comes back parsed from pg and PGlite; a string only if a driver setting changes that.
function parseJson(value: unknown): unknown {
  if (typeof value === 'string') return JSON.parse(value) as unknown;
  return value ?? null;
}
