import type { ColumnType, Generated, JSONColumnType, Kysely, Transaction } from 'kysely';
import type { Action, Classification, DetectorMatch, Flags, Reason } from '../contract/index.js';

/**
 * The schema as Kysely sees it, table by table, in the order of the flow: what was stored, what
 * was decided, and the outboxes the decision fills. Each table mirrors a file in migrations/.
 */
/** timestamptz: read as Date, written as Date or ISO string. */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** bigint columns come back from pg as strings; we keep them as strings to avoid precision loss. */
export type BigIntColumn = ColumnType<string, string | number | bigint, string | number | bigint>;

/** The queue columns (src/queue/, docs/design.md) of every table a worker claims: status 'pending' while queued. */
interface QueueColumns<Status extends string> {
  status: ColumnType<Status, Status | undefined, Status>;
  /** Raised by each claim. */
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: ColumnType<Date, Date | string | undefined, Date | string>;
  locked_by: string | null;
  locked_at: Timestamp | null;
  /** Why the last attempt did not finish (for messages, drafts and keywords: why it ended so, too). */
  last_error: string | null;
}

export type MessageStatus = 'pending' | 'decided' | 'failed';

export interface MessagesTable extends QueueColumns<MessageStatus> {
  id: string;
  thread_id: string;
  mailbox: string;
  source: 'imap' | 'file';
  message_id: string | null;
  sha256: string;
  size_bytes: BigIntColumn;
  /** The bytes, when kept in the database (PostgreSQL); read them through src/db/raw-store.ts. */
  raw: ColumnType<Buffer | null, Buffer | null | undefined, Buffer | null>;
  /** The bytes' file in the raw file store beside the embedded database, relative to it. */
  raw_path: ColumnType<string | null, string | null | undefined, string | null>;
  raw_headers: string | null;
  from_address: string | null;
  from_name: string | null;
  subject: string | null;
  sent_at: Timestamp | null;
  received_at: ColumnType<Date, Date | string | undefined, Date | string>;
  imap_uidvalidity: BigIntColumn | null;
  imap_uid: BigIntColumn | null;
  raw_chars: number | null;
  clean_chars: number | null;
  /** The parse stage's result (src/parse/stored-email.ts), stored once at ingest. */
  parsed: JSONColumnType<object> | null;
  /** What makes two arrivals one email (migrations/0008_one_email.sql); null on legacy repeats. */
  identity: ColumnType<string | null, string | null | undefined, string | null>;
  /** 'model' while the AI model is unreachable: released by the first probe that finds it back. */
  waiting_for: ColumnType<string | null, string | null | undefined, string | null>;
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
  /** The local model's version, when it classified or gave a second opinion. */
  model_version: ColumnType<string | null, string | null | undefined, string | null>;
  /** Kinds of personal data found (counts, never values) and whether the model saw them redacted. */
  pii: ColumnType<ClassificationPii | null, string | null | undefined, string | null>;
  created_at: ColumnType<Date, never, never>;
}

export interface ClassificationPii {
  redacted: boolean;
  kinds: Partial<Record<string, number>>;
}

/** The encrypted placeholder mapping of an email whose text the model saw redacted. */
export interface PiiMappingsTable {
  email_id: string;
  sealed: string;
  created_at: CreatedAt;
}

export interface DecisionsTable {
  id: ColumnType<string, never, never>;
  email_id: string;
  action: Action;
  reasons: JSONColumnType<Reason[]>;
  flags: JSONColumnType<Flags>;
  detector_matches: JSONColumnType<DetectorMatch[]>;
  prefilter: string | null;
  acknowledge_only: Generated<boolean>;
  classification_id: BigIntColumn | null;
  policy_version: string;
  created_at: ColumnType<Date, never, never>;
}

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>;

// --- Ingestion (migrations/0003_ingest.sql) ---

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

