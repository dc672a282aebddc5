/**
 * One test body, two databases: the embedded PGlite (in memory) and a throwaway database on the
 * PostgreSQL server at 127.0.0.1:5432, created per suite and dropped after. Without a server the
 * PostgreSQL half is skipped with a line saying so — except in CI, where that is a failure.
 */

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import type { Db } from '../../src/db/index.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { openDatabase } from '../../src/db/open-database.js';

export const PG_ADMIN_URL = process.env.MAILROOM_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

let serverCheck: Promise<string | null> | null = null;

/** Resolves to null when the server answers, or to the reason it does not. */
export function postgresUnavailable(): Promise<string | null> {
  serverCheck ??= (async () => {
    const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 10_000 });
    try {
      await client.connect();
      await client.query('select 1');
      return null;
    } catch (error) {
      return (error as Error).message;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return serverCheck;
}

export interface TestDatabase {
  db: Db;
  /** postgres URL of the throwaway database, null for PGlite. */
  url: string | null;
  kind: 'pglite' | 'postgres';
  drop(): Promise<void>;
}

/** A migrated throwaway PostgreSQL database (for tests that spawn processes sharing it). */
export async function createPostgresDatabase(): Promise<TestDatabase> {
  const name = `mailroom_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  const db = await openDatabase({ url, path: '', pool_size: 10 });
  await migrateToLatest(db);
  return {
    db,
    url,
    kind: 'postgres',
    async drop() {
      await db.destroy().catch(() => {});
      const admin2 = new pg.Client({ connectionString: PG_ADMIN_URL });
      await admin2.connect();
      await admin2.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin2.end();
    },
  };
}

/** A migrated in-memory PGlite, with its raw file store in a temporary folder as beside a real one. */
export async function createPGliteDatabase(): Promise<TestDatabase> {
  const rawStore = mkdtempSync(join(tmpdir(), 'mailroom-raw-'));
  const db = await openDatabase({ url: undefined, path: '', pool_size: 1 }, { memory: true, rawStore });
  await migrateToLatest(db);
  return {
    db,
    url: null,
    kind: 'pglite',
    async drop() {
      await db.destroy();
      rmSync(rawStore, { recursive: true, force: true });
    },
  };
}

/** Empties every Mailroom table (keeps the migration history), for a clean slate between tests. */
export async function truncateAll(db: Db): Promise<void> {
  const { rows } = await sql<{ tablename: string }>`
    select tablename from pg_tables
    where schemaname = current_schema() and tablename not like 'kysely_%'`.execute(db);
  if (rows.length === 0) return;
  await sql.raw(`TRUNCATE ${rows.map((r) => `"${r.tablename}"`).join(', ')} RESTART IDENTITY CASCADE`).execute(db);
}

const pgReason = await postgresUnavailable();
if (pgReason && process.env.CI === 'true') {
  test('PostgreSQL server is reachable (required in CI)', () => {
    throw new Error(`CI=true but PostgreSQL at ${PG_ADMIN_URL} is unreachable: ${pgReason}`);
  });
}

export type DatabaseKind = 'pglite' | 'postgres';

/**
 * Runs `body` once per database. `body` receives a getter because the database only exists once
 * the suite's `before` hook has run.
 */
export function describeEachDatabase(title: string, body: (getDb: () => Db, ctx: { kind: DatabaseKind; url: () => string | null }) => void, options: { kinds?: DatabaseKind[] } = {}): void {
  const kinds = options.kinds ?? (process.env.MAILROOM_TEST_DATABASES?.split(',') as DatabaseKind[] | undefined) ?? ['pglite', 'postgres'];
  for (const kind of kinds) {
    const skip = kind === 'postgres' && pgReason ? `PostgreSQL at ${PG_ADMIN_URL} not reachable (${pgReason}); skipped` : false;
    describe(`${title} [${kind}]`, { skip }, () => {
      let testDb: TestDatabase | null = null;
      before(async () => {
        testDb = kind === 'pglite' ? await createPGliteDatabase() : await createPostgresDatabase();
      });
      after(async () => {
        await testDb?.drop();
      });
      const getDb = () => {
        if (!testDb) throw new Error('database not ready: use getDb() inside a test or hook');
        return testDb.db;
      };
      body(getDb, { kind, url: () => testDb?.url ?? null });
    });
  }
}
