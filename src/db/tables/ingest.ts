import type { ColumnType } from 'kysely';
import type { BigIntColumn, Timestamp } from './core.js';

export interface IngestCursorsTable {
  mailbox: string;
  folder: string;
  uidvalidity: BigIntColumn;
  last_uid: BigIntColumn;
  catchup_uid: BigIntColumn;
  since: Timestamp;
  rescan: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface IngestLeasesTable {
  mailbox: string;
  holder: string;
  expires_at: Timestamp;
  acquired_at: ColumnType<Date, Date | string | undefined, Date | string>;
  renewed_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface IngestTables {
  ingest_cursors: IngestCursorsTable;
  ingest_leases: IngestLeasesTable;
}
