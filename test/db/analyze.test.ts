import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { analyzeEmbedded } from '../../src/db/index.js';
import { seedEmail } from '../api/fixtures.js';
import { describeEachDatabase } from '../support/databases.js';

describeEachDatabase('planner statistics', (getDb) => {
  test('analyzeEmbedded gives the planner row counts (PGlite has no autovacuum to do it)', async () => {
    const db = getDb();
    for (let i = 0; i < 20; i++) await seedEmail(db, { id: `em_AN${i}`, action: 'ticket' });
    await analyzeEmbedded(db);
    const { rows } = await sql<{ reltuples: number }>`select reltuples::float8 as reltuples from pg_class where relname = 'decisions'`.execute(db);
    assert.equal(rows[0]?.reltuples, 20);
  });
});
