import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kysely, PGliteDialect, PostgresDialect, sql } from 'kysely';
import type { Config } from '../config/schema.js';
import { copyTemplate } from './pglite-template.js';
import { rawStorePlugin } from './raw-store.js';
import type { Database, Db } from './schema.js';

export interface OpenDatabaseOptions {
  /** Use an in-memory PGlite (tests): nothing is written to disk but the raw file store. */
  memory?: boolean;
  /** The raw file store's folder; default `<database.path>-raw`; with `memory`, without one raw bytes stay in the database. */
  rawStore?: string;
}

/**
 * PostgreSQL through `pg` when `database.url` is set, otherwise the embedded PGlite in
 * `database.path`. Both are loaded lazily so a PostgreSQL user never pays PGlite's import.
 */
export async function openDatabase(config: Config['database'], options: OpenDatabaseOptions = {}): Promise<Db> {
  if (config.url) return openPostgres(config.url, config.pool_size);
  const rawStore = options.rawStore ?? (options.memory ? null : rawStoreFolder(config.path));
  return openPGlite(options.memory ? null : config.path, rawStore);
}

/** `data/pglite-raw` beside `data/pglite`: raw message bytes of the embedded database (src/db/raw-store.ts). */
export function rawStoreFolder(databasePath: string): string {
  return `${resolve(databasePath)}-raw`;
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

/**
 * PostgreSQL's 128 MB of shared buffers live in PGlite's WebAssembly memory, which never shrinks,
 * and Mailroom's working set is far smaller: 16 MB cut the RSS after reopening a folder from ~290
 * to ~180 MB. Pages beyond them are read through the operating system's file cache.
 */
const PGLITE_SETTINGS = ['-c', 'shared_buffers=16MB'];

async function openPGlite(path: string | null, rawStore: string | null): Promise<Db> {
  const { PGlite } = await import('@electric-sql/pglite');
  if (path) {
    mkdirSync(resolve(path), { recursive: true });
    if (!existsSync(join(resolve(path), 'PG_VERSION')) && !copyTemplate(resolve(path))) await createPGliteFolder(resolve(path));
  }
  // bytea as Buffer, as pg returns it: PGlite's own Uint8Array would stringify as "82,101,…".
  const parsers = { [BYTEA_OID]: (text: string) => Buffer.from(text.startsWith('\\x') ? text.slice(2) : text, 'hex') };
  const startParams = [...PGlite.defaultStartParams, ...PGLITE_SETTINGS];
  const pglite = path ? new PGlite(resolve(path), { parsers, startParams }) : new PGlite({ parsers, startParams });
  await pglite.waitReady;
  return new Kysely<Database>({ dialect: new PGliteDialect({ pglite }), plugins: rawStore ? [rawStorePlugin(rawStore)] : [] });
}

/**
 * Creates a new PGlite folder in a child process (src/db/create-pglite.ts) when there is no template
 * to copy, so this process only ever reopens one and never carries initdb's memory peak.
 */
async function createPGliteFolder(folder: string): Promise<void> {
  const script = fileURLToPath(new URL(`./create-pglite${extname(fileURLToPath(import.meta.url))}`, import.meta.url));
  // execArgv carries a TypeScript loader (tsx) when Mailroom runs from source; `--import tsx` is
  // resolved from the working folder, so the child works from Mailroom's own.
  const child = spawn(process.execPath, [...process.execArgv, script, folder], { cwd: dirname(script), stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  if (code !== 0 || !existsSync(join(folder, 'PG_VERSION'))) {
    throw new Error(
      `could not create the embedded database in ${folder} (${signal ?? `exit code ${code}`}): ${stderr.trim().split('\n').slice(-3).join(' ') || 'no error output'}; check that the folder is writable and the disk has room`,
    );
  }
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
