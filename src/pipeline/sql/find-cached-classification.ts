import type { Selectable } from 'kysely';
import type { DbOrTx } from '../../db/database.js';
import type { ClassificationsTable } from '../../db/tables/core.js';

/**
 * The first successful classification of exactly this input (same prompt version and same text the
 * model saw). Identical mail, forwarded twice or re-stored after a UIDVALIDITY change, costs one call.
 */
export async function findCachedClassification(db: DbOrTx, inputHash: string): Promise<Selectable<ClassificationsTable> | undefined> {
  return db
    .selectFrom('classifications')
    .selectAll()
    .where('input_hash', '=', inputHash)
    .where('output', 'is not', null)
    .where('cached_from', 'is', null)
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
}
