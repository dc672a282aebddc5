import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { advanceCursor, readCursor } from '../../src/ingest/cursor.js';
import { startMailboxWatchers } from '../../src/ingest/index.js';
import { acquireLeases } from '../../src/ingest/lease.js';
import { silentLogger } from '../../src/util/logger.js';
import { describeEachDatabase } from '../support/databases.js';
import { dovecotSkip, type PrivateDovecot, startDovecot } from '../support/dovecot.js';
import { appendMany, cleanIngest, duplicateMessageIds, FAST_TUNING, ingestConfig, makeMessage, messageCount, storedSubjects, waitFor } from './helpers.js';

const skip = dovecotSkip();

describeEachDatabase('mailbox lease', (getDb) => {
  let dovecot: PrivateDovecot;
  before(async () => {
    if (!skip) dovecot = await startDovecot();
  });
  after(async () => {
    await dovecot?.stop();
  });
  beforeEach(async () => {
    if (!skip) await cleanIngest(getDb());
  });

  test('two watchers on one database: one holds the lease, each message is stored once', { skip, timeout: 60_000 }, async () => {
    const db = getDb();
    const config = ingestConfig(dovecot, { ingest: { sweep_interval: '1s', fetch_batch: 5 } });
    const a = await startMailboxWatchers({ db, config, logger: silentLogger(), processId: 'proc-a', tuning: FAST_TUNING });
    const b = await startMailboxWatchers({ db, config, logger: silentLogger(), processId: 'proc-b', tuning: FAST_TUNING });
    try {
      await waitFor('one watcher connected', () => a.status()[0]!.connected || b.status()[0]!.connected);
      await appendMany(
        dovecot,
        dovecot.users[0]!.user,
        'INBOX',
        Array.from({ length: 40 }, (_, i) => makeMessage(`shared ${i}`)),
        2,
      );
      await waitFor('all 40 stored', async () => (await messageCount(db)) === 40, 30_000);
      // Let the standby retry the lease a few times while the holder keeps it.
      await new Promise((r) => setTimeout(r, FAST_TUNING.leaseTtlMs! * 2));
      const holders = [a, b].filter((w) => w.status()[0]!.leaseHeld);
      assert.equal(holders.length, 1, 'exactly one watcher holds the lease');
      const standby = (holders[0] === a ? b : a).status()[0]!;
      assert.equal(standby.state, 'standby');
      assert.equal(standby.connected, false);
      const row = await db.selectFrom('ingest_leases').selectAll().executeTakeFirstOrThrow();
      assert.equal(row.holder, holders[0] === a ? 'proc-a' : 'proc-b');
      assert.equal(standby.leaseHolder, row.holder);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    assert.equal(await messageCount(db), 40);
    assert.deepEqual(await duplicateMessageIds(db), []);
  });

  test('a holder that stops renewing is taken over; its late writes are refused', { skip, timeout: 60_000 }, async () => {
    const db = getDb();
    const user = dovecot.users[0]!.user;
    const config = ingestConfig(dovecot, { ingest: { sweep_interval: '1s' } });
    const frozen = startMailboxWatchers({ db, config, logger: silentLogger(), processId: 'proc-old', tuning: FAST_TUNING });
    await waitFor('the first holder connected', () => frozen.status()[0]!.connected);
    const standby = await startMailboxWatchers({ db, config, logger: silentLogger(), processId: 'proc-new', tuning: FAST_TUNING });
    try {
      await dovecot.append(user, 'INBOX', makeMessage('m1'));
      await waitFor('m1 stored', async () => (await messageCount(db)) === 1);
      assert.equal(standby.status()[0]!.state, 'standby');

      await frozen.freeze(); // no renewals, no release: like a process that hung or died
      await dovecot.append(user, 'INBOX', makeMessage('m2, while nobody watched'));
      await waitFor('the standby to take over', () => standby.status()[0]!.connected, 15_000);
      await dovecot.append(user, 'INBOX', makeMessage('m3'));
      await waitFor('m2 and m3 stored', async () => (await messageCount(db)) === 3, 15_000);
      assert.deepEqual(await storedSubjects(db), ['m1', 'm2, while nobody watched', 'm3']);
      const row = await db.selectFrom('ingest_leases').selectAll().executeTakeFirstOrThrow();
      assert.equal(row.holder, 'proc-new');

      // Fencing: the old holder can neither move the cursor nor take the lease back while it is live.
      const cursor = (await readCursor(db, 'support'))!;
      assert.equal(await advanceCursor(db, { mailbox: 'support', uidvalidity: cursor.uidvalidity, uid: cursor.lastUid + 100, holder: 'proc-old' }), false);
      assert.deepEqual(await acquireLeases(db, { mailboxes: ['support'], holder: 'proc-old', lifeMs: 1000 }), []);
      assert.equal((await readCursor(db, 'support'))!.lastUid, cursor.lastUid);
    } finally {
      await standby.stop();
    }
    assert.deepEqual(await duplicateMessageIds(db), []);
  });
});
