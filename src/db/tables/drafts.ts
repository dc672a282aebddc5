import type { ColumnType } from 'kysely';
import type { BigIntColumn, Timestamp } from './core.js';

export type DraftStatus = 'pending' | 'drafted' | 'sent' | 'skipped';

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>;

export interface DraftsTable {
  id: string;
  email_id: string;
  mailbox: string;
  acknowledge_only: boolean;
  status: ColumnType<DraftStatus, DraftStatus | undefined, DraftStatus>;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: Timestamp;
  locked_by: string | null;
  locked_at: Timestamp | null;
  last_error: string | null;
  note: string | null;
  reply_text: string | null;
  language: string | null;
  writer: string | null;
  recipient: string | null;
  message_id: string | null;
  folder: string | null;
  imap_uidvalidity: BigIntColumn | null;
  imap_uid: BigIntColumn | null;
  send_started_at: Timestamp | null;
  sent_at: Timestamp | null;
  smtp_response: string | null;
  completed_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface DraftTables {
  drafts: DraftsTable;
}