export interface IngestProcessesTable {
  id: string;
  expires_at: Timestamp;
  mailboxes: number;
  mailbox_set: string;
  watching: ColumnType<number, number | undefined, number>;
  started_at: ColumnType<Date, Date | string | undefined, Date | string>;
  heartbeat_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

// --- Webhooks (migrations/0002_webhooks.sql) ---

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface WebhookSubscriptionsTable {
  id: string;
  url: string;
  description: ColumnType<string, string | undefined, string>;
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
  disabled_reason: string | null;
  disabled_at: Timestamp | null;
  secret_encrypted: string;
  previous_secret_encrypted: string | null;
  previous_secret_expires_at: Timestamp | null;
  failing_since: Timestamp | null;
  /** Receives subject and body_text with personal data replaced by placeholders. */
  redact: ColumnType<boolean, boolean | undefined, boolean>;
  /** Comma-separated event types it receives (ticket.suggested, ticket.retracted). */
  event_types: ColumnType<string, string | undefined, string>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface WebhookEventsTable {
  id: string;
  type: string;
  email_id: string | null;
  body: string;
  /** The body for subscriptions with `redact`; null when the email held no personal data. */
  redacted_body: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: CreatedAt;
}

export interface WebhookDeliveriesTable extends QueueColumns<DeliveryStatus> {
  id: string;
  event_id: string;
  subscription_id: string;
  last_status_code: number | null;
  last_attempt_at: Timestamp | null;
  delivered_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface WebhookAttemptsTable {
  id: Generated<BigIntColumn>;
  delivery_id: string;
  attempt: number;
  worker: string;
  started_at: Timestamp;
  status_code: number | null;
  latency_ms: number;
  error: string | null;
  response_head: string | null;
}

// --- Reply drafts (migrations/0004_drafts.sql) ---

export type DraftStatus = 'pending' | 'drafted' | 'sent' | 'skipped';

export interface DraftsTable extends QueueColumns<DraftStatus> {
  id: string;
  email_id: string;
  mailbox: string;
  acknowledge_only: boolean;
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

// --- IMAP keywords (migrations/0005_queue.sql) ---

export type KeywordUpdateStatus = 'pending' | 'done' | 'skipped' | 'failed';

export interface KeywordUpdatesTable extends QueueColumns<KeywordUpdateStatus> {
  id: string;
  email_id: string;
  mailbox: string;
  keyword: string;
  /** A correction's keyword: the other $Mailroom-* keywords come off when it is set. */
  exclusive: ColumnType<boolean, boolean | undefined, boolean>;
  completed_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

// --- The local model (migrations/0006_local_model.sql) ---

export interface LocalPredictionsTable {
  email_id: string;
  model_version: string;
  intent: string;
  confidence: number;
  payment: number;
  legal: number;
  llm_intent: string | null;
  decided_locally: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: CreatedAt;
}

// --- One email, many arrivals (migrations/0008_one_email.sql) ---

export interface MessageSightingsTable {
  id: ColumnType<string, never, never>;
  email_id: string;
  mailbox: string;
  source: 'imap' | 'file';
  sha256: string;
  size_bytes: BigIntColumn;
  imap_uidvalidity: BigIntColumn | null;
  imap_uid: BigIntColumn | null;
  received_at: ColumnType<Date, Date | string, Date | string>;
}

// --- Corrections (migrations/0014_corrections.sql) ---

export type CorrectionVia = 'cli' | 'api' | 'imap_keyword' | 'imap_folder';

export interface CorrectionsTable {
  id: string;
  email_id: string;
  from_action: Action;
  to_action: Action;
  intent: string | null;
  payment: boolean | null;
  legal: boolean | null;
  note: string | null;
  corrected_by: string;
  via: CorrectionVia;
  created_at: CreatedAt;
}

export interface CorrectionCursorsTable {
  mailbox: string;
  folder: string;
  uidvalidity: BigIntColumn;
  modseq: ColumnType<string, string | undefined, string>;
  last_uid: ColumnType<string, string | number | undefined, string | number>;
  updated_at: UpdatedAt;
}

export interface SenderRulesTable {
  id: string;
  kind: 'sender' | 'domain';
  value: string;
  action: Action;
  accepted_by: string;
  created_at: CreatedAt;
}

// --- Shadow mode (migrations/0015_shadow.sql) ---

export type ShadowStatus = 'pending' | 'done' | 'failed';

/** A candidate classifier's answer on a live email, and the action it would have taken; never acted on. */
export interface ShadowResultsTable extends QueueColumns<ShadowStatus> {
  id: string;
  email_id: string;
  candidate: string;
  candidate_version: string | null;
  model: string | null;
  classification: JSONColumnType<Classification> | null;
  action: Action | null;
  flags: JSONColumnType<Flags> | null;
  reasons: JSONColumnType<Reason[]> | null;
  latency_ms: number | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  error: string | null;
  completed_at: Timestamp | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export interface Database {
  messages: MessagesTable;
  message_sightings: MessageSightingsTable;
  classifications: ClassificationsTable;
  decisions: DecisionsTable;
  ingest_cursors: IngestCursorsTable;
  ingest_leases: IngestLeasesTable;
  ingest_processes: IngestProcessesTable;
  webhook_subscriptions: WebhookSubscriptionsTable;
  webhook_events: WebhookEventsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  drafts: DraftsTable;
  keyword_updates: KeywordUpdatesTable;
  local_predictions: LocalPredictionsTable;
  pii_mappings: PiiMappingsTable;
  corrections: CorrectionsTable;
  correction_cursors: CorrectionCursorsTable;
  sender_rules: SenderRulesTable;
  shadow_results: ShadowResultsTable;
}

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
/** Either the database or an open transaction: SQL modules accept both. */
export type DbOrTx = Db | Tx;
