/**
 * The database: PostgreSQL through `pg`, or the embedded PGlite, behind one Kysely schema. Every
 * state change of the flow is a row here, written in a transaction.
 */

export { jsonColumn, textColumn } from './column-text.js';
export { type AccessOptions, type DatabaseAccess, openDatabaseAccess } from './database-access.js';
export { acquirePGliteLock, EmbeddedDatabaseInUseError, type LockHolder, type LockRole, readLockHolder } from './embedded-lock.js';
export { type ServedDatabase, serveEmbeddedDatabase } from './embedded-service.js';
export { embeddedSocketPath } from './embedded-wire.js';
export { findMigrationsFolder, knownMigrations, migrateToLatest, splitSqlStatements } from './migrate.js';
export { analyzeEmbedded, describeDatabase, isEmbedded, openDatabase } from './open-database.js';
export { deleteMessages, insertWithRaw, parseSource, type RawMessage, rawStoreOf, readRawMessage, sweepRawStore } from './raw-store.js';
export type * from './schema.js';
export { createSecretBox, defaultKeyFilePath, readOrCreateKeyFile, SealError, type SecretBox, secretBoxFromConfig } from './secret-box.js';
