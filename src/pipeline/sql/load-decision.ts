import type { DbOrTx } from '../../db/database.js';

/** A stored decision with its classification and message facts, for reports and re-runs. */
export async function loadDecision(db: DbOrTx, emailId: string) {
  return db
    .selectFrom('decisions as d')
    .innerJoin('messages as m', 'm.id', 'd.email_id')
    .leftJoin('classifications as c', 'c.id', 'd.classification_id')
    .select([
      'd.email_id', 'd.action', 'd.reasons', 'd.flags', 'd.prefilter', 'd.created_at', 'd.acknowledge_only',
      'm.message_id', 'm.subject', 'm.mailbox', 'm.from_address',
      'c.output', 'c.model', 'c.prompt_version', 'c.cached_from', 'c.prompt_tokens', 'c.completion_tokens',
    ])
    .where('d.email_id', '=', emailId)
    .executeTakeFirst();
}
