import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { migrateToLatest } from '../../src/db/migrate.js';
import { describeEachDatabase } from '../support/databases.js';

describeEachDatabase('migrations', (getDb) => {
  test('create the core tables and are idempotent', async () => {
    const db = getDb();
    const again = await migrateToLatest(db);
    assert.deepEqual(again.results, [], 'a second run applies nothing');
    const { rows } = await sql<{ tablename: string }>`select tablename from pg_tables where schemaname = current_schema()`.execute(db);
    const names = rows.map((r) => r.tablename);
    for (const table of ['messages', 'classifications', 'decisions']) assert.ok(names.includes(table), `${table} exists`);
  });

  test('one decision per email is enforced by the schema', async () => {
    const db = getDb();
    await db
      .insertInto('messages')
      .values({
        id: 'em_1',
        thread_id: 'th_1',
        mailbox: 'm',
        source: 'file',
        sha256: 'x',
        size_bytes: 1,
        raw: Buffer.from('a'),
        raw_headers: null,
        message_id: null,
        from_address: null,
        from_name: null,
        subject: null,
        sent_at: null,
        imap_uid: null,
        imap_uidvalidity: null,
        last_error: null,
        locked_by: null,
        locked_at: null,
        raw_chars: null,
        clean_chars: null,
      })
      .execute();
    const decision = {
      email_id: 'em_1',
      action: 'ignore' as const,
      reasons: JSON.stringify([]),
      flags: JSON.stringify({ payment: false, legal: false, vip: false }),
      detector_matches: JSON.stringify([]),
      prefilter: null,
      classification_id: null,
      policy_version: 'p1',
    };
    await db.insertInto('decisions').values(decision).execute();
    await assert.rejects(db.insertInto('decisions').values(decision).execute(), /unique|duplicate/i);
  });
});
