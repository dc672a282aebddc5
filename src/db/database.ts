import type { Kysely, Transaction } from 'kysely';
import type { CoreTables } from './tables/core.js';
import type { DraftTables } from './tables/drafts.js';
import type { IngestTables } from './tables/ingest.js';
import type { WebhookTables } from './tables/webhooks.js';

/**
 * The whole schema as Kysely sees it. Each stage that owns tables declares them in
 * `src/db/tables/<stage>.ts` and is added here, so this line reads as the table of contents.
 */
export interface Database extends CoreTables, WebhookTables, IngestTables, DraftTables {}

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
/** Either the database or an open transaction: SQL modules accept both. */
export type DbOrTx = Db | Tx;
