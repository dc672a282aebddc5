import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { jsonColumn, textColumn } from '../../src/db/column-text.js';
import { describeEachDatabase } from '../support/databases.js';

test('NUL is removed from text and from every string inside JSON, and nothing else changes', () => {
  assert.equal(textColumn('a\u0000b'), 'ab');
  assert.equal(textColumn(null), null);
  assert.equal(jsonColumn({ s: 'x\u0000y', list: ['\u0000'], literal: '\\u0000 stays as text' }), '{"s":"xy","list":[""],"literal":"\\\\u0000 stays as text"}');
});

describeEachDatabase('NUL in columns', (getDb) => {
  test('sanitized values are accepted by text and jsonb', async () => {
    const { rows } = await sql<{
      t: string;
      j: { s: string };
    }>`select ${textColumn('a\u0000b')}::text as t, ${jsonColumn({ s: 'c\u0000d' })}::jsonb as j`.execute(getDb());
    assert.deepEqual(rows[0], { t: 'ab', j: { s: 'cd' } });
  });
});
