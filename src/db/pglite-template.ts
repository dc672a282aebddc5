/**
 * A new embedded database folder, made without running initdb where it can be.
 *
 * Creating a PGlite folder runs initdb in WebAssembly: 5–13 s and a ~900 MB peak on a 2-core
 * machine, and migrating it another 1.5 s: the better part of a first `triage` or `mailroom run`.
 * That folder is always the same for one PGlite version and one set of migrations (which create
 * tables and insert nothing), so `npm run build` makes it once (scripts/build-assets.ts) beside this
 * module, marked with the PGlite version that made it, and a new folder is a copy of it; migrations
 * added since are applied on open as for any folder. Without a template of the installed version (running from source, an upgraded PGlite and no
 * build since) the caller falls back to initdb in a short-lived child process (create-pglite.ts).
 *
 * Either way the folder is assembled beside its target and moved in entry by entry, PG_VERSION
 * last: a folder with PG_VERSION is complete, and a creation cut short is started over.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kysely, PGliteDialect } from 'kysely';
import { findMigrationsFolder, knownMigrations, migrateToLatest } from './migrate.js';
import type { Database } from './schema.js';

/** Where the build puts the template: beside this module in `dist/`. */
export const PGLITE_TEMPLATE = fileURLToPath(new URL('./pglite-template', import.meta.url));
/** Kept in the template only: which PGlite made it. */
const MARK = 'mailroom-template.json';

/** The installed PGlite's version, read from its package.json (its exports do not list the file). */
export function pgliteVersion(): string {
  let folder = dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
  while (!existsSync(join(folder, 'package.json')) && dirname(folder) !== folder) folder = dirname(folder);
  return (JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as { version: string }).version;
}

interface Mark {
  pglite: string;
  /** Hash of the migration files applied to it: the build makes the template again when they change. */
  migrations: string;
}

function readMark(template: string): Partial<Mark> | null {
  try {
    return existsSync(join(template, 'PG_VERSION')) ? (JSON.parse(readFileSync(join(template, MARK), 'utf8')) as Partial<Mark>) : null;
  } catch {
    return null;
  }
}

/** Whether `template` is complete and was made by the installed PGlite. */
export function templateUsable(template = PGLITE_TEMPLATE): boolean {
  return readMark(template)?.pglite === pgliteVersion();
}

async function migrationsHash(): Promise<string> {
  const hash = createHash('sha256');
  const folder = await findMigrationsFolder();
  for (const name of await knownMigrations()) hash.update(name).update(readFileSync(join(folder, `${name}.sql`)));
  return hash.digest('hex').slice(0, 16);
}

/** Moves a finished folder's entries into `folder`, PG_VERSION last, and removes what is left of `building`. */
export function moveInto(building: string, folder: string): void {
  if (!existsSync(join(building, 'PG_VERSION'))) throw new Error(`no PG_VERSION in ${building}: the database folder was not created`);
  for (const entry of readdirSync(building).filter((name) => name !== 'PG_VERSION' && name !== MARK)) {
    rmSync(join(folder, entry), { recursive: true, force: true });
    renameSync(join(building, entry), join(folder, entry));
  }
  renameSync(join(building, 'PG_VERSION'), join(folder, 'PG_VERSION'));
  rmSync(building, { recursive: true, force: true });
}

/** Makes `folder` a new database from the template; false (nothing done) when there is no usable one. */
export function copyTemplate(folder: string, template = PGLITE_TEMPLATE): boolean {
  if (!templateUsable(template)) return false;
  const building = `${resolve(folder)}.new`;
  rmSync(building, { recursive: true, force: true });
  mkdirSync(resolve(folder), { recursive: true });
  cpSync(template, building, { recursive: true });
  moveInto(building, resolve(folder));
  return true;
}

/**
 * Runs initdb and the migrations once into `template` (a no-op when the one there is current).
 * Called by the build, a short-lived process, so initdb's memory peak is never a service's.
 */
export async function buildTemplate(template = PGLITE_TEMPLATE): Promise<boolean> {
  const mark: Mark = { pglite: pgliteVersion(), migrations: await migrationsHash() };
  const current = readMark(template);
  if (current?.pglite === mark.pglite && current.migrations === mark.migrations) return false;
  const { PGlite } = await import('@electric-sql/pglite');
  const building = `${template}.new`;
  rmSync(building, { recursive: true, force: true });
  const pglite = new PGlite(building);
  await pglite.waitReady;
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
  await migrateToLatest(db);
  await db.destroy();
  if (!pglite.closed) await pglite.close();
  writeFileSync(join(building, MARK), `${JSON.stringify(mark)}\n`);
  rmSync(template, { recursive: true, force: true });
  renameSync(building, template);
  return true;
}
