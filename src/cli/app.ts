import type { Config } from '../config/schema.js';
import { loadConfig } from '../config/load-config.js';
import type { Db } from '../db/database.js';
import { openDatabase } from '../db/open-database.js';
import { migrateToLatest } from '../db/migrate.js';
import { acquirePGliteLock } from '../db/pglite-lock.js';
import { createRedactingLogger } from '../ops/redacting-logger.js';
import type { Logger } from '../util/logger.js';

/** What a command works with: validated configuration, a migrated database and a logger. */
export interface App {
  config: Config;
  configPath: string | null;
  db: Db;
  logger: Logger;
  close(): Promise<void>;
}

export interface AppOptions {
  config?: string;
}

export type AppFactory = (opts: AppOptions) => Promise<App>;

/** Loads the configuration (exit 2 on error, before anything is touched), opens and migrates the database. */
export const openApp: AppFactory = async (opts) => {
  const { config, path } = loadConfig(opts.config);
  // Every secret of the configuration is scrubbed from every line, library errors included.
  const logger = createRedactingLogger(config);
  const releaseLock = config.database.url ? () => {} : acquirePGliteLock(config.database.path);
  let db: Db;
  try {
    db = await openDatabase(config.database);
    await migrateToLatest(db);
  } catch (error) {
    releaseLock();
    throw new Error(`cannot open the database (${describeDatabase(config)}): ${(error as Error).message}`, { cause: error });
  }
  let closed = false;
  return {
    config,
    configPath: path,
    db,
    logger,
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
      releaseLock();
    },
  };
};

/** Where the database is, without the password. */
export function describeDatabase(config: Config): string {
  if (!config.database.url) return `embedded PGlite in ${config.database.path}`;
  try {
    const url = new URL(config.database.url);
    url.password = '';
    return `PostgreSQL ${url.host}${url.pathname}`;
  } catch {
    return 'PostgreSQL (database.url is not a valid URL)';
  }
}
