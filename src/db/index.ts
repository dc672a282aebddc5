/**
 * The database: PostgreSQL through `pg`, or the embedded PGlite, behind one Kysely schema. Every
 * state change of the flow is a row here, written in a transaction.
 */

export { jsonColumn, textColumn } from './column-text.js';
export { findMigrationsFolder, migrateToLatest, splitSqlStatements } from './migrate.js';
export { acquirePGliteLock, analyzeEmbedded, describeDatabase, isEmbedded, openDatabase } from './open-database.js';
export type * from './schema.js';
