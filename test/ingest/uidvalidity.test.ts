import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readCursor } from '../../src/ingest/cursor.js';
import { startMailboxWatchers } from '../../src/ingest/index.js';
import { silentLogger } from '../../src/util/logger.js';
import { describeEachDatabase } from '../support/databases.js';
import { dovecotSkip, type PrivateDovecot, startDovecot } from '../support/dovecot.js';
import { duplicateMessageIds, FAST_TUNING, ingestConfig, makeMessage, messageCount, storedSubjects, waitFor } from './helpers.js';

const skip = dovecotSkip();

describeEachDatabase('IMAP watcher: UIDVALIDITY change', (getDb) => {
  let dovecot: PrivateDovecot;
  before(async () => {
    if (!skip) dovecot = await startDovecot();
  });
  after(async () => {
    await dovecot?.stop();
  });

  test('folder recreated with the same messages plus new ones: nothing stored twice, the new ones stored', { skip, timeout: 90_000 }, async () => {
    const db = getDb();
    const user = dovecot.users[0]!.user;
    const admin = await dovecot.client(user);
    await admin.mailboxCreate('Support');
    const first = [makeMessage('one'), makeMessage('two'), makeMessage('three, no Message-ID', { noMessageId: true }), makeMessage('four'), makeMessage('five')];
    const watchers = await startMailboxWatchers({
      db,
      config: ingestConfig(dovecot, { folder: 'Support', ingest: { sweep_interval: '1s' } }),
      logger: silentLogger(),
      processId: 'p1',
      tuning: FAST_TUNING,
    });
    try {
      await waitFor('connect', () => watchers.status()[0]?.connected);
      for (const raw of first) await admin.append('Support', raw);
      await waitFor('the first five stored', async () => (await messageCount(db)) === 5);
      const before = await readCursor(db, 'support');

      // The folder goes away under the watcher and comes back with a new UIDVALIDITY (Dovecot
      // derives it from the clock: wait past the second), the old messages in a new order.
      await admin.mailboxDelete('Support');
      await new Promise((r) => setTimeout(r, 1100));
      await admin.mailboxCreate('Support');
      const again = [first[4]!, makeMessage('six'), first[0]!, first[2]!, first[1]!, makeMessage('seven'), first[3]!, makeMessage('eight')];
      for (const raw of again) await admin.append('Support', raw);

      await waitFor(
        'the re-scan to finish',
        async () => {
          const cursor = await readCursor(db, 'support');
          return cursor && cursor.uidvalidity !== before!.uidvalidity && cursor.lastUid === again.length;
        },
        30_000,
      );
      const after = (await readCursor(db, 'support'))!;
      assert.equal(after.rescan, true);
      assert.notEqual(after.uidvalidity, before!.uidvalidity);
      assert.equal(await messageCount(db), 8);
      assert.deepEqual((await storedSubjects(db)).sort(), ['eight', 'five', 'four', 'one', 'seven', 'six', 'three, no Message-ID', 'two']);
      assert.deepEqual(await duplicateMessageIds(db), []);

      await admin.append('Support', makeMessage('nine'));
      await waitFor('mail after the re-scan', async () => (await messageCount(db)) === 9);
    } finally {
      await watchers.stop();
      await admin.logout();
    }
  });
});
