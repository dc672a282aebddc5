/**
 * A claim passes over rows another transaction is WRITING (SKIP LOCKED), not rows another
 * transaction merely REFERENCES. Inserting a row with a foreign key to messages (a sighting of the
 * email in a second mailbox, a correction, a shadow result) takes a KEY SHARE lock on the message
 * until that transaction commits; a claim that locked FOR UPDATE treated the message as busy for
 * that long: `mailroom triage` beside a service on PostgreSQL, claiming the email it had just
 * stored while the watcher stored a group with a sighting of it, would find nothing to claim.
 *
 * PostgreSQL only: PGlite is one session, so no second transaction can hold a lock meanwhile.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { claim } from '../../src/queue/index.js';
import { describeEachDatabase, truncateAll } from '../support/databases.js';

describeEachDatabase(
  'claims and foreign-key locks',
  (getDb, { url }) => {
    test('a message referenced by an uncommitted sighting is still claimed; one being updated is passed over', { timeout: 60_000 }, async () => {
      const db = getDb();
      await truncateAll(db);
      const now = new Date();
      await db
        .insertInto('messages')
        .values(['em_seen', 'em_written'].map((id) => ({ id, thread_id: id, mailbox: 'support', source: 'imap', sha256: id, size_bytes: 1, raw: Buffer.from('x'), next_attempt_at: now })) as never)
        .execute();
      const other = new pg.Client({ connectionString: url()! });
      await other.connect();
      try {
        await other.query('BEGIN');
        // The same email seen in a second mailbox: the watcher's group transaction is still open.
        await other.query(`INSERT INTO message_sightings (email_id, mailbox, source, sha256, size_bytes, received_at) VALUES ('em_seen', 'sales', 'imap', 'other-bytes', 1, now())`);
        // A write in progress on the other one: that is what SKIP LOCKED is for.
        await other.query(`UPDATE messages SET updated_at = now() WHERE id = 'em_written'`);

        const claimed = await claim<{ id: string; attempts: number; locked_by: string | null }>(db, 'messages', { workerId: 'test:1:a', now: new Date(), limit: 10 });
        assert.deepEqual(
          claimed.map((r) => r.id),
          ['em_seen'],
          'the referenced message is claimed at once, the one being written is left to its writer',
        );
        const only = await claim(db, 'messages', { workerId: 'test:2:b', now: new Date(), limit: 1, only: ['em_written'] });
        assert.deepEqual(only, [], 'a row another transaction writes is passed over, not waited for');
      } finally {
        await other.query('ROLLBACK').catch(() => {});
        await other.end();
      }
    });
  },
  { kinds: ['postgres'] },
);
