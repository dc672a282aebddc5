import type { DbOrTx } from '../../db/database.js';

/**
 * Adds the pending draft row for an email; a second call for the same email does nothing (the
 * email_id unique key), so a repeated decision transaction cannot queue two drafts.
 * Returns the new row's id, or null when the email already had one.
 */
export async function insertDraft(
  db: DbOrTx,
  row: { id: string; emailId: string; mailbox: string; acknowledgeOnly: boolean; now: Date },
): Promise<string | null> {
  const inserted = await db
    .insertInto('drafts')
    .values({
      id: row.id,
      email_id: row.emailId,
      mailbox: row.mailbox,
      acknowledge_only: row.acknowledgeOnly,
      status: 'pending',
      next_attempt_at: row.now,
      created_at: row.now,
      updated_at: row.now,
    })
    .onConflict((oc) => oc.column('email_id').doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted?.id ?? null;
}
