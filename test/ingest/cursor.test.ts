import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { advanceCursor, prepareCursor } from '../../src/ingest/cursor.js';
import { acquireLeases, leaseCycle, releaseDeadLocalLeases, releaseLease, unregisterProcess } from '../../src/ingest/lease.js';
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
    assert.deepEqual(await acquireLeases(db, { mailboxes: ['a'], holder: 'p1', lifeMs: 60_000 }), ['a']);
    assert.equal(await advanceCursor(db, { mailbox: 'a', uidvalidity: 77, uid: 5, holder: 'p1' }), true);
    assert.equal(await advanceCursor(db, { mailbox: 'a', uidvalidity: 77, uid: 3, holder: 'p1' }), true);
    assert.equal(await advanceCursor(db, { mailbox: 'a', uidvalidity: 78, uid: 9, holder: 'p1' }), false, 'stale UIDVALIDITY');
    const row = await db.selectFrom('ingest_cursors').select('last_uid').where('mailbox', '=', 'a').executeTakeFirstOrThrow();
    assert.equal(Number(row.last_uid), 5);
  });

  test('a live lease is exclusive; an expired one is taken over; release frees it', async () => {
    const db = getDb();
    const take = (holder: string, mailboxes: string[], lifeMs = 60_000) => acquireLeases(db, { holder, mailboxes, lifeMs });
    const renew = async (holder: string) => (await leaseCycle(db, { holder, mailboxes: ['a', 'b'], lifeMs: 60_000, watching: 0 })).renewed;
    assert.deepEqual(await take('p1', ['a']), ['a']);
    assert.deepEqual(await take('p2', ['a', 'b']), ['b'], 'only the free one');
    assert.deepEqual(await renew('p1'), ['a']);
    assert.deepEqual(await renew('p2'), ['b']);
    await db
      .updateTable('ingest_leases')
      .set({ expires_at: new Date(Date.now() - 60_000) })
      .where('mailbox', '=', 'a')
      .execute();
    assert.deepEqual(await take('p2', ['a']), ['a']);
    assert.deepEqual(await renew('p1'), [], 'the old holder learns it lost the lease');
    await releaseLease(db, { mailbox: 'a', holder: 'p2' });
    assert.deepEqual(await take('p1', ['a']), ['a']);
  });

  test('one statement per cycle: heartbeat, renewals and the holder of every mailbox; live processes counted', async () => {
    const db = getDb();
    const mailboxes = ['a', 'b', 'c'];
    const first = await leaseCycle(db, { holder: 'p1', mailboxes, lifeMs: 60_000, watching: 0 });
    assert.equal(first.live, 1);
    assert.deepEqual(first.processes, ['p1']);
    assert.deepEqual(
      first.leases.map((l) => [l.mailbox, l.holder]),
      [
        ['a', null],
        ['b', null],
        ['c', null],
      ],
    );
    await acquireLeases(db, { holder: 'p1', mailboxes: ['a', 'b'], lifeMs: 60_000 });
    const second = await leaseCycle(db, { holder: 'p2', mailboxes, lifeMs: 60_000, watching: 0 });
    assert.equal(second.live, 2);
    assert.deepEqual(new Set(second.processes), new Set(['p1', 'p2']));
    assert.deepEqual(second.renewed, []);
    const byMailbox = new Map(second.leases.map((l) => [l.mailbox, l]));
    assert.equal(byMailbox.get('a')?.holder, 'p1');
    assert.ok((byMailbox.get('a')?.expiresInMs ?? 0) > 50_000, 'expiry by the database clock');
    assert.equal(byMailbox.get('c')?.holder, null);
    const row = await db.selectFrom('ingest_processes').selectAll().where('id', '=', 'p2').executeTakeFirstOrThrow();
    assert.equal(row.mailboxes, 3);
    // A process whose heartbeat expired is not counted.
    await db
      .updateTable('ingest_processes')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('id', '=', 'p1')
      .execute();
    assert.equal((await leaseCycle(db, { holder: 'p2', mailboxes, lifeMs: 60_000, watching: 0 })).live, 1);
    await unregisterProcess(db, 'p1');
    assert.deepEqual(
      (await db.selectFrom('ingest_leases').select('mailbox').execute()).map((r) => r.mailbox),
      [],
      'a graceful stop leaves no lease behind',
    );
    assert.deepEqual(await releaseDeadLocalLeases(db, { ownPid: false }), [], 'test holders are not of this host');
  });
});
