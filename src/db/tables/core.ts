import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { Classification } from '../../classify/classification.js';
import type { Action, DetectorMatch, Reason } from '../../decide/decision.js';

/** timestamptz: read as Date, written as Date or ISO string. */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** bigint columns come back from pg as strings; we keep them as strings to avoid precision loss. */
export type BigIntColumn = ColumnType<string, string | number | bigint, string | number | bigint>;

export type MessageStatus = 'pending' | 'decided' | 'failed';

export interface MessagesTable {
  id: string;
  thread_id: string;
  mailbox: string;
  source: 'imap' | 'file';
  message_id: string | null;
  sha256: string;
  size_bytes: BigIntColumn;
  raw: Buffer | null;
  raw_headers: string | null;
  from_address: string | null;
  from_name: string | null;
  subject: string | null;
  sent_at: Timestamp | null;
  received_at: ColumnType<Date, Date | string | undefined, Date | string>;
  imap_uidvalidity: BigIntColumn | null;
  imap_uid: BigIntColumn | null;
  status: ColumnType<MessageStatus, MessageStatus | undefined, MessageStatus>;
  error: string | null;
  attempts: Generated<number>;
  next_attempt_at: ColumnType<Date, Date | string | undefined, Date | string>;
  locked_by: string | null;
  locked_at: Timestamp | null;
  raw_chars: number | null;
  clean_chars: number | null;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface ClassificationsTable {
  id: ColumnType<string, never, never>;
  email_id: string;
  classifier: string;
  model: string;
  prompt_version: string;
  input_hash: string;
  output: JSONColumnType<Classification> | null;
  confidence: number | null;
  model_confidence: number | null;
  logprob_confidence: number | null;
  mode: string | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  latency_ms: number | null;
  cached_from: BigIntColumn | null;
  error: string | null;
  created_at: ColumnType<Date, never, never>;
}

export interface DecisionsTable {
  id: ColumnType<string, never, never>;
  email_id: string;
  action: Action;
  reasons: JSONColumnType<Reason[]>;
  flags: JSONColumnType<{ payment: boolean; legal: boolean; vip: boolean }>;
  detector_matches: JSONColumnType<DetectorMatch[]>;
  prefilter: string | null;
  acknowledge_only: Generated<boolean>;
  classification_id: BigIntColumn | null;
  policy_version: string;
  created_at: ColumnType<Date, never, never>;
}

export interface CoreTables {
  messages: MessagesTable;
  classifications: ClassificationsTable;
  decisions: DecisionsTable;
}
