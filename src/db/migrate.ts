import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { Migrator, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely/migration';
import type { Db } from './database.js';
import { splitSqlStatements } from './split-sql.js';

/** migrations/ at the project root, found from both src/ (tsx) and dist/src/ (built). */
export async function findMigrationsFolder(): Promise<string> {
  for (const relative of ['../../migrations/', '../../../migrations/']) {
    const folder = fileURLToPath(new URL(relative, import.meta.url));
    try {
      const names = await readdir(folder);
      if (names.some((name) => name.endsWith('.sql'))) return folder;
    } catch {
      // try the next candidate
    }
  }
  throw new Error('migrations/ folder not found next to the Mailroom installation');
}

/** Plain-SQL files, applied in name order, statement by statement, inside the migration's transaction. */
class SqlFolderMigrationProvider implements MigrationProvider {
  readonly #folder: string;
  constructor(folder: string) {
    this.#folder = folder;
  }
  async getMigrations(): Promise<Record<string, Migration>> {
    const migrations: Record<string, Migration> = {};
    for (const name of (await readdir(this.#folder)).filter((n) => n.endsWith('.sql')).sort()) {
      const text = await readFile(this.#folder + name, 'utf8');
      const statements = splitSqlStatements(text);
      migrations[name.replace(/\.sql$/, '')] = {
        up: async (db) => {
          for (const statement of statements) await sql.raw(statement).execute(db);
        },
      };
    }
    return migrations;
  }
}

/**
 * Applies every pending migration. Kysely's Migrator takes a lock (an advisory lock on
 * PostgreSQL) so several processes starting together apply each file once.
 */
export async function migrateToLatest(db: Db): Promise<MigrationResultSet> {
  const migrator = new Migrator({ db, provider: new SqlFolderMigrationProvider(await findMigrationsFolder()) });
  const result = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    const cause = result.error instanceof Error ? result.error.message : String(result.error);
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${cause}`, { cause: result.error });
  }
  return result;
}
