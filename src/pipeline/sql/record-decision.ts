import type { Insertable } from 'kysely';
import type { Tx } from '../../db/database.js';
import type { ClassificationsTable, DecisionsTable } from '../../db/tables/core.js';

/** The claim was lost (stale and taken over by another worker): this result must not be stored. */
export class ClaimLostError extends Error {
  override readonly name = 'ClaimLostError';
}

export interface DecisionRecord {
  emailId: string;
  workerId: string;
  classification: Omit<Insertable<ClassificationsTable>, 'email_id'> | null;
  decision: Omit<Insertable<DecisionsTable>, 'email_id' | 'classification_id'>;
  rawChars: number;
  cleanChars: number;
}

/**
 * Stores classification and decision and closes the message, in the caller's transaction. The
 * UPDATE … WHERE locked_by = us comes first: if another worker took the message over, nothing is
 * written, and the decisions.email_id unique key stops a second decision even in a race.
 */
export async function recordDecision(trx: Tx, record: DecisionRecord): Promise<{ decisionId: string; classificationId: string | null }> {
  const closed = await trx
    .updateTable('messages')
    .set({
      status: 'decided',
      locked_by: null,
      locked_at: null,
      error: null,
      raw_chars: record.rawChars,
      clean_chars: record.cleanChars,
      updated_at: new Date(),
    })
    .where('id', '=', record.emailId)
    .where('locked_by', '=', record.workerId)
    .where('status', '=', 'pending')
    .returning('id')
    .executeTakeFirst();
  if (!closed) throw new ClaimLostError(`email ${record.emailId} was taken over by another worker; its result is discarded`);
  let classificationId: string | null = null;
  if (record.classification) {
    const row = await trx
      .insertInto('classifications')
      .values({ ...record.classification, email_id: record.emailId })
      .returning('id')
      .executeTakeFirstOrThrow();
    classificationId = row.id;
  }
  const decision = await trx
    .insertInto('decisions')
    .values({ ...record.decision, email_id: record.emailId, classification_id: classificationId })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { decisionId: decision.id, classificationId };
}
