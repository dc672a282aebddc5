import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sql } from 'kysely';
import type { Config } from '../../config/index.js';
import { type Db, describeDatabase, findMigrationsFolder, migrateToLatest, openDatabaseAccess } from '../../db/index.js';
import { type CheckResult, fail, ok, withDeadline } from './checklist.js';

export interface OpenedDatabase {
  db: Db;
  /** Every migration is applied: the tables the later checks read exist. */
  schemaReady: boolean;
  close(): Promise<void>;
}

/**
 * Connects and compares applied migrations with migrations/*.sql. Pending migrations are applied,
 * in any order as every other command does on start (a fresh database is the common case: the
 * checks after this one need its tables; a migration numbered below the newest applied one is a
 * feature that landed beside it); a database with migrations this Mailroom does not know is
 * reported and left alone. Returns the open database for the checks that read subscriptions.
 */
export async function checkDatabase(config: Config, options: { timeoutMs?: number } = {}): Promise<{ results: CheckResult[]; opened: OpenedDatabase | null }> {
  const where = describeDatabase(config.database);
  if (!config.database.url && !existsSync(join(resolve(config.database.path), 'PG_VERSION'))) {
    return {
      results: [fail('database', `no embedded database in ${resolve(config.database.path)} yet`, 'run `mailroom migrate` (or start `mailroom run`) to create it, or set database.url')],
      opened: null,
    };
  }
  let close = async () => {};
  let db: Db | null = null;
  try {
    // Beside a running `mailroom run` on the embedded database, through its socket; another command is reported, not waited for.
    const access = await withDeadline(options.timeoutMs ?? 15_000, `connecting to ${where}`, () => openDatabaseAccess(config.database, { commandWaitMs: 0 }));
    db = access.db;
    close = access.close;
    const opened = db;
    await withDeadline(options.timeoutMs ?? 15_000, `querying ${where}`, () => sql`select 1`.execute(opened));
  } catch (error) {
    await close().catch(() => {});
    const message = (error as Error).message;
    const fix = /in use by process/.test(message)
      ? 'run the doctor when that command has finished (beside `mailroom run` it works through the service), or use PostgreSQL (database.url)'
      : /password authentication|authentication failed/i.test(message)
        ? 'correct the user or password in database.url'
        : /ECONNREFUSED|no answer|ENOTFOUND|EAI_AGAIN/.test(message)
          ? 'start PostgreSQL or correct the host and port in database.url'
          : /does not exist/.test(message)
            ? 'create the database (createdb) or correct its name in database.url'
            : 'check database.url and that the server accepts connections from this host';
    return { results: [fail('database', `cannot use ${where}: ${message}`, fix)], opened: null };
  }
  const known = readdirSync(await findMigrationsFolder())
    .filter((n) => n.endsWith('.sql'))
    .map((n) => n.replace(/\.sql$/, ''))
    .sort();
  const applied = new Set(await appliedMigrations(db));
  const pending = known.filter((name) => !applied.has(name));
  const unknown = [...applied].filter((name) => !known.includes(name));
  const results: CheckResult[] = [ok('database', `${where} answers`)];
  let schemaReady = pending.length === 0 && unknown.length === 0;
  if (unknown.length > 0)
    results.push(
      fail(
        'migrations',
        `the database has migrations this Mailroom does not know (${unknown.join(', ')}): it was upgraded by a newer version`,
        'run the newer Mailroom version, or restore a backup made before the upgrade',
      ),
    );
  else if (pending.length > 0) {
    try {
      const opened = db;
      await withDeadline(options.timeoutMs ?? 15_000, `migrating ${where}`, () => migrateToLatest(opened));
      schemaReady = true;
      results.push(ok('migrations', `applied ${pending.length} pending of ${known.length}: ${pending.join(', ')}`));
    } catch (error) {
      results.push(fail('migrations', `${pending.length} of ${known.length} not applied (${pending.join(', ')}): ${(error as Error).message}`, 'run `mailroom migrate` and read its error'));
    }
  } else results.push(ok('migrations', `all ${known.length} applied`));
  return { results, opened: { db, schemaReady, close } };
}

/** Names in Kysely's migration table; empty when the table does not exist yet (never migrated). */
export async function appliedMigrations(db: Db): Promise<string[]> {
  const { rows: exists } = await sql<{ present: boolean }>`select to_regclass('kysely_migration') is not null as present`.execute(db);
  if (!exists[0]?.present) return [];
  const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
  return rows.map((r) => r.name);
}
