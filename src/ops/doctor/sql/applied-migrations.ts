import { sql } from 'kysely';
import type { Db } from '../../../db/database.js';

/** Names in Kysely's migration table; empty when the table does not exist yet (never migrated). */
export async function appliedMigrations(db: Db): Promise<string[]> {
  const { rows: exists } = await sql<{ present: boolean }>`select to_regclass('kysely_migration') is not null as present`.execute(db);
  if (!exists[0]?.present) return [];
  const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
  return rows.map((r) => r.name);
}
