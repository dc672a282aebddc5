/**
 * The embedded database's template (src/db/pglite-template.ts): made once by the build with the
 * migrations applied, copied into a new folder instead of running initdb, and refused when another
 * PGlite version made it. PGlite only: PostgreSQL folders are the server's.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, sql } from 'kysely';
import { knownMigrations, migrateToLatest } from '../../src/db/migrate.js';
import { buildTemplate, copyTemplate, templateUsable } from '../../src/db/pglite-template.js';
import type { Database } from '../../src/db/schema.js';

const folder = mkdtempSync(join(tmpdir(), 'mailroom-template-'));
after(() => rmSync(folder, { recursive: true, force: true }));
const template = join(folder, 'template');

test('the build makes the template once, migrated, and a new folder is a copy that needs no migration', async () => {
  assert.equal(await buildTemplate(template), true);
  assert.equal(await buildTemplate(template), false, 'current: built again for nothing');
  assert.equal(templateUsable(template), true);

  const target = join(folder, 'data', 'pglite');
  assert.equal(copyTemplate(target, template), true);
  assert.ok(existsSync(join(target, 'PG_VERSION')));
  assert.equal(existsSync(join(target, 'mailroom-template.json')), false, 'the mark stays in the template');
  assert.equal(existsSync(`${target}.new`), false, 'nothing left beside it');

  const pglite = new PGlite(target);
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
  try {
    const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
    assert.deepEqual(
      rows.map((r) => r.name),
      await knownMigrations(),
    );
    assert.deepEqual((await migrateToLatest(db)).results, [], 'every migration already applied');
    const { rows: messages } = await sql<{ n: number }>`select count(*)::int as n from messages`.execute(db);
    assert.equal(messages[0]?.n, 0, 'a new, empty database');
  } finally {
    await db.destroy();
  }
});

test('a template another PGlite version made is not used: the caller runs initdb instead', () => {
  const mark = join(template, 'mailroom-template.json');
  const original = readFileSync(mark, 'utf8');
  writeFileSync(mark, JSON.stringify({ ...JSON.parse(original), pglite: '0.0.1' }));
  try {
    assert.equal(templateUsable(template), false);
    const target = join(folder, 'other', 'pglite');
    assert.equal(copyTemplate(target, template), false);
    assert.equal(existsSync(join(target, 'PG_VERSION')), false);
  } finally {
    writeFileSync(mark, original);
  }
  assert.equal(templateUsable(join(folder, 'missing')), false, 'no template at all');
});
