import { readdir, readFile } from 'node:fs/promises';
import { sql } from 'kysely';
import { type Migration, type MigrationProvider, type MigrationResultSet, Migrator } from 'kysely/migration';
import { projectFolder } from '../util/project-folder.js';
import type { Db } from './schema.js';

/** migrations/ at the project root. */
export async function findMigrationsFolder(): Promise<string> {
  return projectFolder('migrations');
}

/** The names of the migrations this installation ships, in order. */
export async function knownMigrations(): Promise<string[]> {
  return (await readdir(await findMigrationsFolder()))
    .filter((name) => name.endsWith('.sql'))
    .map((name) => name.replace(/\.sql$/, ''))
    .sort();
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
  if (await allApplied(db)) return { results: [] };
  // Numbers are reserved per piece of work and land in any order (0013 before 0007): a database that
  // has a later file applies an earlier one it lacks instead of refusing to start.
  const migrator = new Migrator({ db, provider: new SqlFolderMigrationProvider(await findMigrationsFolder()), allowUnorderedMigrations: true });
  const result = await migrator.migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    const cause = result.error instanceof Error ? result.error.message : String(result.error);
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${cause}`, { cause: result.error });
  }
  return result;
}

/**
 * Whether every migration this installation ships is recorded as applied: one plain query. Kysely's
 * migrator first introspects the catalog for its own tables, which on a freshly opened embedded
 * database (cold catalog pages, 16 MB of shared buffers) took 1.8 s of every start.
 */
async function allApplied(db: Db): Promise<boolean> {
  try {
    const { rows } = await sql<{ name: string }>`select name from kysely_migration`.execute(db);
    const applied = new Set(rows.map((r) => r.name));
    return (await knownMigrations()).every((name) => applied.has(name));
  } catch {
    // No migration table yet (a new database): the migrator creates it.
    return false;
  }
}

/**
 * Splits a migration file into single statements. PGlite's `query` (what Kysely's dialect uses)
 * speaks the extended protocol, which takes one statement at a time. Understands `--` and block
 * comments, quoted strings and identifiers, and dollar-quoted bodies, so a `;` inside them stays put.
 */
export function splitSqlStatements(text: string): string[] {
  const statements: string[] = [];
  let start = 0;
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    const next = text[i + 1];
    if (ch === '-' && next === '-') {
      i = indexOrEnd(text, '\n', i);
    } else if (ch === '/' && next === '*') {
      i = indexOrEnd(text, '*/', i + 2) + 2;
    } else if (ch === "'" || ch === '"') {
      i = skipQuoted(text, i, ch);
    } else if (ch === '$') {
      const tag = /^\$[A-Za-z_]*\$/.exec(text.slice(i))?.[0];
      i = tag ? indexOrEnd(text, tag, i + tag.length) + tag.length : i + 1;
    } else if (ch === ';') {
      pushStatement(statements, text.slice(start, i));
      start = i + 1;
      i++;
    } else {
      i++;
    }
  }
  pushStatement(statements, text.slice(start));
  return statements;
}

function indexOrEnd(text: string, needle: string, from: number): number {
  const at = text.indexOf(needle, from);
  return at === -1 ? text.length : at;
}

/** Skips a quoted run; a doubled quote is an escaped quote. */
function skipQuoted(text: string, open: number, quote: string): number {
  let i = open + 1;
  while (i < text.length) {
    if (text[i] === quote) {
      if (text[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return i;
}

function pushStatement(out: string[], statement: string): void {
  const withoutComments = statement.replace(/--[^\n]*/g, '').trim();
  if (withoutComments.length > 0) out.push(statement.trim());
}
