import type { Action } from '../contract/index.js';
import type { CorrectionVia, Db } from '../db/index.js';

export interface CorrectionRow {
  id: string;
  email_id: string;
  mailbox: string;
  from_address: string | null;
  subject: string | null;
  /** What Mailroom itself decided (the audit log's row). */
  decided_action: Action;
  from_action: Action;
  to_action: Action;
  intent: string | null;
  payment: boolean | null;
  legal: boolean | null;
  note: string | null;
  corrected_by: string;
  via: CorrectionVia;
  created_at: Date;
}

export interface CorrectionFilter {
  id?: string;
  since?: Date;
  emailId?: string;
  mailbox?: string;
  limit: number;
}

/** Every correction, newest first (both of two people's corrections of one email: the log keeps all). */
export async function listCorrections(db: Db, filter: CorrectionFilter): Promise<CorrectionRow[]> {
  let query = db
    .selectFrom('corrections as k')
    .innerJoin('messages as m', 'm.id', 'k.email_id')
    .innerJoin('decisions as d', 'd.email_id', 'k.email_id')
    .select([
      'k.id',
      'k.email_id',
      'm.mailbox',
      'm.from_address',
      'm.subject',
      'd.action as decided_action',
      'k.from_action',
      'k.to_action',
      'k.intent',
      'k.payment',
      'k.legal',
      'k.note',
      'k.corrected_by',
      'k.via',
      'k.created_at',
    ])
    .orderBy('k.created_at', 'desc')
    .orderBy('k.id', 'desc')
    .limit(filter.limit);
  if (filter.since) query = query.where('k.created_at', '>=', filter.since);
  if (filter.id) query = query.where('k.id', '=', filter.id);
  if (filter.emailId) query = query.where('k.email_id', '=', filter.emailId);
  if (filter.mailbox) query = query.where('m.mailbox', '=', filter.mailbox);
  return (await query.execute()) as CorrectionRow[];
}

/** One correction as programs see it (`corrections list --json`, GET /v1/corrections). */
export function correctionView(row: CorrectionRow) {
  return {
    id: row.id,
    email_id: row.email_id,
    mailbox: row.mailbox,
    from: row.from_address,
    subject: row.subject,
    decided_action: row.decided_action,
    from_action: row.from_action,
    to_action: row.to_action,
    intent: row.intent,
    flags: { payment: row.payment, legal: row.legal },
    note: row.note,
    corrected_by: row.corrected_by,
    via: row.via,
    corrected_at: row.created_at.toISOString(),
  };
}
