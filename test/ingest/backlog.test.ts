import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readCursor } from '../../src/ingest/cursor.js';
import { startMailboxWatchers } from '../../src/ingest/index.js';
import { silentLogger } from '../../src/util/logger.js';
import { describeEachDatabase } from '../support/databases.js';
import { dovecotSkip, type PrivateDovecot, startDovecot } from '../support/dovecot.js';
import { appendMany, duplicateMessageIds, FAST_TUNING, ingestConfig, makeMessage, messageCount, storedSubjects, waitFor } from './helpers.js';

const skip = dovecotSkip();
const BACKLOG = 2000;

describeEachDatabase('IMAP watcher: backlog with ingest.backfill', (getDb) => {
  let dovecot: PrivateDovecot;
  before(async () => {
    if (!skip) dovecot = await startDovecot();
  });
  after(async () => {
    await dovecot?.stop();
  });

  test(`takes a ${BACKLOG}-message backlog within the backfill window, each once, and nothing older`, { skip, timeout: 240_000 }, async () => {
    const db = getDb();
    const user = dovecot.users[0]!.user;
    const client = await dovecot.client(user);
    try {
      // Arrived 30 days ago (INTERNALDATE): outside "backfill: 7d".
      await client.append('INBOX', makeMessage('too old for the backfill'), [], new Date(Date.now() - 30 * 86_400_000));
      await client.append('INBOX', makeMessage('read already'), ['\\Seen']);
    } finally {
      await client.logout();
    }
    await appendMany(
      dovecot,
      user,
      'INBOX',
      Array.from({ length: BACKLOG }, (_, i) => makeMessage(`backlog ${i}`)),
      4,
    );

    const watchers = await startMailboxWatchers({
      db,
      config: ingestConfig(dovecot, { ingest: { backfill: '7d', fetch_batch: 100 } }),
      logger: silentLogger(),
      processId: 'p1',
      tuning: FAST_TUNING,
    });
    try {
      await waitFor('the backlog to be stored', async () => (await messageCount(db)) >= BACKLOG + 1, 200_000, 250);
      await dovecot.append(user, 'INBOX', makeMessage('after the backlog'));
      await waitFor('the next new message', async () => (await messageCount(db)) === BACKLOG + 2, 20_000);
    } finally {
      await watchers.stop();
    }
    const subjects = await storedSubjects(db);
    assert.equal(subjects.length, BACKLOG + 2);
    assert.ok(!subjects.includes('too old for the backfill'));
    assert.ok(subjects.includes('read already'), '\\Seen is not state: read mail in the window is taken too');
    assert.equal(subjects.at(-1), 'after the backlog');
    assert.deepEqual(await duplicateMessageIds(db), []);
    const cursor = await readCursor(db, 'support');
    assert.equal(cursor?.lastUid, BACKLOG + 3);
  });
});
