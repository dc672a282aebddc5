import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Kysely, PGliteDialect, PostgresDialect, sql } from 'kysely';
import type { Config } from '../config/schema.js';
import type { Database, Db } from './schema.js';

export interface OpenDatabaseOptions {
  /** Use an in-memory PGlite (tests): nothing is written to disk. */
  memory?: boolean;
}

/**
 * PostgreSQL through `pg` when `database.url` is set, otherwise the embedded PGlite in
 * `database.path`. Both are loaded lazily so a PostgreSQL user never pays PGlite's import.
 */
export async function openDatabase(config: Config['database'], options: OpenDatabaseOptions = {}): Promise<Db> {
  if (config.url) return openPostgres(config.url, config.pool_size);
  return openPGlite(options.memory ? null : config.path);
}

async function openPostgres(url: string, poolSize: number): Promise<Db> {
  const pg = await import('pg');
  // bigint/bigserial stay strings (pg's default); timestamptz become Date (pg's default).
  const pool = new pg.default.Pool({ connectionString: url, max: poolSize, application_name: 'mailroom' });
  pool.on('error', () => {
    // An idle client lost its connection; the pool replaces it on the next query.
  });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

const BYTEA_OID = 17;

async function openPGlite(path: string | null): Promise<Db> {
  const { PGlite } = await import('@electric-sql/pglite');
  if (path) mkdirSync(resolve(path), { recursive: true });
  // bytea as Buffer, as pg returns it: PGlite's own Uint8Array would stringify as "82,101,…".
  const parsers = { [BYTEA_OID]: (text: string) => Buffer.from(text.startsWith('\\x') ? text.slice(2) : text, 'hex') };
  const pglite = path ? new PGlite(resolve(path), { parsers }) : new PGlite({ parsers });
  await pglite.waitReady;
  return new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
}

/** True when the database is the embedded, single-process PGlite. */
export function isEmbedded(config: Config['database']): boolean {
  return !config.url;
}

/**
 * Refreshes the planner's statistics. PostgreSQL's autovacuum does this on its own; the embedded
 * PGlite runs no background workers, so without it the planner keeps guessing as if every table
 * were empty, and a filtered audit-log page over 10,000 decisions took 5–30× longer (measured).
 */
export async function analyzeEmbedded(db: Db): Promise<void> {
  await sql`analyze`.execute(db);
}

/** Where the database is, without the password. */
export function describeDatabase(config: Config['database']): string {
  if (!config.url) return `embedded PGlite in ${config.path}`;
  try {
    const url = new URL(config.url);
    url.password = '';
    return `PostgreSQL ${url.host}${url.pathname}`;
  } catch {
    return 'PostgreSQL (database.url is not a valid URL)';
  }
}

/**
 * PGlite is an in-process database: two processes opening the same folder would corrupt it.
 * A lock file with the holder's pid turns that into a clear message; a lock left by a dead
 * process is taken over.
 */
export function acquirePGliteLock(path: string): () => void {
  const folder = resolve(path);
  mkdirSync(folder, { recursive: true });
  const lockPath = join(folder, 'mailroom.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(readFileSync(lockPath, 'utf8'), 10);
      if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
        throw new Error(
          `the embedded database in ${folder} is in use by process ${holder}. PGlite serves one process only: ` +
            'stop that process, or set database.url to a PostgreSQL server that several Mailroom processes can share',
        );
      }
      rmSync(lockPath, { force: true });
    }
  }
  throw new Error(`could not lock the embedded database in ${folder}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
