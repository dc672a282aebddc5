import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitSqlStatements } from '../../src/db/migrate.js';

test('splits statements but not inside strings, comments or dollar quotes', () => {
  const text = `-- a comment; with a semicolon
CREATE TABLE a (x text DEFAULT 'a;b'); /* block ; comment */
CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;
INSERT INTO "we;ird" VALUES ('it''s;');
-- trailing comment only`;
  const statements = splitSqlStatements(text);
  assert.equal(statements.length, 3);
  assert.match(statements[0]!, /DEFAULT 'a;b'\)$/);
  assert.match(statements[1]!, /\$body\$ SELECT 1; \$body\$ LANGUAGE sql$/);
  assert.match(statements[2]!, /VALUES \('it''s;'\)$/);
});
