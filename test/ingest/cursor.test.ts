import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { advanceCursor, prepareCursor } from '../../src/ingest/cursor.js';
import { acquireLease, releaseLease, renewLease } from '../../src/ingest/lease.js';
import { describeEachDatabase } from '../support/databases.js';
import { cleanIngest } from './helpers.js';

const now = new Date('2026-11-23T09:00:00Z');

describeEachDatabase('ingest cursor and lease SQL', (getDb) => {
  beforeEach(() => cleanIngest(getDb()));

  test('first start takes only new mail; backfill reaches back; an unchanged folder keeps its cursor', async () => {
    const db = getDb();
    const state = { folder: 'INBOX', uidvalidity: 77, uidNext: 41 };
    const first = await prepareCursor(db, { mailbox: 'a', state, backfillMs: 0, now });
    assert.equal(first.change, 'first-start');
    assert.deepEqual({ last: first.cursor.lastUid, catchup: first.cursor.catchupUid }, { last: 40, catchup: 40 });
    const withBackfill = await prepareCursor(db, { mailbox: 'b', state, backfillMs: 7 * 86_400_000, now });
    assert.equal(withBackfill.cursor.lastUid, 0);
    assert.equal(withBackfill.cursor.since.toISOString(), '2026-11-16T09:00:00.000Z');
    const again = await prepareCursor(db, { mailbox: 'a', state: { ...state, uidNext: 90 }, backfillMs: 0, now });
    assert.equal(again.change, 'none');
    assert.equal(again.cursor.lastUid, 40);
  });

  test('a new UIDVALIDITY re-scans from UID 1, back to the original since', async () => {
    const db = getDb();
    await prepareCursor(db, { mailbox: 'a', state: { folder: 'INBOX', uidvalidity: 77, uidNext: 41 }, backfillMs: 0, now });
    const changed = await prepareCursor(db, { mailbox: 'a', state: { folder: 'INBOX', uidvalidity: 78, uidNext: 12 }, backfillMs: 0, now: new Date() });
    assert.equal(changed.change, 'uidvalidity-changed');
    assert.equal(changed.cursor.lastUid, 0);
    assert.equal(changed.cursor.catchupUid, 11);
    assert.equal(changed.cursor.rescan, true);
    assert.ok(changed.cursor.since < now, 'since stays at the first start (minus a clock margin)');
  });

  test('the cursor moves only forward, only for the lease holder, only at its UIDVALIDITY', async () => {
    const db = getDb();
    await prepareCursor(db, { mailbox: 'a', state: { folder: 'INBOX', uidvalidity: 77, uidNext: 1 }, backfillMs: 0, now });
    assert.equal(await advanceCursor(db, { mailbox: 'a', uidvalidity: 77, uid: 5, holder: 'p1' }), false, 'no lease, no write');
    assert.equal((await acquireLease(db, { mailbox: 'a', holder: 'p1', ttlMs: 60_000 })).held, true);
    assert.equal(await advanceCursor(db, { mailbox: 'a', uidvalidity: 77, uid: 5, holder: 'p1' }), true);
    assert.equal(await advanceCursor(db, { mailbox: 'a', uidvalidity: 77, uid: 3, holder: 'p1' }), true);
    assert.equal(await advanceCursor(db, { mailbox: 'a', uidvalidity: 78, uid: 9, holder: 'p1' }), false, 'stale UIDVALIDITY');
    const row = await db.selectFrom('ingest_cursors').select('last_uid').where('mailbox', '=', 'a').executeTakeFirstOrThrow();
    assert.equal(Number(row.last_uid), 5);
  });

  test('a live lease is exclusive; an expired one is taken over; release frees it', async () => {
    const db = getDb();
    assert.deepEqual(await acquireLease(db, { mailbox: 'a', holder: 'p1', ttlMs: 60_000 }), { held: true, holder: 'p1' });
    assert.deepEqual(await acquireLease(db, { mailbox: 'a', holder: 'p2', ttlMs: 60_000 }), { held: false, holder: 'p1' });
    assert.equal(await renewLease(db, { mailbox: 'a', holder: 'p1', ttlMs: 60_000 }), true);
    assert.equal(await renewLease(db, { mailbox: 'a', holder: 'p2', ttlMs: 60_000 }), false);
    await db
      .updateTable('ingest_leases')
      .set({ expires_at: new Date(Date.now() - 60_000) })
      .execute();
    assert.deepEqual(await acquireLease(db, { mailbox: 'a', holder: 'p2', ttlMs: 60_000 }), { held: true, holder: 'p2' });
    assert.equal(await renewLease(db, { mailbox: 'a', holder: 'p1', ttlMs: 60_000 }), false, 'the old holder learns it lost the lease');
    await releaseLease(db, { mailbox: 'a', holder: 'p2' });
    assert.equal((await acquireLease(db, { mailbox: 'b', holder: 'p3', ttlMs: 1 })).held, true);
    assert.deepEqual(await acquireLease(db, { mailbox: 'a', holder: 'p1', ttlMs: 60_000 }), { held: true, holder: 'p1' });
  });
});
